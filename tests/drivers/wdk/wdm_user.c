/*
 * User-mode implementations of the lock DDIs declared in wdm.h, so the
 * mock drivers run as ordinary programs. Spin locks really spin (the
 * concurrency tests run drivers on several threads); IRQL is tracked per
 * thread. This file is never woven: it plays the kernel.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "wdm.h"
#include "io_manager.h"

static _Thread_local KIRQL current_irql = PASSIVE_LEVEL;
static KSPIN_LOCK cancel_lock;

/* A lock word holds its owner; 0 is free. A thread that acquires a lock it
   already holds would hang a real kernel; here it goes on, so that a test
   program with a seeded bug still finishes and its reports can be read. */
static _Thread_local char thread_identity;

static void spin_acquire(PKSPIN_LOCK lock)
{
    ULONG_PTR self = (ULONG_PTR)&thread_identity;
    ULONG_PTR expected = 0;
    if (__atomic_load_n(lock, __ATOMIC_ACQUIRE) == self) return;
    while (!__atomic_compare_exchange_n(lock, &expected, self, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        expected = 0;
    }
}

static void spin_release(PKSPIN_LOCK lock)
{
    __atomic_store_n(lock, (ULONG_PTR)0, __ATOMIC_RELEASE);
}

static BOOLEAN spin_try(PKSPIN_LOCK lock)
{
    ULONG_PTR expected = 0;
    return __atomic_compare_exchange_n(lock, &expected, (ULONG_PTR)&thread_identity, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock) { *SpinLock = 0; }

VOID FASTCALL KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    LockHandle->Lock = SpinLock;
    LockHandle->OldIrql = current_irql;
    spin_acquire(SpinLock);
    current_irql = DISPATCH_LEVEL;
}

VOID FASTCALL KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle)
{
    if (LockHandle->Lock) spin_release(LockHandle->Lock);
    current_irql = LockHandle->OldIrql;
}

VOID FASTCALL KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    LockHandle->Lock = SpinLock;
    LockHandle->OldIrql = current_irql;
    spin_acquire(SpinLock);
}

VOID FASTCALL KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle)
{
    if (LockHandle->Lock) spin_release(LockHandle->Lock);
}

VOID KeAcquireInStackQueuedSpinLockForDpc(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    KeAcquireInStackQueuedSpinLock(SpinLock, LockHandle);
}

VOID KeReleaseInStackQueuedSpinLockForDpc(PKLOCK_QUEUE_HANDLE LockHandle)
{
    KeReleaseInStackQueuedSpinLock(LockHandle);
}

KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock)
{
    KIRQL old = current_irql;
    spin_acquire(SpinLock);
    current_irql = DISPATCH_LEVEL;
    return old;
}

VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    spin_release(SpinLock);
    current_irql = NewIrql;
}

VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) { spin_acquire(SpinLock); }
VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock) { spin_release(SpinLock); }
BOOLEAN FASTCALL KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) { return spin_try(SpinLock); }

VOID IoAcquireCancelSpinLock(PKIRQL Irql)
{
    *Irql = current_irql;
    spin_acquire(&cancel_lock);
    current_irql = DISPATCH_LEVEL;
}

VOID IoReleaseCancelSpinLock(KIRQL Irql)
{
    spin_release(&cancel_lock);
    current_irql = Irql;
}

/* A fast mutex its owner acquires again would wait forever; here the
   second acquisition goes through, as for spin locks above. */
VOID FASTCALL ExAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    if (__atomic_load_n(&FastMutex->Owner, __ATOMIC_ACQUIRE) == (PVOID)&thread_identity) return;
    while (__atomic_exchange_n(&FastMutex->Count, 1, __ATOMIC_ACQUIRE)) { }
    __atomic_store_n(&FastMutex->Owner, (PVOID)&thread_identity, __ATOMIC_RELAXED);
}

VOID FASTCALL ExReleaseFastMutex(PFAST_MUTEX FastMutex)
{
    __atomic_store_n(&FastMutex->Owner, (PVOID)0, __ATOMIC_RELAXED);
    __atomic_store_n(&FastMutex->Count, 0, __ATOMIC_RELEASE);
}

