/* Runs the legacy driver through its scenarios, each on a fresh thread so
   that per-thread rule state starts clean. Never woven. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "io_manager.h"
#include "legacy.h"

static PDRIVER_OBJECT driver;
static PDEVICE_OBJECT device;
static PLEGACY_EXTENSION extension;

static NTSTATUS control(PIRP irp, ULONG code)
{
    return io_device_control(device, irp, code, NULL, 0, 0);
}

/* Correct paths: a read satisfied by a write, a read cancelled, a read
   flushed by the work item. */
static void *correct_paths(void *unused)
{
    IRP create, read, write, cancelled, flushed, flush;
    (void)unused;
    io_call_driver(device, &create, IRP_MJ_CREATE);
    io_call_driver(device, &read, IRP_MJ_READ);
    io_call_driver(device, &write, IRP_MJ_WRITE);
    io_call_driver(device, &cancelled, IRP_MJ_READ);
    io_cancel_irp(device, &cancelled);
    io_call_driver(device, &flushed, IRP_MJ_READ);
    control(&flush, IOCTL_LEGACY_FLUSH);
    io_run_work_items();
    if (!io_completed(&read) || !io_completed(&write) || !io_completed(&cancelled) || !io_completed(&flushed)) {
        puts("a request was not completed");
    }
    return 0;
}

static void *write_then_cancel(void *unused)
{
    IRP write;
    (void)unused;
    io_call_driver(device, &write, IRP_MJ_WRITE);
    io_cancel_irp(device, &write);
    wdm_user_reset_cancel_lock();
    return 0;
}

static void *wait_then_cancel(void *unused)
{
    IRP wait;
    (void)unused;
    control(&wait, IOCTL_LEGACY_WAIT);
    io_cancel_irp(device, &wait);
    return 0;
}

static void *reset_before_start(void *unused)
{
    IRP reset;
    (void)unused;
    extension->Started = FALSE;
    control(&reset, IOCTL_LEGACY_RESET);
    extension->Started = TRUE;
    return 0;
}

static void *cleanup_nothing_queued(void *unused)
{
    IRP cleanup;
    (void)unused;
    io_call_driver(device, &cleanup, IRP_MJ_CLEANUP);
    wdm_user_reset_cancel_lock();
    return 0;
}

static void *flush_nothing_queued(void *unused)
{
    IRP flush;
    (void)unused;
    control(&flush, IOCTL_LEGACY_FLUSH);
    io_run_work_items();
    wdm_user_reset_cancel_lock();
    return 0;
}

static void *cancel_all(void *unused)
{
    IRP read, cancel;
    (void)unused;
    io_call_driver(device, &read, IRP_MJ_READ);
    control(&cancel, IOCTL_LEGACY_CANCEL_ALL);
    return 0;
}

/* The race the notify cancel routine gets wrong, staged in order: the
   I/O manager starts cancelling (takes the cancel routine), the signal
   path takes the IRP off the queue and leaves it to the cancel routine,
   which then runs. */
static void *notify_race(void *unused)
{
    IRP wait, signal;
    PDRIVER_CANCEL routine;
    (void)unused;
    control(&wait, IOCTL_LEGACY_WAIT_NOTIFY);
    IoAcquireCancelSpinLock(&wait.CancelIrql);
    wait.Cancel = TRUE;
    routine = IoSetCancelRoutine(&wait, NULL);
    control(&signal, IOCTL_LEGACY_SIGNAL);
    routine(device, &wait);
    extension->NotifyLock = 0;
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
    run(correct_paths);
    run(write_then_cancel);
    run(wait_then_cancel);
    run(reset_before_start);
    run(cleanup_nothing_queued);
    run(flush_nothing_queued);
    run(cancel_all);
    run(notify_race);
    io_unload_driver(driver);
    puts("done");
    return 0;
}
