/*
 * User-mode implementations of the lock DDIs declared in wdm.h, so the
 * mock drivers run as ordinary programs. Spin locks really spin (the
 * concurrency tests run drivers on several threads); IRQL is tracked per
 * thread. This file is never woven: it plays the kernel.
 */
#include "wdm.h"

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

VOID KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql)
{
    *OldIrql = current_irql;
    spin_acquire(SpinLock);
    current_irql = DISPATCH_LEVEL;
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

VOID FASTCALL ExAcquireFastMutex(PFAST_MUTEX FastMutex) { while (__atomic_exchange_n(&FastMutex->Count, 1, __ATOMIC_ACQUIRE)) { } }
VOID FASTCALL ExReleaseFastMutex(PFAST_MUTEX FastMutex) { __atomic_store_n(&FastMutex->Count, 0, __ATOMIC_RELEASE); }
BOOLEAN FASTCALL ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex) { return __atomic_exchange_n(&FastMutex->Count, 1, __ATOMIC_ACQUIRE) == 0; }
VOID KeAcquireGuardedMutex(PKGUARDED_MUTEX Mutex) { while (__atomic_exchange_n(&Mutex->Count, 1, __ATOMIC_ACQUIRE)) { } }
VOID KeReleaseGuardedMutex(PKGUARDED_MUTEX Mutex) { __atomic_store_n(&Mutex->Count, 0, __ATOMIC_RELEASE); }

static _Thread_local int critical_regions;
static _Thread_local int guarded_regions;
VOID KeEnterCriticalRegion(VOID) { critical_regions++; }
VOID KeLeaveCriticalRegion(VOID) { critical_regions--; }
VOID KeEnterGuardedRegion(VOID) { guarded_regions++; }
VOID KeLeaveGuardedRegion(VOID) { guarded_regions--; }

BOOLEAN ExAcquireResourceExclusiveLite(PERESOURCE Resource, BOOLEAN Wait)
{
    if (!Wait) return __atomic_exchange_n(&Resource->Exclusive, 1, __ATOMIC_ACQUIRE) == 0;
    while (__atomic_exchange_n(&Resource->Exclusive, 1, __ATOMIC_ACQUIRE)) { }
    return TRUE;
}

BOOLEAN ExAcquireResourceSharedLite(PERESOURCE Resource, BOOLEAN Wait)
{
    (void)Wait;
    __atomic_add_fetch(&Resource->Shared, 1, __ATOMIC_ACQUIRE);
    return TRUE;
}

VOID FASTCALL ExReleaseResourceLite(PERESOURCE Resource)
{
    if (__atomic_load_n(&Resource->Shared, __ATOMIC_ACQUIRE) > 0) __atomic_sub_fetch(&Resource->Shared, 1, __ATOMIC_RELEASE);
    else __atomic_store_n(&Resource->Exclusive, 0, __ATOMIC_RELEASE);
}

VOID ExReleaseResourceForThreadLite(PERESOURCE Resource, ERESOURCE_THREAD ResourceThreadId)
{
    (void)ResourceThreadId;
    ExReleaseResourceLite(Resource);
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

VOID KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql)
{
    *OldIrql = current_irql;
    current_irql = NewIrql;
}

VOID KeLowerIrql(KIRQL NewIrql) { current_irql = NewIrql; }

KIRQL KeRaiseIrqlToDpcLevel(VOID)
{
    KIRQL old = current_irql;
    current_irql = DISPATCH_LEVEL;
    return old;
}

KIRQL KeGetCurrentIrql(VOID) { return current_irql; }

VOID IoStartNextPacket(PDEVICE_OBJECT DeviceObject, BOOLEAN Cancelable)
{
    (void)DeviceObject;
    (void)Cancelable;
}

VOID IoCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
    (void)PriorityBoost;
    Irp->CancelRoutine = 0;
}

PDRIVER_CANCEL IoSetCancelRoutine(PIRP Irp, PDRIVER_CANCEL CancelRoutine)
{
    return __atomic_exchange_n(&Irp->CancelRoutine, CancelRoutine, __ATOMIC_ACQ_REL);
}
