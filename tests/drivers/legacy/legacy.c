/*
 * A mock driver in the older style: pending reads, writes and waits are
 * queued under the cancel spin lock, each with a cancel routine; a flush
 * runs in a work item; notification requests wait in a queue under an
 * in-stack queued spin lock. No routine is declared with a role type: the
 * roles come from the registrations, all in this file; the cancel routines
 * and the work item are defined in legacy_cancel.c. Checked with the whole
 * built-in pack.
 *
 * Seeded bugs, each marked with every report the pack gives for it on its
 * line (`expect:`).
 */
#include "legacy.h"

/* Reached with the cancel spin lock still held from LegacyCancelWait
   (a seeded bug in legacy_cancel.c): the report points here, in the
   helper. */
VOID
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
} // expect: CancelSpinLock in LegacyCleanup ; CancelSpinlockRelease in LegacyCleanup ; IrqlReturn in LegacyCleanup

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
