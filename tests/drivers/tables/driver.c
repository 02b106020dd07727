/*
 * A mock driver that takes a fast mutex through a table of function
 * pointers and reads the values lock calls return: try-acquires (BOOLEAN
 * results, FASTCALL on i686) and the IRQL a raise returns. Checked with
 * the whole built-in pack.
 *
 * Seeded bugs, each marked with the report slic must give on its line
 * (`expect:`).
 */
#include "driver.h"

/* The table lives in a global: its initializer takes the APIs' addresses. */
static const MUTEX_OPERATIONS mutex_operations = {
    ExAcquireFastMutex,
    ExReleaseFastMutex,
};

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT device;
    PDEVICE_EXTENSION extension;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    status = IoCreateDevice(DriverObject, sizeof(DEVICE_EXTENSION), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    extension = (PDEVICE_EXTENSION)device->DeviceExtension;
    KeInitializeSpinLock(&extension->Lock);
    ExInitializeFastMutex(&extension->Mutex);
    extension->Reads = 0;
    DriverObject->MajorFunction[IRP_MJ_READ] = DispatchRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = DispatchWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = DispatchDeviceControl;
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}

/* Correct: what the try-acquires report is what the driver holds. */
_Use_decl_annotations_
NTSTATUS
DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION extension = (PDEVICE_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL old;

    old = KeAcquireSpinLockRaiseToDpc(&extension->Lock);
    extension->Reads++;
    KeReleaseSpinLock(&extension->Lock, old);
    if (ExTryToAcquireFastMutex(&extension->Mutex)) {
        extension->Reads++;
        mutex_operations.Release(&extension->Mutex);
    }
    old = KeRaiseIrqlToDpcLevel();
    if (KeTryToAcquireSpinLockAtDpcLevel(&extension->Lock)) {
        extension->Reads++;
        KeReleaseSpinLockFromDpcLevel(&extension->Lock);
    }
    KeLowerIrql(old);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* Bug: an error path returns with the fast mutex held. */
_Use_decl_annotations_
NTSTATUS
DispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION extension = (PDEVICE_EXTENSION)DeviceObject->DeviceExtension;

    mutex_operations.Acquire(&extension->Mutex);
    if (Irp->Context == NULL) {
        Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    extension->Reads = 0;
    mutex_operations.Release(&extension->Mutex);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
} // expect: FastMutex in DispatchWrite ; IrqlReturn in DispatchWrite

/* Bug: the IRQL is lowered once more than it was raised. */
_Use_decl_annotations_
NTSTATUS
DispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION extension = (PDEVICE_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL old;

    old = KeRaiseIrqlToDpcLevel();
    KeAcquireSpinLockAtDpcLevel(&extension->Lock);
    KeReleaseSpinLockFromDpcLevel(&extension->Lock);
    KeLowerIrql(old);
    KeLowerIrql(old); // expect: IrqlKeRaiseLower in DispatchDeviceControl
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID
Unload(PDRIVER_OBJECT DriverObject)
{
    IoDeleteDevice(DriverObject->DeviceObject);
}
