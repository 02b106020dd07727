/* A driver whose dispatch routine many threads run at once: it takes
   locks every thread shares and one of its own, and, when told to, makes
   the mistakes the concurrency test counts. */
#ifndef THREADS_DRIVER_H
#define THREADS_DRIVER_H

#include "wdm.h"

DRIVER_DISPATCH ThreadsDispatch;

#define SHARED_LOCKS 4
#define BUGS_PER_THREAD 16

typedef struct _THREADS_EXTENSION {
    PKSPIN_LOCK Shared; /* SHARED_LOCKS locks, the same for every thread */
    ULONG Rounds;
    ULONG Seeded;
    KSPIN_LOCK Own;
    KSPIN_LOCK Kept;
    KSPIN_LOCK Bugs[BUGS_PER_THREAD];
} THREADS_EXTENSION, *PTHREADS_EXTENSION;

#endif
