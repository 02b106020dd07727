/* slic_clang.c: the glue between a `slic verify` program and clang's static
   analyzer (checker debug.ExprInspection). */
#include <slic_clang_system.h>
#include "slic_monitor.h"

_Bool __VERIFIER_nondet_bool(void)
{
    return slic_clang_nondet_bool();
}

void __VERIFIER_assume(int condition)
{
    if (!condition) __builtin_unreachable();
}

void slic_havoc(void *object, unsigned long long size)
{
    (void)size;
    slic_clang_invalidate(object);
}

void slic_zero(void *object, unsigned long long size)
{
    __builtin_memset(object, 0, size);
}

int slic_choice(int count)
{
    int choice = slic_clang_nondet_int();
    __VERIFIER_assume(choice >= 0 && choice < count);
    return choice;
}

void *slic_nondet_pointer(void *object)
{
    return slic_clang_nondet_pointer(object);
}

/* A reachable abort: the analyzer reports the site (a different report for
   each site, each with its path); which abort it was is the last call of
   reach_error on the path. */
void reach_error(void)
{
    clang_analyzer_dump(slic_static_site);
}