BOOLEAN FASTCALL ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    if (__atomic_exchange_n(&FastMutex->Count, 1, __ATOMIC_ACQUIRE)) return FALSE;
    __atomic_store_n(&FastMutex->Owner, (PVOID)&thread_identity, __ATOMIC_RELAXED);
    return TRUE;
}

VOID FASTCALL KeInitializeGuardedMutex(PKGUARDED_MUTEX Mutex) { Mutex->Count = 0; }
VOID FASTCALL KeAcquireGuardedMutex(PKGUARDED_MUTEX Mutex) { while (__atomic_exchange_n(&Mutex->Count, 1, __ATOMIC_ACQUIRE)) { } }
VOID FASTCALL KeReleaseGuardedMutex(PKGUARDED_MUTEX Mutex) { __atomic_store_n(&Mutex->Count, 0, __ATOMIC_RELEASE); }

static _Thread_local int critical_regions;
static _Thread_local int guarded_regions;
VOID KeEnterCriticalRegion(VOID) { critical_regions++; }
VOID KeLeaveCriticalRegion(VOID) { critical_regions--; }
VOID KeEnterGuardedRegion(VOID) { guarded_regions++; }
VOID KeLeaveGuardedRegion(VOID) { guarded_regions--; }

/* An executive resource: Shared counts the shared owners, Exclusive is
   the exclusive owner (0 for none), which may acquire it again,
   exclusively or shared (OwnerCount counts those). */
NTSTATUS ExInitializeResourceLite(PERESOURCE Resource)
{
    Resource->Shared = 0;
    Resource->Exclusive = 0;
    Resource->OwnerCount = 0;
    return STATUS_SUCCESS;
}

NTSTATUS ExDeleteResourceLite(PERESOURCE Resource)
{
    (void)Resource;
    return STATUS_SUCCESS;
}

static ULONG_PTR self(void) { return (ULONG_PTR)&thread_identity; }

BOOLEAN ExAcquireResourceExclusiveLite(PERESOURCE Resource, BOOLEAN Wait)
{
    ULONG_PTR none = 0;
    if (__atomic_load_n(&Resource->Exclusive, __ATOMIC_ACQUIRE) == self()) {
        Resource->OwnerCount++;
        return TRUE;
    }
    for (;;) {
        if (__atomic_load_n(&Resource->Shared, __ATOMIC_ACQUIRE) == 0
            && __atomic_compare_exchange_n(&Resource->Exclusive, &none, self(), 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            if (__atomic_load_n(&Resource->Shared, __ATOMIC_ACQUIRE) == 0) {
                Resource->OwnerCount = 1;
                return TRUE;
            }
            __atomic_store_n(&Resource->Exclusive, (ULONG_PTR)0, __ATOMIC_RELEASE);
        }
        none = 0;
        if (!Wait) return FALSE;
    }
}

BOOLEAN ExAcquireResourceSharedLite(PERESOURCE Resource, BOOLEAN Wait)
{
    if (__atomic_load_n(&Resource->Exclusive, __ATOMIC_ACQUIRE) == self()) {
        Resource->OwnerCount++;
        return TRUE;
    }
    for (;;) {
        __atomic_add_fetch(&Resource->Shared, 1, __ATOMIC_ACQUIRE);
        if (__atomic_load_n(&Resource->Exclusive, __ATOMIC_ACQUIRE) == 0) return TRUE;
        __atomic_sub_fetch(&Resource->Shared, 1, __ATOMIC_RELEASE);
        if (!Wait) return FALSE;
    }
}

BOOLEAN ExAcquireSharedStarveExclusive(PERESOURCE Resource, BOOLEAN Wait)
{
    return ExAcquireResourceSharedLite(Resource, Wait);
}

BOOLEAN ExAcquireSharedWaitForExclusive(PERESOURCE Resource, BOOLEAN Wait)
{
    return ExAcquireResourceSharedLite(Resource, Wait);
}

/* Gives back exclusive access if `owner` has it, or one shared access. */
static VOID release_for(PERESOURCE Resource, ULONG_PTR owner)
{
    if (__atomic_load_n(&Resource->Exclusive, __ATOMIC_ACQUIRE) == owner) {
        if (--Resource->OwnerCount <= 0) {
            Resource->OwnerCount = 0;
            __atomic_store_n(&Resource->Exclusive, (ULONG_PTR)0, __ATOMIC_RELEASE);
        }
    } else if (__atomic_load_n(&Resource->Shared, __ATOMIC_ACQUIRE) > 0) {
        __atomic_sub_fetch(&Resource->Shared, 1, __ATOMIC_RELEASE);
    }
}

VOID FASTCALL ExReleaseResourceLite(PERESOURCE Resource)
{
    release_for(Resource, self());
}

/* For the thread that owns the resource, from any thread (its id is what
   ExGetCurrentResourceThread gave the owner: KeGetCurrentThread). */
VOID ExReleaseResourceForThreadLite(PERESOURCE Resource, ERESOURCE_THREAD ResourceThreadId)
{
    release_for(Resource, (ULONG_PTR)ResourceThreadId);
}

PVOID ExEnterCriticalRegionAndAcquireResourceExclusive(PERESOURCE Resource)
{
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(Resource, TRUE);
    return Resource;
}

VOID FASTCALL ExReleaseResourceAndLeaveCriticalRegion(PERESOURCE Resource)
{
    ExReleaseResourceLite(Resource);
    KeLeaveCriticalRegion();
}

KIRQL KfRaiseIrql(KIRQL NewIrql)
{
    KIRQL old = current_irql;
    current_irql = NewIrql;
    return old;
}

VOID KeLowerIrql(KIRQL NewIrql) { current_irql = NewIrql; }

KIRQL KeRaiseIrqlToDpcLevel(VOID)
{
    KIRQL old = current_irql;
    current_irql = DISPATCH_LEVEL;
    return old;
}

KIRQL KeGetCurrentIrql(VOID) { return current_irql; }

/* ---- Events, handles and objects: just enough state for the tests. A
   handle is the address of the object it stands for; 0 is invalid. ---- */

VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
    (void)Type;
    Event->State = State;
}

LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    (void)Increment;
    (void)Wait;
    return __atomic_exchange_n(&Event->State, 1, __ATOMIC_ACQ_REL);
}

VOID KeClearEvent(PRKEVENT Event) { __atomic_store_n(&Event->State, 0, __ATOMIC_RELEASE); }

NTSTATUS ZwClose(HANDLE Handle) { return Handle ? STATUS_SUCCESS : STATUS_INVALID_HANDLE; }

NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                   KPROCESSOR_MODE AccessMode, PVOID *Object,
                                   POBJECT_HANDLE_INFORMATION HandleInformation)
{
    (void)DesiredAccess;
    (void)ObjectType;
    (void)AccessMode;
    (void)HandleInformation;
    if (!Handle) return STATUS_INVALID_HANDLE;
    *Object = Handle;
    return STATUS_SUCCESS;
}

NTSTATUS IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName)
{
    (void)SymbolicLinkName;
    (void)DeviceName;
    return STATUS_SUCCESS;
}

NTSTATUS IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName)
{
    (void)SymbolicLinkName;
    return STATUS_SUCCESS;
}

PKTHREAD KeGetCurrentThread(VOID) { return (PKTHREAD)(void *)&thread_identity; }

/* ---- DPCs: queued here, run by the I/O manager (io_run_dpcs). ---- */

static KSPIN_LOCK dpc_lock;
static LIST_ENTRY dpc_queue = { &dpc_queue, &dpc_queue };

VOID KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
    Dpc->Inserted = 0;
}

BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    BOOLEAN inserted = FALSE;
    spin_acquire(&dpc_lock);
    if (!Dpc->Inserted) {
        Dpc->Inserted = 1;
        Dpc->SystemArgument1 = SystemArgument1;
        Dpc->SystemArgument2 = SystemArgument2;
        InsertTailList(&dpc_queue, &Dpc->DpcListEntry);
        inserted = TRUE;
    }
    spin_release(&dpc_lock);
    return inserted;
}

