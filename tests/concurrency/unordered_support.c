/* The functions unordered.c calls, and a `slic_report` (replacing the
   monitor's weak one) that counts the reports by message, and in its
   "chain" keeps the reporting thread inside the monitor until the others
   have come. Not woven. */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "slic_monitor.h"

extern int chain_mode;
extern unsigned chain_stage;

void Enter(void *resource) { (void)resource; }
void Leave(void *resource) { (void)resource; }

static unsigned long leaves, others;

void slic_report(const struct slic_violation *v)
{
    if (strcmp(v->message, "leaves a resource nobody is inside") == 0) __atomic_add_fetch(&leaves, 1, __ATOMIC_RELAXED);
    else __atomic_add_fetch(&others, 1, __ATOMIC_RELAXED);
    if (chain_mode) {
        __atomic_store_n(&chain_stage, 1, __ATOMIC_RELAXED);
        while (__atomic_load_n(&chain_stage, __ATOMIC_RELAXED) < 3) sched_yield();
        usleep(50000); /* C would work on the instance now if it did not wait */
    }
}

void print_unordered_reports(void)
{
    printf("leaves %lu\nother %lu\n", leaves, others);
}
