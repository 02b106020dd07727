/* The test program of the irql driver: the correct paths first (create,
   two reads, their DPCs and the work item, close), then each control code
   with a bug, the DPC with bugs, and unloading. Never woven. */
#include <stdio.h>

#include "io_manager.h"
#include "irql.h"

static int failures;

static void expect(int condition, const char *what)
{
    if (!condition) {
        printf("failed: %s\n", what);
        failures++;
    }
}

int main(void)
{
    PDRIVER_OBJECT driver = io_load_driver(DriverEntry);
    PDEVICE_OBJECT device = driver->DeviceObject;
    PIRQL_EXTENSION extension = device->DeviceExtension;
    IRP create, first, second, control, close;
    static const ULONG buggy[] = {
        IOCTL_IRQL_CLOSE_LOCKED, IOCTL_IRQL_REFERENCE_LOCKED, IOCTL_IRQL_ALLOCATE_LOCKED,
    };
    ULONG i;
    LONG started, completed;

    expect(NT_SUCCESS(io_call_driver(device, &create, IRP_MJ_CREATE)), "create succeeds");
    expect(extension->Ready, "the driver is ready");
    expect(io_call_driver(device, &first, IRP_MJ_READ) == STATUS_PENDING, "the first read is pending");
    expect(io_call_driver(device, &second, IRP_MJ_READ) == STATUS_PENDING, "the second read is pending");
    expect(io_run_dpcs() == 2, "both reads are completed by a DPC");
    expect(io_completed(&first) && io_completed(&second), "both reads completed");
    expect(io_run_work_items() == 1 && extension->WorkerRan, "the work item ran");

    for (i = 0; i < sizeof buggy / sizeof buggy[0]; i++) {
        io_device_control(device, &control, buggy[i], NULL, 0, 0);
        expect(io_completed(&control), "the control request completed");
    }
    expect(io_device_control(device, &control, IOCTL_IRQL_SIGNAL, NULL, 0, 0) == STATUS_SUCCESS, "signal queued");
    expect(io_run_dpcs() == 1, "the signal DPC ran");
    expect(!extension->Ready, "the signal DPC ran its body");
    expect(io_call_driver(device, &close, IRP_MJ_CLOSE) == STATUS_SUCCESS, "close succeeds");
    expect(io_device_control(device, &control, IOCTL_IRQL_POKE, NULL, 0, 0) == STATUS_DEVICE_NOT_READY,
           "a poke of a device that is not ready fails");
    started = extension->Started;
    completed = extension->Completed;
    /* The poke returned at DISPATCH_LEVEL; the I/O manager of a real
       kernel would have bug-checked. */
    wdm_user_set_irql(PASSIVE_LEVEL);
    io_unload_driver(driver);
    printf("done: %ld started, %ld completed, %d failures\n", (long)started, (long)completed, failures);
    return 0;
}
