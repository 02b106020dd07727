/* The driver's routines, declared with their role types as WDK drivers do. */
#ifndef TABLES_DRIVER_H
#define TABLES_DRIVER_H

#include "wdm.h"

DRIVER_INITIALIZE DriverEntry;

_Dispatch_type_(IRP_MJ_READ)
DRIVER_DISPATCH DispatchRead;

_Dispatch_type_(IRP_MJ_WRITE)
DRIVER_DISPATCH DispatchWrite;

_Dispatch_type_(IRP_MJ_DEVICE_CONTROL)
DRIVER_DISPATCH DispatchDeviceControl;

DRIVER_UNLOAD Unload;

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    FAST_MUTEX Mutex;
    LONG Reads;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

/* Lock operations reached through a table, as drivers built on a
   framework or a portability layer do. */
typedef struct _MUTEX_OPERATIONS {
    VOID (FASTCALL *Acquire)(PFAST_MUTEX FastMutex);
    VOID (FASTCALL *Release)(PFAST_MUTEX FastMutex);
} MUTEX_OPERATIONS;

#endif
