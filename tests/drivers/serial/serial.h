/* The serial driver's routines, declared with their role types in the
   driver's own header, as WDK drivers do. */
#ifndef SERIAL_H
#define SERIAL_H

#include "wdm.h"

#define IOCTL_SERIAL_SET_BAUD_RATE CTL_CODE(FILE_DEVICE_SERIAL_PORT, 1, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_SERIAL_SET_LINE_CONTROL CTL_CODE(FILE_DEVICE_SERIAL_PORT, 3, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_SERIAL_SET_WAIT_MASK CTL_CODE(FILE_DEVICE_SERIAL_PORT, 16, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_SERIAL_PURGE CTL_CODE(FILE_DEVICE_SERIAL_PORT, 19, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_SERIAL_GET_STATS CTL_CODE(FILE_DEVICE_SERIAL_PORT, 35, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_SERIAL_CLEAR_STATS CTL_CODE(FILE_DEVICE_SERIAL_PORT, 36, METHOD_BUFFERED, FILE_ANY_ACCESS)

#define SERIAL_EV_RXCHAR 0x0001
#define SERIAL_POOL_TAG 'lreS'

typedef struct _SERIALPERF_STATS {
    ULONG ReceivedCount;
    ULONG TransmittedCount;
    ULONG FrameErrorCount;
    ULONG BaudRate;
} SERIALPERF_STATS, *PSERIALPERF_STATS;

/* The driver's way to take its spin locks, chosen once (a table of
   function pointers, as some drivers keep for their lock primitives). */
typedef struct _SERIAL_LOCK_OPS {
    KIRQL (*Acquire)(PKSPIN_LOCK SpinLock);
    VOID (*Release)(PKSPIN_LOCK SpinLock, KIRQL NewIrql);
} SERIAL_LOCK_OPS;

typedef struct _SERIAL_DEVICE_EXTENSION {
    PDEVICE_OBJECT DeviceObject;
    KSPIN_LOCK ControlLock;     /* BaudRate, Divisor, LineControl */
    KSPIN_LOCK OpenLock;        /* OpenCount */
    KSPIN_LOCK StatsLock;       /* Stats */
    KSPIN_LOCK HwLock;          /* the UART's registers */
    KSPIN_LOCK WaitLock;        /* WaitMask */
    KSPIN_LOCK PurgeLock;       /* PurgePending */
    KDPC CompletionDpc;
    ULONG BaudRate;
    ULONG Divisor;
    ULONG LineControl;
    ULONG WaitMask;
    ULONG ArmedWaits;
    LONG OpenCount;
    BOOLEAN PurgePending;
    BOOLEAN HwError;
    ULONG TransmitRegister;
    SERIALPERF_STATS Stats;
} SERIAL_DEVICE_EXTENSION, *PSERIAL_DEVICE_EXTENSION;

DRIVER_INITIALIZE DriverEntry;

_Dispatch_type_(IRP_MJ_CREATE)
_Dispatch_type_(IRP_MJ_CLOSE)
DRIVER_DISPATCH SerialCreateClose;

_Dispatch_type_(IRP_MJ_READ) _Dispatch_type_(IRP_MJ_WRITE)
DRIVER_DISPATCH SerialReadWrite;

_Dispatch_type_(IRP_MJ_DEVICE_CONTROL)
DRIVER_DISPATCH SerialDeviceControl;

DRIVER_STARTIO SerialStartIo;
KDEFERRED_ROUTINE SerialCompletionDpc;
DRIVER_UNLOAD SerialUnload;

#endif
