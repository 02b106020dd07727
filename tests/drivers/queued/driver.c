/*
 * A mock driver that queues IRPs under an in-stack queued spin lock,
 * checked with the whole built-in pack.
 *
 * Seeded bugs, each marked with the reports slic must give on its line
 * (`expect:`), or with no position, for calls through pointers
 * (`expect-unknown:`).
 */
#include "driver.h"

#define WITH_QUEUE_LOCK(ext, handle) KeAcquireInStackQueuedSpinLock(&(ext)->QueueLock, (handle))

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
    KeInitializeSpinLock(&extension->QueueLock);
    extension->Pending = NULL;
    extension->Reads = 0;
    DriverObject->MajorFunction[IRP_MJ_READ] = DispatchRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = DispatchWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = DispatchDeviceControl;
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}

/* Correct: the lock is released on every path. */
_Use_decl_annotations_
NTSTATUS
DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION extension = (PDEVICE_EXTENSION)DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE handle;

    KeAcquireInStackQueuedSpinLock(&extension->QueueLock, &handle);
    extension->Reads++;
    if (extension->Pending) {
        KeReleaseInStackQueuedSpinLock(&handle);
        Irp->IoStatus.Status = STATUS_PENDING;
        return STATUS_PENDING;
    }
    extension->Pending = Irp;
    IoSetCancelRoutine(Irp, CancelQueuedIrp);
    KeReleaseInStackQueuedSpinLock(&handle);
    return STATUS_PENDING;
}

/* Bug: an error path returns with the queue lock held. QueuedSpinLock has
   no check at routine exits: the handle of this frame stays in the
   acquired state, and the next acquisition of QueueLock would be reported
   (the lock really is still held), so the test program runs this last. */
_Use_decl_annotations_
NTSTATUS
DispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION extension = (PDEVICE_EXTENSION)DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE handle;

    WITH_QUEUE_LOCK(extension, &handle);
    if (Irp->Context == NULL) {
        Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    KeReleaseInStackQueuedSpinLock(&handle);
    return STATUS_SUCCESS;
} // expect: QueuedSpinLockRelease in DispatchWrite ; IrqlReturn in DispatchWrite

/* Bug: the lock is acquired a second time, through a function pointer:
   QueuedSpinLockRelease sees a second acquisition, QueuedSpinLock the
   handle `outer` still holding the lock that `inner` acquires. */
_Use_decl_annotations_
NTSTATUS
DispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION extension = (PDEVICE_EXTENSION)DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE outer, inner;
    VOID (FASTCALL *acquire)(PKSPIN_LOCK, PKLOCK_QUEUE_HANDLE) = KeAcquireInStackQueuedSpinLock;

    UNREFERENCED_PARAMETER(Irp);
    KeAcquireInStackQueuedSpinLock(&extension->QueueLock, &outer);
    acquire(&extension->QueueLock, &inner); // expect-unknown: QueuedSpinLockRelease in DispatchDeviceControl ; QueuedSpinLock in DispatchDeviceControl
    KeReleaseInStackQueuedSpinLock(&inner);
    KeReleaseInStackQueuedSpinLock(&outer);
    return STATUS_SUCCESS;
}

/* Correct: entered with the cancel spin lock held, which it releases. */
_Use_decl_annotations_
VOID
CancelQueuedIrp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION extension = (PDEVICE_EXTENSION)DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE handle;

    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireInStackQueuedSpinLock(&extension->QueueLock, &handle);
    if (extension->Pending == Irp) {
        extension->Pending = NULL;
    }
    KeReleaseInStackQueuedSpinLock(&handle);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

_Use_decl_annotations_
VOID
Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}
