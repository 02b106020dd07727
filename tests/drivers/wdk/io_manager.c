#include "io_manager.h"

static DRIVER_EXTENSION extension;
static DRIVER_OBJECT driver_object;

PDRIVER_OBJECT io_load_driver(DRIVER_INITIALIZE *entry, PDEVICE_OBJECT device)
{
    UNICODE_STRING path = { 0, 0, 0 };
    driver_object.DriverExtension = &extension;
    device->DriverObject = &driver_object;
    entry(&driver_object, &path);
    return &driver_object;
}

NTSTATUS io_call_driver(PDRIVER_OBJECT driver, PDEVICE_OBJECT device, PIRP irp, UCHAR major)
{
    irp->MajorFunction = major;
    return driver->MajorFunction[major](device, irp);
}

BOOLEAN io_cancel_irp(PDEVICE_OBJECT device, PIRP irp)
{
    PDRIVER_CANCEL routine;
    IoAcquireCancelSpinLock(&irp->CancelIrql);
    irp->Cancel = TRUE;
    routine = IoSetCancelRoutine(irp, 0);
    if (!routine) {
        IoReleaseCancelSpinLock(irp->CancelIrql);
        return FALSE;
    }
    routine(device, irp);
    return TRUE;
}

VOID io_unload_driver(PDRIVER_OBJECT driver)
{
    if (driver->DriverUnload) driver->DriverUnload(driver);
}
