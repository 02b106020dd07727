/* The driver's routines, declared with their role types as WDK drivers do. */
#ifndef QUEUED_DRIVER_H
#define QUEUED_DRIVER_H

#include "wdm.h"

DRIVER_INITIALIZE DriverEntry;

_Dispatch_type_(IRP_MJ_READ)
DRIVER_DISPATCH DispatchRead;

_Dispatch_type_(IRP_MJ_WRITE)
DRIVER_DISPATCH DispatchWrite;

_Dispatch_type_(IRP_MJ_DEVICE_CONTROL)
DRIVER_DISPATCH DispatchDeviceControl;

DRIVER_CANCEL CancelQueuedIrp;
DRIVER_UNLOAD Unload;

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK QueueLock;
    PIRP Pending;
    LONG Reads;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

#endif