BOOLEAN KeRemoveQueueDpc(PRKDPC Dpc)
{
    BOOLEAN removed = FALSE;
    spin_acquire(&dpc_lock);
    if (Dpc->Inserted) {
        RemoveEntryList(&Dpc->DpcListEntry);
        Dpc->Inserted = 0;
        removed = TRUE;
    }
    spin_release(&dpc_lock);
    return removed;
}

PKDPC wdm_user_next_dpc(void)
{
    PKDPC dpc = NULL;
    spin_acquire(&dpc_lock);
    if (!IsListEmpty(&dpc_queue)) {
        dpc = CONTAINING_RECORD(RemoveHeadList(&dpc_queue), KDPC, DpcListEntry);
        dpc->Inserted = 0;
    }
    spin_release(&dpc_lock);
    return dpc;
}

VOID wdm_user_set_irql(KIRQL irql) { current_irql = irql; }

/* ---- Work items: queued here, run by the I/O manager (io_run_work_items). ---- */

struct _IO_WORKITEM {
    LIST_ENTRY Entry;
    PDEVICE_OBJECT DeviceObject;
    PIO_WORKITEM_ROUTINE Routine;
    PVOID Context;
};

static KSPIN_LOCK work_lock;
static LIST_ENTRY work_queue = { &work_queue, &work_queue };

PIO_WORKITEM IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject)
{
    PIO_WORKITEM item = calloc(1, sizeof *item);
    if (item) item->DeviceObject = DeviceObject;
    return item;
}

VOID IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine, WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    (void)QueueType;
    IoWorkItem->Routine = WorkerRoutine;
    IoWorkItem->Context = Context;
    spin_acquire(&work_lock);
    InsertTailList(&work_queue, &IoWorkItem->Entry);
    spin_release(&work_lock);
}

VOID IoFreeWorkItem(PIO_WORKITEM IoWorkItem) { free(IoWorkItem); }

BOOLEAN wdm_user_run_work_item(void)
{
    PIO_WORKITEM item = NULL;
    spin_acquire(&work_lock);
    if (!IsListEmpty(&work_queue)) item = CONTAINING_RECORD(RemoveHeadList(&work_queue), IO_WORKITEM, Entry);
    spin_release(&work_lock);
    if (!item) return FALSE;
    item->Routine(item->DeviceObject, item->Context);
    return TRUE;
}

/* ---- Devices and requests. ---- */

NTSTATUS IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName,
                        DEVICE_TYPE DeviceType, ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                        PDEVICE_OBJECT *DeviceObject)
{
    PDEVICE_OBJECT device;
    (void)DeviceName;
    (void)DeviceCharacteristics;
    (void)Exclusive;
    device = calloc(1, sizeof *device + DeviceExtensionSize + 16);
    if (!device) return STATUS_INSUFFICIENT_RESOURCES;
    device->DriverObject = DriverObject;
    device->DeviceExtension = DeviceExtensionSize ? (PVOID)(device + 1) : NULL;
    device->DeviceType = DeviceType;
    device->Flags = DO_DEVICE_INITIALIZING;
    InitializeListHead(&device->DeviceQueue.DeviceListHead);
    device->NextDevice = DriverObject->DeviceObject;
    DriverObject->DeviceObject = device;
    *DeviceObject = device;
    return STATUS_SUCCESS;
}

VOID IoDeleteDevice(PDEVICE_OBJECT DeviceObject)
{
    PDEVICE_OBJECT *link = &DeviceObject->DriverObject->DeviceObject;
    while (*link && *link != DeviceObject) link = &(*link)->NextDevice;
    if (*link) *link = DeviceObject->NextDevice;
    free(DeviceObject);
}

/* The device queue of IoStartPacket: the driver's StartIo runs at
   DISPATCH_LEVEL for one IRP at a time. */
