/*
 * A mock mailbox driver with no bugs: writers post values, readers take
 * them or wait for them in a cancel-safe queue under an in-stack queued
 * spin lock; statistics live under executive spin locks (updated by a
 * DPC), a history under a fast mutex, settings under an executive resource
 * (updated by a work item too). Its test program runs it on four threads
 * at once, with real contention on every lock, and slic must report
 * nothing. Checked with the whole built-in pack.
 */
#include "mailbox.h"

#define MAILBOX_LOCK(Ext, Handle) KeAcquireInStackQueuedSpinLock(&(Ext)->QueueLock, (Handle))
#define MAILBOX_UNLOCK(Handle) KeReleaseInStackQueuedSpinLock((Handle))

#define MAILBOX_COMPLETE(Irp, Result, Count)        \
    do {                                            \
        (Irp)->IoStatus.Status = (Result);          \
        (Irp)->IoStatus.Information = (Count);      \
        IoCompleteRequest((Irp), IO_NO_INCREMENT);  \
    } while (0)

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT deviceObject;
    PMAILBOX_EXTENSION extension;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    status = IoCreateDevice(DriverObject, sizeof(MAILBOX_EXTENSION), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE,
                            &deviceObject);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    extension = deviceObject->DeviceExtension;
    extension->DeviceObject = deviceObject;
    KeInitializeSpinLock(&extension->QueueLock);
    KeInitializeSpinLock(&extension->StatsLock);
    KeInitializeSpinLock(&extension->CounterLock);
    InitializeListHead(&extension->Readers);
    ExInitializeFastMutex(&extension->HistoryMutex);
    ExInitializeResourceLite(&extension->SettingsResource);
    KeInitializeDpc(&extension->StatsDpc, MailboxStatsDpc, extension);
    extension->Settings.Limit = MAILBOX_RING_SIZE;

    DriverObject->MajorFunction[IRP_MJ_CREATE] = MailboxCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = MailboxCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = MailboxRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = MailboxWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = MailboxDeviceControl;
    DriverObject->DriverUnload = MailboxUnload;
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS
MailboxCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    MAILBOX_COMPLETE(Irp, STATUS_SUCCESS, 0);
    return STATUS_SUCCESS;
}

/* Takes a value, or queues the read until a writer brings one. */
_Use_decl_annotations_
NTSTATUS
MailboxRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PMAILBOX_EXTENSION extension = DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE handle;
    ULONG value;

    MAILBOX_LOCK(extension, &handle);
    if (extension->Count > 0) {
        value = extension->Ring[extension->Head];
        extension->Head = (extension->Head + 1) % MAILBOX_RING_SIZE;
        extension->Count--;
        MAILBOX_UNLOCK(&handle);
        Irp->Tail.Overlay.DriverContext[0] = (PVOID)(ULONG_PTR)value;
        MAILBOX_COMPLETE(Irp, STATUS_SUCCESS, sizeof(ULONG));
        return STATUS_SUCCESS;
    }
    IoSetCancelRoutine(Irp, MailboxCancelRead);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        MAILBOX_UNLOCK(&handle);
        MAILBOX_COMPLETE(Irp, STATUS_CANCELLED, 0);
        return STATUS_CANCELLED;
    }
    IoMarkIrpPending(Irp);
    InsertTailList(&extension->Readers, &Irp->Tail.Overlay.ListEntry);
    MAILBOX_UNLOCK(&handle);
    return STATUS_PENDING;
}

/* Entered holding the cancel spin lock: releases it first. */
_Use_decl_annotations_
VOID
MailboxCancelRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PMAILBOX_EXTENSION extension = DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE handle;

    IoReleaseCancelSpinLock(Irp->CancelIrql);
    MAILBOX_LOCK(extension, &handle);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    MAILBOX_UNLOCK(&handle);

    KeAcquireSpinLock(&extension->StatsLock, &handle.OldIrql);
    extension->Stats.Cancelled++;
    KeReleaseSpinLock(&extension->StatsLock, handle.OldIrql);
    MAILBOX_COMPLETE(Irp, STATUS_CANCELLED, 0);
}

/* Gives the value to the first waiting reader, or keeps it. */
_Use_decl_annotations_
NTSTATUS
MailboxWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PMAILBOX_EXTENSION extension = DeviceObject->DeviceExtension;
    ULONG value = (ULONG)(ULONG_PTR)Irp->Tail.Overlay.DriverContext[0];
    KLOCK_QUEUE_HANDLE handle;
    PIRP reader = NULL;
    NTSTATUS status = STATUS_SUCCESS;

    MAILBOX_LOCK(extension, &handle);
    while (!IsListEmpty(&extension->Readers)) {
        PLIST_ENTRY entry = RemoveHeadList(&extension->Readers);
        reader = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        if (IoSetCancelRoutine(reader, NULL) != NULL) {
            break;
        }
        /* Being cancelled: the cancel routine completes it. */
        InitializeListHead(entry);
        reader = NULL;
    }
    if (reader == NULL) {
        if (extension->Count < MAILBOX_RING_SIZE) {
            extension->Ring[(extension->Head + extension->Count) % MAILBOX_RING_SIZE] = value;
            extension->Count++;
        } else {
            status = STATUS_DEVICE_BUSY;
        }
    }
    MAILBOX_UNLOCK(&handle);

    if (reader != NULL) {
        reader->Tail.Overlay.DriverContext[0] = (PVOID)(ULONG_PTR)value;
        MAILBOX_COMPLETE(reader, STATUS_SUCCESS, sizeof(ULONG));
    }
    KeInsertQueueDpc(&extension->StatsDpc, (PVOID)(ULONG_PTR)(reader != NULL), NULL);
    MAILBOX_COMPLETE(Irp, status, 0);
    return status;
}

