/* Runs the ring buffer driver through every path, each scenario on a
   fresh thread. Never woven. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "io_manager.h"
#include "ringbuf.h"

static PDEVICE_OBJECT device;
static PRING_EXTENSION extension;
static int failures;

static NTSTATUS control(PIRP irp, ULONG code)
{
    return io_device_control(device, irp, code, NULL, 0, 0);
}

static NTSTATUS write_value(ULONG value)
{
    IRP irp;
    io_build_irp(&irp, IRP_MJ_WRITE);
    irp.Tail.Overlay.DriverContext[0] = (PVOID)(uintptr_t)value;
    return io_send_irp(device, &irp);
}

static void expect(int condition, const char *what)
{
    if (!condition) {
        printf("failed: %s\n", what);
        failures++;
    }
}

static void *reads_and_writes(void *unused)
{
    IRP create, waiting, cancelled, ready;
    (void)unused;
    io_call_driver(device, &create, IRP_MJ_CREATE);
    io_call_driver(device, &waiting, IRP_MJ_READ);
    io_call_driver(device, &cancelled, IRP_MJ_READ);
    io_cancel_irp(device, &cancelled);
    write_value(7);
    expect(io_completed(&waiting) && (uintptr_t)waiting.Tail.Overlay.DriverContext[0] == 7, "a waiting read gets the value");
    expect(cancelled.IoStatus.Status == STATUS_CANCELLED, "a cancelled read");
    write_value(8);
    io_call_driver(device, &ready, IRP_MJ_READ);
    expect(io_completed(&ready) && (uintptr_t)ready.Tail.Overlay.DriverContext[0] == 8, "a stored value is read");
    return 0;
}

static void *controls(void *unused)
{
    IRP stats, resize, describe, trim, busy, kick, tune;
    (void)unused;
    control(&stats, IOCTL_RING_STATS);
    expect(stats.IoStatus.Information == 2, "statistics");
    control(&resize, IOCTL_RING_RESIZE);
    control(&describe, IOCTL_RING_DESCRIBE);
    io_run_work_items();
    expect(extension->Description == (RING_SIZE / 2 | 0x10000), "the work item described the layout");
    control(&trim, IOCTL_RING_TRIM);
    ExAcquireFastMutex(&extension->TrimMutex);   /* held by someone else */
    control(&busy, IOCTL_RING_TRIM);
    ExReleaseFastMutex(&extension->TrimMutex);
    expect(busy.IoStatus.Status == STATUS_DEVICE_BUSY, "a failed try");
    control(&kick, IOCTL_RING_KICK);
    io_run_dpcs();
    expect(io_completed(&kick), "the kick went through StartIo and the DPC");
    control(&tune, IOCTL_RING_TUNE);
    expect(KeGetCurrentIrql() == PASSIVE_LEVEL, "back at PASSIVE_LEVEL");
    return 0;
}

static void run(void *(*scenario)(void *))
{
    pthread_t thread;
    pthread_create(&thread, 0, scenario, 0);
    pthread_join(thread, 0);
}

int main(void)
{
    PDRIVER_OBJECT driver = io_load_driver(DriverEntry);
    device = driver->DeviceObject;
    extension = device->DeviceExtension;
    run(reads_and_writes);
    run(controls);
    io_unload_driver(driver);
    printf("done: %d failures\n", failures);
    return 0;
}
