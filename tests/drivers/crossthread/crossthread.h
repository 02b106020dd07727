/* The crossthread driver's routines and device extension. */
#ifndef CROSSTHREAD_H
#define CROSSTHREAD_H

#include "wdm.h"

typedef struct _CROSSTHREAD_EXTENSION {
    ERESOURCE Resource;
    ERESOURCE Other;
    KSPIN_LOCK SpinLock;
    /* The owner of Resource, for the thread that releases it for it. */
    volatile ERESOURCE_THREAD Owner;
    /* How far the two threads of a scenario are: 1 once the holder holds,
       2 once the other thread has released. */
    volatile LONG Step;
} CROSSTHREAD_EXTENSION, *PCROSSTHREAD_EXTENSION;

DRIVER_INITIALIZE DriverEntry;

_Dispatch_type_(IRP_MJ_WRITE)
DRIVER_DISPATCH CrossHold;

_Dispatch_type_(IRP_MJ_READ)
DRIVER_DISPATCH CrossReleaseForOwner;

_Dispatch_type_(IRP_MJ_DEVICE_CONTROL)
DRIVER_DISPATCH CrossHoldSpin;

_Dispatch_type_(IRP_MJ_CLEANUP)
DRIVER_DISPATCH CrossReleaseWrongly;

/* How the test program waits for the other thread. */
VOID CrossWaitFor(PCROSSTHREAD_EXTENSION Extension, LONG Step);

#endif
