/*
 * The IRQL model of the WDM rule pack: the IRQL a thread runs at, as the
 * rules that check the IRQL of calls see it. Rules include this file and
 * read `irql`; the model's handlers run before the rule's own on every
 * event (see "Shared models" in docs/language.md). What it assumes and
 * where it is approximate is written out in docs/rules/IrqlModel.md.
 */

#pragma once

model Irql;

state {
    /* The IRQL of the thread. */
    KIRQL irql = PASSIVE_LEVEL;

    /* In-stack queued spin locks and fast mutexes keep the IRQL to go
       back to in the lock queue handle or the mutex, where the model
       cannot read it; the model keeps it itself, on a stack: `locks`
       counts the locks held (also beyond two), lock1 is the IRQL from
       before the outermost, lock2 from before the next one. A slot not
       in use holds PASSIVE_LEVEL. */
    int locks = 0;
    KIRQL lock1 = PASSIVE_LEVEL, lock2 = PASSIVE_LEVEL;

    /* A StartIo, cancel or completion routine was entered, maybe from
       inside a call of the driver (IoStartPacket, IoCancelIrp, IoCallDriver,
       ...); `nested_irql` is the IRQL from before its entry, which that
       call returns at. */
    BOOLEAN nested = FALSE;
    KIRQL nested_irql = PASSIVE_LEVEL;
}

/* ---- Routines the system calls, at the IRQL of their role. */

/* At the top of a thread, at PASSIVE_LEVEL. (Dispatch routines may be
   called at APC_LEVEL or DISPATCH_LEVEL in some driver stacks; like Static
   Driver Verifier, the model takes PASSIVE_LEVEL.) */
[SDV_RunDispatchFunction, SDV_DRIVER_UNLOAD, SDV_DRIVER_ADD_DEVICE, SDV_DRIVER_INITIALIZE,
 SDV_IO_WORKITEM_ROUTINE].entry
{
    irql = PASSIVE_LEVEL;
    nested = FALSE;
    nested_irql = PASSIVE_LEVEL;
}

/* DPC routines run at DISPATCH_LEVEL, from the DPC queue or when a call
   lowers the IRQL below DISPATCH_LEVEL (whose return sets the IRQL). */
SDV_KDEFERRED_ROUTINE.entry
{
    irql = DISPATCH_LEVEL;
    nested = FALSE;
    nested_irql = PASSIVE_LEVEL;
}

/* StartIo and cancel routines run at DISPATCH_LEVEL; completion routines
   at DISPATCH_LEVEL or below, and the model takes DISPATCH_LEVEL, the IRQL
   that allows fewest calls. The I/O manager calls them at the top of its
   own work, or from inside a call the driver makes: IoStartPacket and
   IoStartNextPacket call StartIo, IoCancelIrp the cancel routine,
   IoCallDriver the completion routine of a lower driver's synchronous
   completion. That call returns at the IRQL it was made at. */
[SDV_DRIVER_STARTIO, SDV_DRIVER_CANCEL, SDV_IO_COMPLETION_ROUTINE].entry
{
    if (!nested) {
        nested = TRUE;
        nested_irql = irql;
    }
    irql = DISPATCH_LEVEL;
}

/* IoCallDriver is a macro for IofCallDriver: the C weaver sees the first,
   the IR weaver the second. */
[IoStartPacket, IoStartNextPacket, IoCancelIrp, IoCallDriver, IofCallDriver].exit
{
    if (nested) {
        irql = nested_irql;
        nested = FALSE;
        nested_irql = PASSIVE_LEVEL;
    }
}

/* ---- Raising and lowering. On x64, KeRaiseIrql is a macro that calls
   KfRaiseIrql: the C weaver sees the first, the IR weaver the second. */

[KeRaiseIrql, KfRaiseIrql, KeLowerIrql].exit
{
    irql = $1;
}

KeRaiseIrqlToDpcLevel.exit
{
    irql = DISPATCH_LEVEL;
}

/* ---- Spin locks whose release the driver gives the IRQL to go back to.
   On x64, KeAcquireSpinLock is a macro over KeAcquireSpinLockRaiseToDpc. */

[KeAcquireSpinLock, KeAcquireSpinLockRaiseToDpc, IoAcquireCancelSpinLock].exit
{
    irql = DISPATCH_LEVEL;
}

KeReleaseSpinLock.exit
{
    irql = $2;
}

IoReleaseCancelSpinLock.exit
{
    irql = $1;
}

/* ---- Locks that keep the IRQL to go back to themselves. Acquired beyond
   two deep, the IRQL from before is not kept, and the release leaves the
   IRQL as it is: exact for spin locks nested inside spin locks, which all
   run at DISPATCH_LEVEL. */

KeAcquireInStackQueuedSpinLock.exit
{
    locks = locks + 1;
    if (locks == 1) {
        lock1 = irql;
    } else if (locks == 2) {
        lock2 = irql;
    }
    irql = DISPATCH_LEVEL;
}

ExAcquireFastMutex.exit
{
    locks = locks + 1;
    if (locks == 1) {
        lock1 = irql;
    } else if (locks == 2) {
        lock2 = irql;
    }
    irql = APC_LEVEL;
}

ExTryToAcquireFastMutex.exit
{
    if ($return) {
        locks = locks + 1;
        if (locks == 1) {
            lock1 = irql;
        } else if (locks == 2) {
            lock2 = irql;
        }
        irql = APC_LEVEL;
    }
}

/* A release with nothing saved (of a lock never acquired) leaves the IRQL
   as it is. */
[KeReleaseInStackQueuedSpinLock, ExReleaseFastMutex].exit
{
    if (locks == 1) {
        irql = lock1;
        lock1 = PASSIVE_LEVEL;
    } else if (locks == 2) {
        irql = lock2;
        lock2 = PASSIVE_LEVEL;
    }
    if (locks > 0) {
        locks = locks - 1;
    }
}
