/*
 * A mock ring buffer driver with no bugs, written to use every API of the
 * pack in its correct form, including the ones a checker could mistake
 * for bugs: two different queued spin locks nested (the inner one at
 * DISPATCH_LEVEL), a failed try, a resource acquired shared by its
 * exclusive owner, nested critical regions, nested IRQL raises, the
 * cancel spin lock released by the cancel routine it was handed to,
 * DPC-level queued locks in a DPC, lock calls through a table of function
 * pointers, a local function pointer and macros. Checked with the whole
 * built-in pack: slic must report nothing.
 */
#include "ringbuf.h"

static const RING_LOCK_OPS RingLockOps = {
    KeAcquireInStackQueuedSpinLock,
    KeReleaseInStackQueuedSpinLock,
};

#define RING_LOCK_DATA(Ext, Handle) RingLockOps.Acquire(&(Ext)->DataLock, (Handle))
#define RING_UNLOCK(Handle) RingLockOps.Release((Handle))

/* Counts under the statistics lock, for callers holding DataLock. */
#define RING_COUNT(Ext, Field)                                              \
    do {                                                                    \
        KLOCK_QUEUE_HANDLE statsHandle_;                                    \
        KeAcquireInStackQueuedSpinLockAtDpcLevel(&(Ext)->StatsLock,         \
                                                 &statsHandle_);            \
        (Ext)->Field++;                                                     \
        KeReleaseInStackQueuedSpinLockFromDpcLevel(&statsHandle_);          \
    } while (0)

#define RING_COMPLETE(Irp, Result, Count)           \
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
    PRING_EXTENSION extension;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    status = IoCreateDevice(DriverObject, sizeof(RING_EXTENSION), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE,
                            &deviceObject);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    extension = deviceObject->DeviceExtension;
    extension->DeviceObject = deviceObject;
    KeInitializeSpinLock(&extension->DataLock);
    KeInitializeSpinLock(&extension->StatsLock);
    KeInitializeSpinLock(&extension->WaitLock);
    KeInitializeSpinLock(&extension->TuneLock);
    InitializeListHead(&extension->Waiters);
    ExInitializeResourceLite(&extension->LayoutResource);
    ExInitializeFastMutex(&extension->TrimMutex);
    KeInitializeGuardedMutex(&extension->KickMutex);
    KeInitializeDpc(&extension->KickDpc, RingKickDpc, extension);
    extension->Capacity = RING_SIZE;

    DriverObject->MajorFunction[IRP_MJ_CREATE] = RingCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = RingCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = RingRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = RingWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = RingDeviceControl;
    DriverObject->DriverStartIo = RingStartIo;
    DriverObject->DriverUnload = RingUnload;
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS
RingCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    RING_COMPLETE(Irp, STATUS_SUCCESS, 0);
    return STATUS_SUCCESS;
}

/* Takes a value; with none, waits under the cancel spin lock. */
_Use_decl_annotations_
NTSTATUS
RingRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PRING_EXTENSION extension = DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE handle;
    ULONG value = 0;
    BOOLEAN found = FALSE;
    KIRQL irql;

    RING_LOCK_DATA(extension, &handle);
    if (extension->Count > 0) {
        value = extension->Data[extension->Head];
        extension->Head = (extension->Head + 1) % RING_SIZE;
        extension->Count--;
        found = TRUE;
        RING_COUNT(extension, Reads);
    }
    RING_UNLOCK(&handle);
    if (found) {
        Irp->Tail.Overlay.DriverContext[0] = (PVOID)(ULONG_PTR)value;
        RING_COMPLETE(Irp, STATUS_SUCCESS, sizeof(ULONG));
        return STATUS_SUCCESS;
    }

    IoAcquireCancelSpinLock(&irql);
    if (Irp->Cancel) {
        IoReleaseCancelSpinLock(irql);
        RING_COMPLETE(Irp, STATUS_CANCELLED, 0);
        return STATUS_CANCELLED;
    }
    IoMarkIrpPending(Irp);
    IoSetCancelRoutine(Irp, RingCancelWaiter);
    InsertTailList(&extension->Waiters, &Irp->Tail.Overlay.ListEntry);
    IoReleaseCancelSpinLock(irql);
    return STATUS_PENDING;
}