/* One DPC-level lock at a time; the counter lock only if it is free. */
_Use_decl_annotations_
VOID
MailboxStatsDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PMAILBOX_EXTENSION extension = DeferredContext;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument2);
    KeAcquireSpinLockAtDpcLevel(&extension->StatsLock);
    extension->Stats.Posted++;
    if (SystemArgument1 != NULL) {
        extension->Stats.Delivered++;
    }
    extension->Stats.DpcRuns++;
    KeReleaseSpinLockFromDpcLevel(&extension->StatsLock);
    if (KeTryToAcquireSpinLockAtDpcLevel(&extension->CounterLock)) {
        extension->Counters[0]++;
        KeReleaseSpinLockFromDpcLevel(&extension->CounterLock);
    }
}

/* Rewrites the settings in a work item, exclusively. */
_Use_decl_annotations_
VOID
MailboxCompactWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PMAILBOX_EXTENSION extension = DeviceObject->DeviceExtension;

    ExEnterCriticalRegionAndAcquireResourceExclusive(&extension->SettingsResource);
    extension->Settings.Generation++;
    ExReleaseResourceAndLeaveCriticalRegion(&extension->SettingsResource);
    IoFreeWorkItem((PIO_WORKITEM)Context);
}

_Use_decl_annotations_
NTSTATUS
MailboxDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PMAILBOX_EXTENSION extension = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG_PTR information = 0;
    PIO_WORKITEM item;
    KIRQL irql;
    KIRQL oldIrql;

    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_MAILBOX_GET_STATS:
        /* Two locks nested: the inner one at DISPATCH_LEVEL. */
        KeAcquireSpinLock(&extension->StatsLock, &irql);
        KeAcquireSpinLockAtDpcLevel(&extension->CounterLock);
        *(PMAILBOX_STATS)buffer = extension->Stats;
        ((PMAILBOX_STATS)buffer)->DpcRuns += extension->Counters[0] - extension->Counters[0];
        extension->Counters[1]++;
        KeReleaseSpinLockFromDpcLevel(&extension->CounterLock);
        KeReleaseSpinLock(&extension->StatsLock, irql);
        information = sizeof(MAILBOX_STATS);
        break;

    case IOCTL_MAILBOX_GET_HISTORY:
        ExAcquireFastMutex(&extension->HistoryMutex);
        extension->History[extension->HistoryNext++ % MAILBOX_HISTORY_SIZE] = extension->Stats.Posted;
        information = extension->HistoryNext;
        ExReleaseFastMutex(&extension->HistoryMutex);
        break;

    case IOCTL_MAILBOX_PEEK_HISTORY:
        /* Busy when another thread holds the mutex: a failed try takes
           nothing. */
        if (ExTryToAcquireFastMutex(&extension->HistoryMutex)) {
            information = extension->History[0];
            ExReleaseFastMutex(&extension->HistoryMutex);
        } else {
            status = STATUS_DEVICE_BUSY;
        }
        break;

    case IOCTL_MAILBOX_SET_SETTINGS:
        KeEnterCriticalRegion();
        ExAcquireResourceExclusiveLite(&extension->SettingsResource, TRUE);
        extension->Settings.Limit = ((PMAILBOX_SETTINGS)buffer)->Limit;
        extension->Settings.Generation++;
        KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
        extension->Register = extension->Settings.Limit;
        KeLowerIrql(oldIrql);
        ExReleaseResourceLite(&extension->SettingsResource);
        KeLeaveCriticalRegion();
        break;

    case IOCTL_MAILBOX_GET_SETTINGS:
        KeEnterGuardedRegion();
        ExAcquireResourceSharedLite(&extension->SettingsResource, TRUE);
        *(PMAILBOX_SETTINGS)buffer = extension->Settings;
        ExReleaseResourceLite(&extension->SettingsResource);
        KeLeaveGuardedRegion();
        information = sizeof(MAILBOX_SETTINGS);
        break;

    case IOCTL_MAILBOX_COMPACT:
        item = IoAllocateWorkItem(DeviceObject);
        if (item == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        IoQueueWorkItem(item, MailboxCompactWorker, DelayedWorkQueue, item);
        break;

    case IOCTL_MAILBOX_FLUSH:
        /* The cancel spin lock, contended with the I/O manager's
           cancellations. */
        IoAcquireCancelSpinLock(&irql);
        information = IsListEmpty(&extension->Readers);
        IoReleaseCancelSpinLock(irql);
        break;

    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    MAILBOX_COMPLETE(Irp, status, information);
    return status;
}

_Use_decl_annotations_
VOID
MailboxUnload(PDRIVER_OBJECT DriverObject)
{
    PMAILBOX_EXTENSION extension = DriverObject->DeviceObject->DeviceExtension;

    ExDeleteResourceLite(&extension->SettingsResource);
    IoDeleteDevice(DriverObject->DeviceObject);
}
