/*
 * Exhaustive exploration of a static-flavour harness: the SV-COMP
 * functions the monitor calls, implemented so that every sequence of
 * nondeterministic choices is tried, depth first. Each run starts from
 * `slic_static_reset()` and calls `scenario()`; `__VERIFIER_assume(0)` and
 * `reach_error()` end a run. Every violation reached is printed once, with
 * the choices that reach it.
 *
 * This is a model checker for small harnesses: it proves what a checker
 * such as CBMC would, by enumeration, where the choices are few.
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "slic_monitor.h"

void scenario(void);

#define MAX_CHOICES 64

static unsigned char choices[MAX_CHOICES];
static int made;      /* choices made in this run */
static int planned;   /* choices fixed for this run */
static jmp_buf end_of_run;
static int overflow;

_Bool __VERIFIER_nondet_bool(void)
{
    if (made == MAX_CHOICES) {
        overflow = 1;
        longjmp(end_of_run, 1);
    }
    if (made == planned) {
        choices[planned++] = 0;
    }
    return choices[made++];
}

void __VERIFIER_assume(int condition)
{
    if (!condition) longjmp(end_of_run, 1);
}

static const char *found[64];
static int found_count;

void reach_error(void)
{
    int i;
    for (i = 0; i < found_count; i++) {
        if (strcmp(found[i], slic_static_violation) == 0) longjmp(end_of_run, 1);
    }
    if (found_count < 64) found[found_count++] = slic_static_violation;
    printf("reached: %s\n  choices:", slic_static_violation);
    for (i = 0; i < made; i++) printf(" %d", choices[i]);
    printf("\n");
    longjmp(end_of_run, 1);
}

int main(void)
{
    long runs = 0;
    for (;;) {
        made = 0;
        slic_static_reset();
        if (!setjmp(end_of_run)) scenario();
        runs++;
        /* The next sequence: the last choice that was 0 becomes 1, and
           everything after it is chosen afresh. */
        planned = made;
        while (planned > 0 && choices[planned - 1] == 1) planned--;
        if (planned == 0) break;
        choices[planned - 1] = 1;
    }
    printf("explored %ld runs%s\n", runs, overflow ? " (some cut at " "64 choices)" : "");
    return 0;
}
