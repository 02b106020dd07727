/*
 * A WDM driver written against mingw-w64's DDK headers (<ntddk.h>): a read
 * queue under an executive spin lock, a cancel routine, a DPC that
 * completes the queued read, unload. Routines are declared with their role
 * types and registered by assignment and by KeInitializeDpc.
 *
 * The header makes some APIs macros on x64: KeAcquireSpinLock stores what
 * KeAcquireSpinLockRaiseToDpc returns, IoCompleteRequest is
 * IofCompleteRequest, IoSetCancelRoutine is an InterlockedExchangePointer.
 *
 * Seeded bugs (never run: there is no Windows kernel here):
 * DispatchWrite completes an IRP while it holds the spin lock (SpinLockSafe)
 * and returns holding it on an error path (SpinLock, SpinlockRelease).
 */
#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    PIRP PendingRead;
    KDPC Dpc;
    LONG Writes;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

/* The driver's own macro over the header's: each use is a site. */
#define LOCK_EXTENSION(extension, irql) KeAcquireSpinLock(&(extension)->Lock, (irql))

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD Unload;
DRIVER_DISPATCH DispatchCreateClose;
DRIVER_DISPATCH DispatchRead;
DRIVER_DISPATCH DispatchWrite;
DRIVER_CANCEL CancelRead;
KDEFERRED_ROUTINE CompleteReadDpc;

NTSTATUS
NTAPI
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT device;
    PDEVICE_EXTENSION extension;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    status = IoCreateDevice(DriverObject, sizeof(DEVICE_EXTENSION), NULL,
                            FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    extension = (PDEVICE_EXTENSION)device->DeviceExtension;
    KeInitializeSpinLock(&extension->Lock);
    KeInitializeDpc(&extension->Dpc, CompleteReadDpc, extension);
    extension->PendingRead = NULL;
    extension->Writes = 0;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = DispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = DispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = DispatchRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = DispatchWrite;
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}

NTSTATUS
NTAPI
DispatchCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* Correct: the read is queued under the lock, cancellable, and the DPC
   completes it. */
NTSTATUS
NTAPI
DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION extension = (PDEVICE_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL irql;

    KeAcquireSpinLock(&extension->Lock, &irql);
    if (extension->PendingRead != NULL) {
        KeReleaseSpinLock(&extension->Lock, irql);
        Irp->IoStatus.Status = STATUS_DEVICE_BUSY;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_DEVICE_BUSY;
    }
    IoMarkIrpPending(Irp);
    extension->PendingRead = Irp;
    IoSetCancelRoutine(Irp, CancelRead);
    KeReleaseSpinLock(&extension->Lock, irql);
    KeInsertQueueDpc(&extension->Dpc, NULL, NULL);
    return STATUS_PENDING;
}

/* Bugs: completes while holding the lock; returns holding it. */
NTSTATUS
NTAPI
DispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION extension = (PDEVICE_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL irql;

    LOCK_EXTENSION(extension, &irql);
    if (Irp->AssociatedIrp.SystemBuffer == NULL) { // static: unreachable for SpinLockSafe ; SpinLock ; SpinlockRelease (slic verify's harness gives every request its buffers, as the I/O manager gives a request with data)
        Irp->IoStatus.Status = STATUS_INVALID_PARAMETER;
        IoCompleteRequest(Irp, IO_NO_INCREMENT); // expect: SpinLockSafe in DispatchWrite
        return STATUS_INVALID_PARAMETER;
    }
    extension->Writes++;
    KeReleaseSpinLock(&extension->Lock, irql);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
} // expect: SpinLock in DispatchWrite ; SpinlockRelease in DispatchWrite

/* Correct: entered holding the cancel spin lock, which it releases before
   it takes the queue's lock. */
VOID
NTAPI
CancelRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION extension = (PDEVICE_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL irql;

    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireSpinLock(&extension->Lock, &irql);
    if (extension->PendingRead == Irp) {
        extension->PendingRead = NULL;
    }
    KeReleaseSpinLock(&extension->Lock, irql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

/* Correct: at DISPATCH_LEVEL, the lock is taken with the DPC-level calls. */
VOID
NTAPI
CompleteReadDpc(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    PDEVICE_EXTENSION extension = (PDEVICE_EXTENSION)Context;
    PIRP irp;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    KeAcquireSpinLockAtDpcLevel(&extension->Lock);
    irp = extension->PendingRead;
    extension->PendingRead = NULL;
    if (irp != NULL && IoSetCancelRoutine(irp, NULL) == NULL) {
        irp = NULL; /* the cancel routine has it */
    }
    KeReleaseSpinLockFromDpcLevel(&extension->Lock);
    if (irp != NULL) {
        irp->IoStatus.Status = STATUS_SUCCESS;
        irp->IoStatus.Information = 0;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
}

/* Through the header's executive names, which the catalog does not know. */
static VOID
ResetWrites(PDEVICE_EXTENSION Extension)
{
    KIRQL irql;

    ExAcquireSpinLock(&Extension->Lock, &irql); // ir-only KeAcquireSpinLockRaiseToDpc.exit: ExAcquireSpinLock and ExReleaseSpinLock are macros of the header over KeAcquireSpinLock and KeReleaseSpinLock, names the catalog does not declare: the C weaver binds the names it knows, in the driver's own text // ir-only KeAcquireSpinLockRaiseToDpc.entry: the same (IrqlKeDispatchLte checks the IRQL a spin lock is acquired at)
    Extension->Writes = 0;
    ExReleaseSpinLock(&Extension->Lock, irql); // ir-only KeReleaseSpinLock.exit: the same // ir-only KeReleaseSpinLock.entry: the same (SpinLock checks a release when it is made)
}

VOID
NTAPI
Unload(PDRIVER_OBJECT DriverObject)
{
    ResetWrites((PDEVICE_EXTENSION)DriverObject->DeviceObject->DeviceExtension);
    IoDeleteDevice(DriverObject->DeviceObject);
}
