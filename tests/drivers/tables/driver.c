/*
 * A mock driver that takes a fast mutex through a table of function
 * pointers and reads the values lock calls return or store: try-acquires
 * (BOOLEAN results), the IRQL a raise returns, the old IRQL KeRaiseIrql
 * stores through its second argument.
 * rules: rules/wdm/SpinLock.slic rules/wdm/FastMutex.slic rules/wdm/IrqlKeRaiseLower.slic
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
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->MajorFunction[IRP_MJ_READ] = DispatchRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = DispatchWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = DispatchDeviceControl;
    return STATUS_SUCCESS;
}

/* Correct: what the try-acquires report is what the driver holds. */
_Use_decl_annotations_
NTSTATUS
DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION extension = (PDEVICE_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL old;

    UNREFERENCED_PARAMETER(Irp);
    if (KeTryToAcquireSpinLockAtDpcLevel(&extension->Lock)) {
        extension->Reads++;
        KeReleaseSpinLockFromDpcLevel(&extension->Lock);
    }
    if (ExTryToAcquireFastMutex(&extension->Mutex)) {
        extension->Reads++;
        mutex_operations.Release(&extension->Mutex);
    }
    old = KeAcquireSpinLockRaiseToDpc(&extension->Lock);
    KeReleaseSpinLock(&extension->Lock, old);
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
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    extension->Reads = 0;
    mutex_operations.Release(&extension->Mutex);
    return STATUS_SUCCESS;
} // expect: FastMutex in DispatchWrite

/* Bug: KeRaiseIrql asked for an IRQL below the one the spin lock raised to. */
_Use_decl_annotations_
NTSTATUS
DispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION extension = (PDEVICE_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL old, previous;

    UNREFERENCED_PARAMETER(Irp);
    old = KeAcquireSpinLockRaiseToDpc(&extension->Lock);
    KeRaiseIrql(APC_LEVEL, &previous); // expect: IrqlKeRaiseLower in DispatchDeviceControl
    KeLowerIrql(previous);
    KeReleaseSpinLock(&extension->Lock, old);
    return STATUS_SUCCESS;
}
