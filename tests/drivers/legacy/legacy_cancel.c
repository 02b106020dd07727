/*
 * The legacy driver's cancel routines and work item. Nothing here says
 * what their roles are: they are registered in legacy.c, so this file is
 * woven with the roles `slic roles` finds in both files.
 *
 * Seeded bugs, each marked with every report the pack gives for it on its
 * line (`expect:`).
 */
#include "legacy.h"

/* Correct: entered holding the cancel spin lock, released before the
   IRP is completed. (When the driver calls IoCancelIrp while it holds the
   cancel spin lock, see IOCTL_LEGACY_CANCEL_ALL, this routine starts
   under the driver's lock, and its completion happens under it.) */
VOID
LegacyCancelRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{ // expect: CancelSpinLock in LegacyCancelRead
    UNREFERENCED_PARAMETER(DeviceObject);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT); // expect: SpinLockSafe in LegacyCancelRead
}

/* Bug: never releases the cancel spin lock it was called with, and
   completes the IRP under it. */
VOID
LegacyCancelWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT); // expect: SpinLockSafe in LegacyCancelWrite
} // expect: CancelSpinLock in LegacyCancelWrite ; CancelSpinlockRelease in LegacyCancelWrite

/* Bug: acquires the cancel spin lock as if it had not been called with
   it, releases once, and so completes the IRP (in LegacyCompleteRequest)
   still holding the one it was given. */
VOID
LegacyCancelWait(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;

    UNREFERENCED_PARAMETER(DeviceObject);
    IoAcquireCancelSpinLock(&irql); // expect: CancelSpinLock in LegacyCancelWait ; CancelSpinlockRelease in LegacyCancelWait
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    IoReleaseCancelSpinLock(irql);
    LegacyCompleteRequest(Irp, STATUS_CANCELLED, 0);
}

/* Bug: when the signalling path has already taken the IRP off the queue
   (it lost the race for the cancel routine), the routine returns with the
   notify lock held (and leaves the IRP uncompleted). */
VOID
LegacyCancelNotify(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLEGACY_EXTENSION extension = DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE handle;
    PLIST_ENTRY entry;
    BOOLEAN found = FALSE;

    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireInStackQueuedSpinLock(&extension->NotifyLock, &handle);
    for (entry = extension->NotifyQueue.Flink; entry != &extension->NotifyQueue; entry = entry->Flink) {
        if (entry == &Irp->Tail.Overlay.ListEntry) {
            found = TRUE;
            break;
        }
    }
    if (!found) {
        return;
    }
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseInStackQueuedSpinLock(&handle);
    LegacyCompleteRequest(Irp, STATUS_CANCELLED, 0);
} // expect: QueuedSpinLockRelease in LegacyCancelNotify

/* Completes the pending reads; the queue is empty on the bug's path. */
VOID
LegacyFlushWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PLEGACY_EXTENSION extension = DeviceObject->DeviceExtension;
    PIO_WORKITEM item = Context;
    LIST_ENTRY flushed;
    KIRQL irql;

    IoFreeWorkItem(item);
    InitializeListHead(&flushed);
    IoAcquireCancelSpinLock(&irql);
    if (IsListEmpty(&extension->ReadQueue)) {
        /* Bug: the early path keeps the cancel spin lock. */
        return;
    }
    while (!IsListEmpty(&extension->ReadQueue)) {
        PLIST_ENTRY entry = RemoveHeadList(&extension->ReadQueue);
        PIRP irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        if (IoSetCancelRoutine(irp, NULL) == NULL) {
            /* Its cancel routine is about to run and will remove it. */
            InitializeListHead(entry);
            continue;
        }
        InsertTailList(&flushed, entry);
    }
    IoReleaseCancelSpinLock(irql);
    while (!IsListEmpty(&flushed)) {
        PLIST_ENTRY entry = RemoveHeadList(&flushed);
        LegacyCompleteRequest(CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry), STATUS_CANCELLED, 0);
    }
} // expect: CancelSpinlockRelease in LegacyFlushWorker
