/* What the monitor takes from the kernel with -DSLIC_KERNEL, for a user-mode
   program: the differential test (`tests/it/differential/whole_pack.rs`)
   runs the kernel flavour of the C monitor, its state per thread kept in
   tables keyed by the thread, as a program. A thread is the address of a
   thread-local byte, as `$thread` is in user mode. */
#ifndef SLIC_DIFFERENTIAL_NTDDK_H
#define SLIC_DIFFERENTIAL_NTDDK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef unsigned long ULONG;
typedef uintptr_t ULONG_PTR;
typedef struct _KTHREAD *PKTHREAD;

static __thread char slic_differential_thread;

static inline PKTHREAD KeGetCurrentThread(void)
{
    return (PKTHREAD)&slic_differential_thread;
}

/* Only the default report bug-checks; the harness reports itself. */
static inline void KeBugCheckEx(ULONG code, ULONG_PTR p1, ULONG_PTR p2, ULONG_PTR p3, ULONG_PTR p4)
{
    fprintf(stderr, "bug check %#lx (%#lx, %#lx, %#lx, %#lx)\n", code, (unsigned long)p1,
            (unsigned long)p2, (unsigned long)p3, (unsigned long)p4);
    abort();
}

#endif
