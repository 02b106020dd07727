/* Runs the mailbox driver on four threads at once, many iterations each,
   with real contention on its locks: slic must report nothing. Never
   woven. SLIC_MAILBOX_ITERATIONS overrides the number of iterations. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_manager.h"
#include "mailbox.h"

#define THREADS 4

static PDEVICE_OBJECT device;
static unsigned iterations = 3000;
static volatile LONG delivered, cancelled, crossed, busy;

static void count(PIRP read, unsigned id)
{
    if (read->IoStatus.Status == STATUS_CANCELLED) {
        __atomic_add_fetch(&cancelled, 1, __ATOMIC_RELAXED);
    } else {
        __atomic_add_fetch(&delivered, 1, __ATOMIC_RELAXED);
        if ((uintptr_t)read->Tail.Overlay.DriverContext[0] / 100000 != id) {
            __atomic_add_fetch(&crossed, 1, __ATOMIC_RELAXED);
        }
    }
}

static NTSTATUS control(ULONG code)
{
    IRP irp;
    MAILBOX_STATS buffer;
    memset(&buffer, 0, sizeof buffer);
    ((PMAILBOX_SETTINGS)&buffer)->Limit = MAILBOX_RING_SIZE;
    return io_device_control(device, &irp, code, &buffer, sizeof buffer, sizeof buffer);
}

/* Each iteration reads twice and writes once, so reads often wait in the
   driver's queue for another thread's write, and some are cancelled by
   their own thread while other threads' writes try to complete them. */
static void *worker(void *argument)
{
    unsigned id = (unsigned)(uintptr_t)argument;
    unsigned i;
    for (i = 0; i < iterations; i++) {
        IRP first, second, write;
        io_call_driver(device, &first, IRP_MJ_READ);
        io_call_driver(device, &second, IRP_MJ_READ);
        if ((i + id) % 2 == 0) {
            io_cancel_irp(device, &second);
        }
        io_build_irp(&write, IRP_MJ_WRITE);
        write.Tail.Overlay.DriverContext[0] = (PVOID)(uintptr_t)(id * 100000 + i);
        io_send_irp(device, &write);
        switch (i % 8) {
        case 0: control(IOCTL_MAILBOX_GET_STATS); break;
        case 1: control(IOCTL_MAILBOX_GET_HISTORY); break;
        case 2: control(IOCTL_MAILBOX_PEEK_HISTORY); break;
        case 3: control(IOCTL_MAILBOX_SET_SETTINGS); break;
        case 4: control(IOCTL_MAILBOX_GET_SETTINGS); break;
        case 5: control(IOCTL_MAILBOX_COMPACT); break;
        case 6: control(IOCTL_MAILBOX_FLUSH); break;
        default:
            if (control(IOCTL_MAILBOX_PEEK_HISTORY) == STATUS_DEVICE_BUSY) {
                __atomic_add_fetch(&busy, 1, __ATOMIC_RELAXED);
            }
            break;
        }
        io_run_dpcs();
        io_run_work_items();
        /* The reads are ours until they are completed: by a writer (any
           thread), or by our cancellation. */
        while (!io_completed(&first) || !io_completed(&second)) {
            if (!io_completed(&first)) io_cancel_irp(device, &first);
            if (!io_completed(&second)) io_cancel_irp(device, &second);
        }
        count(&first, id);
        count(&second, id);
    }
    return 0;
}

int main(void)
{
    pthread_t threads[THREADS];
    PDRIVER_OBJECT driver;
    const char *setting = getenv("SLIC_MAILBOX_ITERATIONS");
    unsigned t;
    if (setting) iterations = (unsigned)strtoul(setting, 0, 10);
    driver = io_load_driver(DriverEntry);
    device = driver->DeviceObject;
    for (t = 0; t < THREADS; t++) pthread_create(&threads[t], 0, worker, (void *)(uintptr_t)t);
    for (t = 0; t < THREADS; t++) pthread_join(threads[t], 0);
    io_run_dpcs();
    io_run_work_items();
    io_unload_driver(driver);
    printf("done: %ld reads delivered (%ld from another thread), %ld cancelled, %ld busy tries\n",
           (long)delivered, (long)crossed, (long)cancelled, (long)busy);
    return 0;
}
