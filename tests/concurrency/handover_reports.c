/* Counts the monitor's reports per rule for handover.c, from any thread
   (replacing the monitor's weak `slic_report`). Not woven. */
#include <stdio.h>
#include <string.h>

#include "slic_monitor.h"

static unsigned long spin_lock_reports, queued_reports, other_reports;

void slic_report(const struct slic_violation *v)
{
    if (strcmp(v->rule, "SpinLock") == 0) __atomic_add_fetch(&spin_lock_reports, 1, __ATOMIC_RELAXED);
    else if (strcmp(v->rule, "QueuedSpinLock") == 0) __atomic_add_fetch(&queued_reports, 1, __ATOMIC_RELAXED);
    else __atomic_add_fetch(&other_reports, 1, __ATOMIC_RELAXED);
}

void print_handover_reports(void)
{
    printf("SpinLock %lu\nQueuedSpinLock %lu\nother %lu\n", spin_lock_reports, queued_reports, other_reports);
}
