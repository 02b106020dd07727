/* The functions handover.c calls, and a `slic_report` (replacing the
   monitor's weak one) that counts the reports by message, from any
   thread. Not woven. */
#include <stdio.h>
#include <string.h>

#include "slic_monitor.h"

void Take(void *token) { (void)token; }
void Give(void *token) { (void)token; }
void Check(void) { }

static unsigned long takes, gives, checks, others;

void slic_report(const struct slic_violation *v)
{
    if (strcmp(v->message, "takes a token already taken") == 0) __atomic_add_fetch(&takes, 1, __ATOMIC_RELAXED);
    else if (strcmp(v->message, "gives back a token not taken") == 0) __atomic_add_fetch(&gives, 1, __ATOMIC_RELAXED);
    else if (strcmp(v->message, "checks while holding a token") == 0) __atomic_add_fetch(&checks, 1, __ATOMIC_RELAXED);
    else __atomic_add_fetch(&others, 1, __ATOMIC_RELAXED);
}

void print_handover_reports(void)
{
    printf("takes %lu\ngives %lu\nchecks %lu\nother %lu\n", takes, gives, checks, others);
}
