/* Counts the monitor's reports per rule, from any thread: both concurrency
   programs replace the monitor's `slic_report` (a weak symbol) with this
   one, so a violation is counted instead of stopping the program. Include
   it in one file of a program. */
#ifndef COUNT_REPORTS_H
#define COUNT_REPORTS_H

#include <stdio.h>
#include <string.h>

#include "slic_monitor.h"

static unsigned long spin_lock_reports;
static unsigned long queued_reports;
static unsigned long other_reports;

void slic_report(const struct slic_violation *v)
{
    if (strcmp(v->rule, "SpinLock") == 0) __atomic_add_fetch(&spin_lock_reports, 1, __ATOMIC_RELAXED);
    else if (strcmp(v->rule, "QueuedSpinLockRelease") == 0) __atomic_add_fetch(&queued_reports, 1, __ATOMIC_RELAXED);
    else __atomic_add_fetch(&other_reports, 1, __ATOMIC_RELAXED);
}

/* What the tests compare. */
static void print_report_counts(void)
{
    printf("SpinLock %lu\nQueuedSpinLockRelease %lu\nother %lu\n", spin_lock_reports, queued_reports, other_reports);
}

#endif
