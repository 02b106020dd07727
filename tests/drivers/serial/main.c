/* Runs the serial driver through its scenarios, each on a fresh thread so
   that per-thread rule state starts clean, in an order where a lock a
   seeded bug leaves held (or a SpinLock instance that already reported)
   is not needed by a later scenario. Never woven. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "io_manager.h"
#include "serial.h"

static PDRIVER_OBJECT driver;
static PDEVICE_OBJECT device;
static PSERIAL_DEVICE_EXTENSION extension;

static NTSTATUS transfer(PIRP irp, UCHAR major, ULONG length)
{
    io_build_irp(irp, major);
    irp->Stack.Parameters.Write.Length = length;
    return io_send_irp(device, irp);
}

static NTSTATUS control(ULONG code, ULONG value, ULONG in)
{
    IRP irp;
    SERIALPERF_STATS buffer;
    memset(&buffer, 0, sizeof buffer);
    buffer.ReceivedCount = value;
    return io_device_control(device, &irp, code, &buffer, in, sizeof buffer);
}

/* Correct paths: open, an empty read, a write through StartIo and the DPC. */
static void *open_read_write(void *unused)
{
    IRP create, read, write;
    (void)unused;
    io_call_driver(device, &create, IRP_MJ_CREATE);
    transfer(&read, IRP_MJ_READ, 0);
    transfer(&write, IRP_MJ_WRITE, 16);
    io_run_dpcs();
    if (!io_completed(&write) || write.IoStatus.Information != 16) puts("write not completed");
    return 0;
}

static void *get_stats(void *unused)
{
    (void)unused;
    control(IOCTL_SERIAL_GET_STATS, 0, 0);
    return 0;
}

static void *clear_stats(void *unused)
{
    (void)unused;
    control(IOCTL_SERIAL_CLEAR_STATS, 0, 0);
    return 0;
}

static void *cancelled_write(void *unused)
{
    IRP write;
    (void)unused;
    transfer(&write, IRP_MJ_WRITE, 8);
    write.Cancel = TRUE;
    io_run_dpcs();
    return 0;
}

static void *purge(void *unused)
{
    (void)unused;
    control(IOCTL_SERIAL_PURGE, 0, 0);
    return 0;
}

static void *set_wait_mask(void *unused)
{
    (void)unused;
    control(IOCTL_SERIAL_SET_WAIT_MASK, SERIAL_EV_RXCHAR, sizeof(ULONG));
    return 0;
}

static void *set_baud_rate(void *unused)
{
    (void)unused;
    control(IOCTL_SERIAL_SET_BAUD_RATE, 19200, sizeof(ULONG));
    return 0;
}

static void *set_line_control_short(void *unused)
{
    (void)unused;
    control(IOCTL_SERIAL_SET_LINE_CONTROL, 0, 0);
    return 0;
}

static void *close_twice(void *unused)
{
    IRP first, second;
    (void)unused;
    io_call_driver(device, &first, IRP_MJ_CLOSE);
    io_call_driver(device, &second, IRP_MJ_CLOSE);
    /* The driver left OpenLock held; a real kernel would hang. */
    extension->OpenLock = 0;
    return 0;
}

static void *hardware_error(void *unused)
{
    IRP write;
    (void)unused;
    extension->HwError = TRUE;
    transfer(&write, IRP_MJ_WRITE, 4);
    io_run_dpcs();
    extension->HwLock = 0;
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
    driver = io_load_driver(DriverEntry);
    device = driver->DeviceObject;
    extension = device->DeviceExtension;
    run(open_read_write);
    run(get_stats);
    run(clear_stats);
    run(cancelled_write);
    run(purge);
    run(set_wait_mask);
    run(set_baud_rate);
    run(set_line_control_short);
    run(close_twice);
    run(hardware_error);
    io_unload_driver(driver);
    puts("done");
    return 0;
}
