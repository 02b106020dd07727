/* The irql driver's routines, control codes and device extension. */
#ifndef IRQL_H
#define IRQL_H

#include "wdm.h"

#define IOCTL_IRQL_CLOSE_LOCKED CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_IRQL_REFERENCE_LOCKED CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_IRQL_ALLOCATE_LOCKED CTL_CODE(FILE_DEVICE_UNKNOWN, 0x803, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_IRQL_POKE CTL_CODE(FILE_DEVICE_UNKNOWN, 0x804, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_IRQL_SIGNAL CTL_CODE(FILE_DEVICE_UNKNOWN, 0x805, METHOD_BUFFERED, FILE_ANY_ACCESS)

#define IRQL_TAG 0x6C717249 /* 'lqrI', spelled as a number: gcc warns about multi-character constants */

typedef struct _IRQL_EXTENSION {
    PDEVICE_OBJECT Self;
    KSPIN_LOCK Lock;
    KSPIN_LOCK QueueLock;
    FAST_MUTEX Mutex;
    KEVENT Done;
    KDPC SignalDpc;
    PIO_WORKITEM WorkItem;
    HANDLE Handle;
    PVOID Object;
    PVOID Transfer;
    LONG Started;
    LONG Completed;
    LONG WorkerRan;
    BOOLEAN Ready;
} IRQL_EXTENSION, *PIRQL_EXTENSION;

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD IrqlUnload;

_Dispatch_type_(IRP_MJ_CREATE)
_Dispatch_type_(IRP_MJ_CLOSE)
DRIVER_DISPATCH IrqlCreateClose;

_Dispatch_type_(IRP_MJ_READ)
DRIVER_DISPATCH IrqlRead;

_Dispatch_type_(IRP_MJ_DEVICE_CONTROL)
DRIVER_DISPATCH IrqlDeviceControl;

DRIVER_STARTIO IrqlStartIo;
KDEFERRED_ROUTINE IrqlCompletionDpc;
KDEFERRED_ROUTINE IrqlSignalDpc;
IO_WORKITEM_ROUTINE IrqlWorker;

#endif
