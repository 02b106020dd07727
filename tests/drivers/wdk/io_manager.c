#include <string.h>

#include "io_manager.h"

static DRIVER_EXTENSION extension;
static DRIVER_OBJECT driver_object;

PDRIVER_OBJECT io_load_driver(DRIVER_INITIALIZE *entry)
{
    UNICODE_STRING path = { 0, 0, 0 };
    PDEVICE_OBJECT device;
    driver_object.DriverExtension = &extension;
    entry(&driver_object, &path);
    for (device = driver_object.DeviceObject; device; device = device->NextDevice) {
        device->Flags &= ~DO_DEVICE_INITIALIZING;
    }
    return &driver_object;
}

VOID io_build_irp(PIRP irp, UCHAR major)
{
    memset(irp, 0, sizeof *irp);
    irp->MajorFunction = major;
    irp->Stack.MajorFunction = major;
    irp->Tail.Overlay.CurrentStackLocation = &irp->Stack;
    irp->IoStatus.Status = STATUS_PENDING;
}

NTSTATUS io_send_irp(PDEVICE_OBJECT device, PIRP irp)
{
    irp->Stack.DeviceObject = device;
    return device->DriverObject->MajorFunction[irp->Stack.MajorFunction](device, irp);
}

NTSTATUS io_call_driver(PDEVICE_OBJECT device, PIRP irp, UCHAR major)
{
    io_build_irp(irp, major);
    return io_send_irp(device, irp);
}

NTSTATUS io_device_control(PDEVICE_OBJECT device, PIRP irp, ULONG code, PVOID buffer, ULONG in, ULONG out)
{
    io_build_irp(irp, IRP_MJ_DEVICE_CONTROL);
    irp->AssociatedIrp.SystemBuffer = buffer;
    irp->Stack.Parameters.DeviceIoControl.IoControlCode = code;
    irp->Stack.Parameters.DeviceIoControl.InputBufferLength = in;
    irp->Stack.Parameters.DeviceIoControl.OutputBufferLength = out;
    return io_send_irp(device, irp);
}

BOOLEAN io_completed(PIRP irp)
{
    return (BOOLEAN)__atomic_load_n(&irp->Completed, __ATOMIC_ACQUIRE);
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

ULONG io_run_dpcs(VOID)
{
    ULONG count = 0;
    PKDPC dpc;
    KIRQL irql = KeGetCurrentIrql();
    while ((dpc = wdm_user_next_dpc()) != NULL) {
        wdm_user_set_irql(DISPATCH_LEVEL);
        dpc->DeferredRoutine(dpc, dpc->DeferredContext, dpc->SystemArgument1, dpc->SystemArgument2);
        wdm_user_set_irql(irql);
        count++;
    }
    return count;
}

ULONG io_run_work_items(VOID)
{
    ULONG count = 0;
    while (wdm_user_run_work_item()) count++;
    return count;
}

VOID io_unload_driver(PDRIVER_OBJECT driver)
{
    if (driver->DriverUnload) driver->DriverUnload(driver);
    while (driver->DeviceObject) IoDeleteDevice(driver->DeviceObject);
}
