/* slic_eva.c: the glue between a `slic verify` program and Frama-C's EVA.
   EVA reads it unpreprocessed, with its own libc, so that the ACSL
   assertion below survives. */
#include <string.h>

#include "__fc_builtin.h"
#include "slic_monitor.h"

void Frama_C_show_each_slic_violation(const char *violation, const char *file, unsigned line,
                                      unsigned column, const char *function);

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

void slic_havoc(void *object, unsigned long long size)
{
    Frama_C_make_unknown((char *)object, size);
}

void slic_zero(void *object, unsigned long long size)
{
    memset(object, 0, size);
}

int slic_choice(int count)
{
    return Frama_C_interval(0, count - 1);
}

/* No branch: the two values are one abstract value, and states do not
   split at every pointer of the harness's objects. */
void *slic_nondet_pointer(void *object)
{
    return Frama_C_nondet_ptr(object, (void *)0);
}

/* A reachable abort: EVA shows the violation and its site, and the
   assertion is invalid on every path that gets here. When no path does,
   EVA never evaluates it. */
void reach_error(void)
{
    const struct slic_site *site = slic_static_site;
    Frama_C_show_each_slic_violation(slic_static_violation, site ? site->file : (const char *)0,
                                     site ? site->line : 0u, site ? site->column : 0u,
                                     site ? site->function : (const char *)0);
    /*@ assert slic_violation: \false; */
}
