/* The example driver's shared declarations: its routines with their role
   types, as WDK drivers declare them. */
#ifndef EXAMPLE_DRIVER_H
#define EXAMPLE_DRIVER_H

#include "wdm.h"

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD DriverUnload;

_Dispatch_type_(IRP_MJ_CREATE)
_Dispatch_type_(IRP_MJ_CLOSE)
DRIVER_DISPATCH DispatchCreateClose;

_Dispatch_type_(IRP_MJ_READ)
DRIVER_DISPATCH DispatchRead;

_Dispatch_type_(IRP_MJ_WRITE)
DRIVER_DISPATCH DispatchWrite;

DRIVER_CANCEL CancelRead;

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK QueueLock;   /* protects PendingRead and Bytes */
    PIRP PendingRead;
    ULONG Bytes;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

/* queue.c */
BOOLEAN QueueRead(PDEVICE_EXTENSION Extension, PIRP Irp);
NTSTATUS StoreWrite(PDEVICE_EXTENSION Extension, PIRP Irp);

#endif
