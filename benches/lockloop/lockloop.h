/* A driver whose dispatch routine does nothing but take and release a
   lock around a little work: the monitor's cost per event, measured. */
#ifndef LOCKLOOP_H
#define LOCKLOOP_H

#include "wdm.h"

DRIVER_DISPATCH LoopDispatch;

typedef struct _LOOP_EXTENSION {
    KSPIN_LOCK Lock;
    ULONG Iterations;
    volatile ULONG Counter;
} LOOP_EXTENSION, *PLOOP_EXTENSION;

#endif