_Use_decl_annotations_
VOID
RingCancelWaiter(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    RING_COMPLETE(Irp, STATUS_CANCELLED, 0);
}

/* Hands the value to a waiter, or stores it (two queued locks nested). */
_Use_decl_annotations_
NTSTATUS
RingWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PRING_EXTENSION extension = DeviceObject->DeviceExtension;
    ULONG value = (ULONG)(ULONG_PTR)Irp->Tail.Overlay.DriverContext[0];
    KLOCK_QUEUE_HANDLE handle;
    PIRP waiter = NULL;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL irql;

    IoAcquireCancelSpinLock(&irql);
    if (!IsListEmpty(&extension->Waiters)) {
        waiter = CONTAINING_RECORD(RemoveHeadList(&extension->Waiters), IRP, Tail.Overlay.ListEntry);
        IoSetCancelRoutine(waiter, NULL);
    }
    IoReleaseCancelSpinLock(irql);
    if (waiter != NULL) {
        waiter->Tail.Overlay.DriverContext[0] = (PVOID)(ULONG_PTR)value;
        RING_COMPLETE(waiter, STATUS_SUCCESS, sizeof(ULONG));
    } else {
        KeAcquireInStackQueuedSpinLock(&extension->DataLock, &handle);
        if (extension->Count < extension->Capacity) {
            extension->Data[(extension->Head + extension->Count) % RING_SIZE] = value;
            extension->Count++;
            RING_COUNT(extension, Writes);
        } else {
            status = STATUS_DEVICE_BUSY;
        }
        KeReleaseInStackQueuedSpinLock(&handle);
    }
    RING_COMPLETE(Irp, status, 0);
    return status;
}

/* Runs at DISPATCH_LEVEL: the DPC-level calls, a try, and the next
   packet started after the lock is released. */
_Use_decl_annotations_
VOID
RingStartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PRING_EXTENSION extension = DeviceObject->DeviceExtension;

    if (KeTryToAcquireSpinLockAtDpcLevel(&extension->WaitLock)) {
        extension->Kicks++;
        KeReleaseSpinLockFromDpcLevel(&extension->WaitLock);
    } else {
        KeAcquireSpinLockAtDpcLevel(&extension->WaitLock);
        extension->Kicks++;
        KeReleaseSpinLockFromDpcLevel(&extension->WaitLock);
    }
    KeInsertQueueDpc(&extension->KickDpc, Irp, NULL);
}

_Use_decl_annotations_
VOID
RingKickDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PRING_EXTENSION extension = DeferredContext;
    PIRP irp = SystemArgument1;
    KLOCK_QUEUE_HANDLE handle;
    ULONG count;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument2);
    KeAcquireInStackQueuedSpinLockForDpc(&extension->DataLock, &handle);
    count = extension->Count;
    KeReleaseInStackQueuedSpinLockForDpc(&handle);
    IoStartNextPacket(extension->DeviceObject, FALSE);
    RING_COMPLETE(irp, STATUS_SUCCESS, count);
}

/* Describes the layout in a work item: shared, and shared again by the
   exclusive owner, released for the thread. */
_Use_decl_annotations_
VOID
RingDescribeWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PRING_EXTENSION extension = DeviceObject->DeviceExtension;
    ERESOURCE_THREAD self = ExGetCurrentResourceThread();

    KeEnterCriticalRegion();
    ExAcquireSharedStarveExclusive(&extension->LayoutResource, TRUE);
    extension->Description = extension->Capacity;
    ExReleaseResourceForThreadLite(&extension->LayoutResource, self);

    ExAcquireResourceExclusiveLite(&extension->LayoutResource, TRUE);
    ExAcquireResourceSharedLite(&extension->LayoutResource, TRUE);
    extension->Description |= 0x10000;
    ExReleaseResourceLite(&extension->LayoutResource);
    ExReleaseResourceLite(&extension->LayoutResource);
    KeLeaveCriticalRegion();
    IoFreeWorkItem((PIO_WORKITEM)Context);
}

