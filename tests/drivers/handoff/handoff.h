/* The handoff driver's routines and device extension. */
#ifndef HANDOFF_H
#define HANDOFF_H

#include "wdm.h"

typedef struct _HANDOFF_EXTENSION {
    FAST_MUTEX Mutex;
    KSPIN_LOCK SpinLock;
    KSPIN_LOCK QueuedLock;
    ERESOURCE Resource;
    volatile LONG Holding;
    volatile LONG Peeked;
} HANDOFF_EXTENSION, *PHANDOFF_EXTENSION;

DRIVER_INITIALIZE DriverEntry;

_Dispatch_type_(IRP_MJ_READ)
DRIVER_DISPATCH HandoffHold;

_Dispatch_type_(IRP_MJ_WRITE)
DRIVER_DISPATCH HandoffPeek;

#endif
