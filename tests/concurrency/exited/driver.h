/* A driver whose dispatch routine runs on threads that end: each takes
   and gives back locks and resources every thread shares, so the monitor's
   slots of those objects are last entered by threads that no longer exist
   when the next ones touch them. See main.c. */
#ifndef EXITED_DRIVER_H
#define EXITED_DRIVER_H

#include "wdm.h"

DRIVER_DISPATCH ExitedDispatch;

#define OBJECTS 8

enum exited_task {
    TASK_TOUCH, /* take and give back every shared object, Passes times */
    TASK_SHARE, /* acquire Kept shared, Counted shared twice, and return
                   holding them (not a bug) */
    TASK_TAKE,  /* release Kept for the thread that ended holding it,
                   acquire it exclusively, and return holding it (a bug:
                   reported by ExclusiveResourceAccess); release Counted
                   once for that thread, and return (reported by
                   handed_shared.slic: Counted has a shared owner left) */
};

typedef struct _EXITED_OBJECTS {
    KSPIN_LOCK Locks[OBJECTS];
    KSPIN_LOCK QueueLocks[OBJECTS];
    /* Handle i is used only under Locks[i]. */
    KLOCK_QUEUE_HANDLE Handles[OBJECTS];
    ERESOURCE Resources[OBJECTS];
    ERESOURCE Kept;
    ERESOURCE Counted;
    ERESOURCE_THREAD SharedOwner; /* the thread of TASK_SHARE */
} EXITED_OBJECTS, *PEXITED_OBJECTS;

typedef struct _EXITED_EXTENSION {
    PEXITED_OBJECTS Objects;
    ULONG Task;
    ULONG Start; /* the first object this thread touches */
    ULONG Passes;
} EXITED_EXTENSION, *PEXITED_EXTENSION;

#endif