VOID IoStartPacket(PDEVICE_OBJECT DeviceObject, PIRP Irp, PULONG Key, PDRIVER_CANCEL CancelFunction)
{
    KIRQL irql = current_irql;
    BOOLEAN start;
    (void)Key;
    current_irql = DISPATCH_LEVEL;
    if (CancelFunction) IoSetCancelRoutine(Irp, CancelFunction);
    spin_acquire(&DeviceObject->DeviceQueue.Lock);
    start = !DeviceObject->DeviceQueue.Busy;
    if (start) {
        DeviceObject->DeviceQueue.Busy = TRUE;
        DeviceObject->CurrentIrp = Irp;
    } else {
        InsertTailList(&DeviceObject->DeviceQueue.DeviceListHead, &Irp->Tail.Overlay.DeviceQueueEntry);
    }
    spin_release(&DeviceObject->DeviceQueue.Lock);
    if (start) DeviceObject->DriverObject->DriverStartIo(DeviceObject, Irp);
    current_irql = irql;
}

VOID IoStartNextPacket(PDEVICE_OBJECT DeviceObject, BOOLEAN Cancelable)
{
    PIRP next = NULL;
    (void)Cancelable;
    spin_acquire(&DeviceObject->DeviceQueue.Lock);
    if (IsListEmpty(&DeviceObject->DeviceQueue.DeviceListHead)) {
        DeviceObject->DeviceQueue.Busy = FALSE;
        DeviceObject->CurrentIrp = NULL;
    } else {
        next = CONTAINING_RECORD(RemoveHeadList(&DeviceObject->DeviceQueue.DeviceListHead), IRP, Tail.Overlay.DeviceQueueEntry);
        DeviceObject->CurrentIrp = next;
    }
    spin_release(&DeviceObject->DeviceQueue.Lock);
    if (next) {
        KIRQL irql = current_irql;
        current_irql = DISPATCH_LEVEL;
        DeviceObject->DriverObject->DriverStartIo(DeviceObject, next);
        current_irql = irql;
    }
}

VOID FASTCALL IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
    (void)PriorityBoost;
    Irp->CancelRoutine = 0;
    __atomic_store_n(&Irp->Completed, 1, __ATOMIC_RELEASE);
}

PDRIVER_CANCEL IoSetCancelRoutine(PIRP Irp, PDRIVER_CANCEL CancelRoutine)
{
    return __atomic_exchange_n(&Irp->CancelRoutine, CancelRoutine, __ATOMIC_ACQ_REL);
}

/* The I/O manager's cancellation: the cancel spin lock, then the IRP's
   cancel routine, which releases it. */
BOOLEAN IoCancelIrp(PIRP Irp)
{
    PDRIVER_CANCEL routine;
    IoAcquireCancelSpinLock(&Irp->CancelIrql);
    Irp->Cancel = TRUE;
    routine = IoSetCancelRoutine(Irp, NULL);
    if (!routine) {
        IoReleaseCancelSpinLock(Irp->CancelIrql);
        return FALSE;
    }
    routine(IoGetCurrentIrpStackLocation(Irp)->DeviceObject, Irp);
    return TRUE;
}

VOID wdm_user_reset_cancel_lock(void) { spin_release(&cancel_lock); }

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    (void)PoolType;
    (void)Tag;
    return calloc(1, NumberOfBytes);
}

VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    (void)Tag;
    free(P);
}

VOID ProbeForRead(volatile VOID *Address, SIZE_T Length, ULONG Alignment)
{
    (void)Address;
    (void)Length;
    (void)Alignment;
}

ULONG DbgPrint(PCSTR Format, ...)
{
    va_list arguments;
    int written;
    va_start(arguments, Format);
    written = vfprintf(stdout, Format, arguments);
    va_end(arguments);
    return written < 0 ? 0 : (ULONG)written;
}

LONG FASTCALL InterlockedIncrement(volatile LONG *Addend) { return __atomic_add_fetch(Addend, 1, __ATOMIC_SEQ_CST); }
LONG FASTCALL InterlockedDecrement(volatile LONG *Addend) { return __atomic_sub_fetch(Addend, 1, __ATOMIC_SEQ_CST); }
LONG FASTCALL InterlockedExchange(volatile LONG *Target, LONG Value) { return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST); }
LONG FASTCALL InterlockedCompareExchange(volatile LONG *Destination, LONG Exchange, LONG Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return Comparand;
}
