/*
 * The static-flavour harness for Frama-C's value analysis (EVA): the
 * SV-COMP functions the monitor calls, and a sequential model of the two
 * kernel functions the driver calls (`wdm_user.c` uses atomics, which the
 * checker does not read). `reach_error()` prints the violation the monitor
 * found and asserts false: EVA reports the assertion invalid on every path
 * that reaches it, and never evaluates it when no path does.
 *
 * tests/it/static_monitor.rs runs it with a large -eva-slevel and
 * -eva-split-return full, so that the monitor's states after each call (the
 * object it chose to follow, the state of the rule) are not merged: merged,
 * two nested locks would look like one lock taken twice.
 */
#include "__fc_builtin.h"
#include "wdm.h"
#include "slic_monitor.h"

void scenario(void);

_Bool __VERIFIER_nondet_bool(void)
{
    return Frama_C_interval(0, 1);
}

void __VERIFIER_assume(int condition)
{
    if (!condition) {
        while (1) {
        }
    }
}

void reach_error(void)
{
    Frama_C_show_each_violation(slic_static_violation);
    //@ assert slic_violation: \false;
}

static KIRQL current_irql;

KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock)
{
    KIRQL old = current_irql;
    *SpinLock = 1;
    current_irql = DISPATCH_LEVEL;
    return old;
}

VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    *SpinLock = 0;
    current_irql = NewIrql;
}

int main(void)
{
    slic_static_reset();
    scenario();
    return 0;
}
