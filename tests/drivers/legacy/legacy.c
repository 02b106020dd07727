/*
 * A mock driver in the older style: pending reads, writes and waits are
 * queued under the cancel spin lock, each with a cancel routine; a flush
 * runs in a work item; notification requests wait in a queue under an
 * in-stack queued spin lock. No routine is declared with a role type: the
 * roles come from the registrations. Checked with the whole built-in pack.
 *
 * Seeded bugs, each marked with every report the pack gives for it on its
 * line (`expect:`).
 */
#include "legacy.h"

/* Reached with the cancel spin lock still held from LegacyCancelWait
   (a seeded bug below): the report points here, in the helper. */
static VOID
LegacyCompleteRequest(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT); // expect: SpinLockSafe in LegacyCompleteRequest
}

NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT deviceObject;
    PLEGACY_EXTENSION extension;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    status = IoCreateDevice(DriverObject, sizeof(LEGACY_EXTENSION), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE,
                            &deviceObject);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    extension = deviceObject->DeviceExtension;
    extension->DeviceObject = deviceObject;
    InitializeListHead(&extension->ReadQueue);
    InitializeListHead(&extension->WriteQueue);
    InitializeListHead(&extension->WaitQueue);
    InitializeListHead(&extension->NotifyQueue);
    KeInitializeSpinLock(&extension->NotifyLock);

    DriverObject->MajorFunction[IRP_MJ_CREATE] = LegacyCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = LegacyCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = LegacyRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = LegacyWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = LegacyDeviceControl;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = LegacyCleanup;
    DriverObject->DriverUnload = LegacyUnload;
    return STATUS_SUCCESS;
}

NTSTATUS
LegacyCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLEGACY_EXTENSION extension = DeviceObject->DeviceExtension;

    extension->Started = TRUE;
    LegacyCompleteRequest(Irp, STATUS_SUCCESS, 0);
    return STATUS_SUCCESS;
}

/* Correct: the classic queueing under the cancel spin lock. */
NTSTATUS
LegacyRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLEGACY_EXTENSION extension = DeviceObject->DeviceExtension;
    KIRQL irql;

    IoAcquireCancelSpinLock(&irql);
    if (Irp->Cancel) {
        IoReleaseCancelSpinLock(irql);
        LegacyCompleteRequest(Irp, STATUS_CANCELLED, 0);
        return STATUS_CANCELLED;
    }
    IoMarkIrpPending(Irp);
    IoSetCancelRoutine(Irp, LegacyCancelRead);
    InsertTailList(&extension->ReadQueue, &Irp->Tail.Overlay.ListEntry);
    IoReleaseCancelSpinLock(irql);
    return STATUS_PENDING;
}

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

/* Correct: a write satisfies the first pending read, or waits for one. */
NTSTATUS
LegacyWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLEGACY_EXTENSION extension = DeviceObject->DeviceExtension;
    PLIST_ENTRY entry;
    PIRP read;
    KIRQL irql;

    IoAcquireCancelSpinLock(&irql);
    if (IsListEmpty(&extension->ReadQueue)) {
        IoMarkIrpPending(Irp);
        IoSetCancelRoutine(Irp, LegacyCancelWrite);
        InsertTailList(&extension->WriteQueue, &Irp->Tail.Overlay.ListEntry);
        IoReleaseCancelSpinLock(irql);
        return STATUS_PENDING;
    }
    entry = RemoveHeadList(&extension->ReadQueue);
    read = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
    IoSetCancelRoutine(read, NULL);
    extension->Data++;
    IoReleaseCancelSpinLock(irql);

    LegacyCompleteRequest(read, STATUS_SUCCESS, sizeof(ULONG));
    LegacyCompleteRequest(Irp, STATUS_SUCCESS, sizeof(ULONG));
    return STATUS_SUCCESS;
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

/* Bug: an empty queue returns with the cancel spin lock held, and
   completes the cleanup request under it. */