_Use_decl_annotations_
NTSTATUS
RingDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PRING_EXTENSION extension = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    VOID (FASTCALL *releaseMutex)(PFAST_MUTEX) = ExReleaseFastMutex;
    KLOCK_QUEUE_HANDLE handle, statsHandle;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG_PTR information = 0;
    PIO_WORKITEM item;
    KIRQL irql, oldIrql, dpcIrql;

    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_RING_STATS:
        /* Each acquisition has its own lock queue handle. */
        RING_LOCK_DATA(extension, &handle);
        KeAcquireInStackQueuedSpinLockAtDpcLevel(&extension->StatsLock, &statsHandle);
        information = extension->Reads + extension->Writes;
        KeReleaseInStackQueuedSpinLockFromDpcLevel(&statsHandle);
        RING_UNLOCK(&handle);
        break;

    case IOCTL_RING_RESIZE:
        /* Nested critical regions: ExEnterCriticalRegionAndAcquire...
           inside KeEnterCriticalRegion. */
        KeEnterCriticalRegion();
        ExEnterCriticalRegionAndAcquireResourceExclusive(&extension->LayoutResource);
        extension->Capacity = RING_SIZE / 2;
        ExReleaseResourceAndLeaveCriticalRegion(&extension->LayoutResource);
        KeLeaveCriticalRegion();
        break;

    case IOCTL_RING_DESCRIBE:
        item = IoAllocateWorkItem(DeviceObject);
        if (item == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        IoQueueWorkItem(item, RingDescribeWorker, DelayedWorkQueue, item);
        break;

    case IOCTL_RING_TRIM:
        /* A failed try takes nothing; a successful one is released
           through a pointer chosen once. */
        if (ExTryToAcquireFastMutex(&extension->TrimMutex)) {
            extension->Count = 0;
            releaseMutex(&extension->TrimMutex);
        } else {
            status = STATUS_DEVICE_BUSY;
        }
        break;

    case IOCTL_RING_KICK:
        KeEnterGuardedRegion();
        KeAcquireGuardedMutex(&extension->KickMutex);
        extension->Kicks++;
        KeReleaseGuardedMutex(&extension->KickMutex);
        KeLeaveGuardedRegion();
        IoMarkIrpPending(Irp);
        IoStartPacket(DeviceObject, Irp, NULL, NULL);
        return STATUS_PENDING;

    case IOCTL_RING_TUNE:
        /* Raises nest, each lowered by its own KeLowerIrql; the spin lock
           is taken at DISPATCH_LEVEL already (raising to the same level is
           not lowering). */
        KeRaiseIrql(APC_LEVEL, &oldIrql);
        dpcIrql = KeRaiseIrqlToDpcLevel();
        KeAcquireSpinLock(&extension->TuneLock, &irql);
        extension->Tuning++;
        KeReleaseSpinLock(&extension->TuneLock, irql);
        KeRaiseIrql(DISPATCH_LEVEL, &irql);
        KeLowerIrql(irql);
        KeLowerIrql(dpcIrql);
        KeLowerIrql(oldIrql);
        break;

    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    RING_COMPLETE(Irp, status, information);
    return status;
}

_Use_decl_annotations_
VOID
RingUnload(PDRIVER_OBJECT DriverObject)
{
    PRING_EXTENSION extension = DriverObject->DeviceObject->DeviceExtension;

    ExDeleteResourceLite(&extension->LayoutResource);
    IoDeleteDevice(DriverObject->DeviceObject);
}
