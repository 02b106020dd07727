/* A driver whose dispatch routine does nothing but take and release a
   lock around a little work: the monitor's cost per event, measured. */
#ifndef LOCKLOOP_H
#define LOCKLOOP_H

#include "wdm.h"

DRIVER_DISPATCH LoopDispatch;

/* A cache line each: the threads' extensions sit side by side in an array,
   and without the padding four threads would share a line, so the times
   would measure the cache traffic between cores instead of the monitor. */
typedef struct _LOOP_EXTENSION {
    KSPIN_LOCK Lock;
    ULONG Iterations;
    volatile ULONG Counter;
    char Padding[64 - sizeof(KSPIN_LOCK) - 2 * sizeof(ULONG)];
} LOOP_EXTENSION, *PLOOP_EXTENSION;

#endif