NTSTATUS
LegacyCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLEGACY_EXTENSION extension = DeviceObject->DeviceExtension;
    LIST_ENTRY cancelled;
    KIRQL irql;

    InitializeListHead(&cancelled);
    IoAcquireCancelSpinLock(&irql);
    while (!IsListEmpty(&extension->ReadQueue)) {
        PLIST_ENTRY entry = RemoveHeadList(&extension->ReadQueue);
        PIRP irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        if (IoSetCancelRoutine(irp, NULL) == NULL) {
            InitializeListHead(entry);
            continue;
        }
        InsertTailList(&cancelled, entry);
    }
    if (IsListEmpty(&cancelled)) {
        Irp->IoStatus.Status = STATUS_SUCCESS;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT); // expect: SpinLockSafe in LegacyCleanup
        return STATUS_SUCCESS;
    }
    IoReleaseCancelSpinLock(irql);
    while (!IsListEmpty(&cancelled)) {
        PLIST_ENTRY entry = RemoveHeadList(&cancelled);
        LegacyCompleteRequest(CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry), STATUS_CANCELLED, 0);
    }
    LegacyCompleteRequest(Irp, STATUS_SUCCESS, 0);
    return STATUS_SUCCESS;
} // expect: CancelSpinLock in LegacyCleanup ; CancelSpinlockRelease in LegacyCleanup

NTSTATUS
LegacyDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLEGACY_EXTENSION extension = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    KLOCK_QUEUE_HANDLE handle;
    PIO_WORKITEM item;
    PLIST_ENTRY entry;
    PIRP waiting;
    KIRQL irql = PASSIVE_LEVEL;
    NTSTATUS status = STATUS_SUCCESS;

    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_LEGACY_WAIT:
        IoAcquireCancelSpinLock(&irql);
        IoMarkIrpPending(Irp);
        IoSetCancelRoutine(Irp, LegacyCancelWait);
        InsertTailList(&extension->WaitQueue, &Irp->Tail.Overlay.ListEntry);
        IoReleaseCancelSpinLock(irql);
        return STATUS_PENDING;

    case IOCTL_LEGACY_RESET:
        /* Bug: the not-started path releases before the acquisition. */
        if (!extension->Started) {
            status = STATUS_DEVICE_NOT_READY;
            goto release;
        }
        IoAcquireCancelSpinLock(&irql);
        extension->Data = 0;
    release:
        IoReleaseCancelSpinLock(irql); // expect: CancelSpinLock in LegacyDeviceControl ; CancelSpinlockRelease in LegacyDeviceControl ; SpinLockSafe in LegacyDeviceControl
        break;

    case IOCTL_LEGACY_FLUSH:
        item = IoAllocateWorkItem(DeviceObject);
        if (item == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        IoQueueWorkItem(item, LegacyFlushWorker, DelayedWorkQueue, item);
        break;

    case IOCTL_LEGACY_CANCEL_ALL:
        /* Bug: IoCancelIrp acquires the cancel spin lock, which the driver
           holds here: a deadlock. The cancel routine is entered while the
           driver holds the lock (reported at its entry) and completes its
           IRP under it. */
        IoAcquireCancelSpinLock(&irql);
        while (!IsListEmpty(&extension->ReadQueue)) {
            IoCancelIrp(CONTAINING_RECORD(extension->ReadQueue.Flink, IRP, Tail.Overlay.ListEntry));
        }
        IoReleaseCancelSpinLock(irql);
        break;

    case IOCTL_LEGACY_WAIT_NOTIFY:
        KeAcquireInStackQueuedSpinLock(&extension->NotifyLock, &handle);
        IoMarkIrpPending(Irp);
        IoSetCancelRoutine(Irp, LegacyCancelNotify);
        InsertTailList(&extension->NotifyQueue, &Irp->Tail.Overlay.ListEntry);
        KeReleaseInStackQueuedSpinLock(&handle);
        return STATUS_PENDING;

    case IOCTL_LEGACY_SIGNAL:
        waiting = NULL;
        KeAcquireInStackQueuedSpinLock(&extension->NotifyLock, &handle);
        if (!IsListEmpty(&extension->NotifyQueue)) {
            entry = RemoveHeadList(&extension->NotifyQueue);
            waiting = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
            if (IoSetCancelRoutine(waiting, NULL) == NULL) {
                /* Being cancelled: its cancel routine completes it. */
                InitializeListHead(entry);
                waiting = NULL;
            }
        }
        KeReleaseInStackQueuedSpinLock(&handle);
        if (waiting != NULL) {
            LegacyCompleteRequest(waiting, STATUS_SUCCESS, 0);
        }
        break;

    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    LegacyCompleteRequest(Irp, status, 0);
    return status;
}

VOID
LegacyUnload(PDRIVER_OBJECT DriverObject)
{
    IoDeleteDevice(DriverObject->DeviceObject);
}
