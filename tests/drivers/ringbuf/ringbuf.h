/* The ring buffer driver: routines (with the older dispatch annotation)
   and device extension. */
#ifndef RINGBUF_H
#define RINGBUF_H

#include "wdm.h"

#define RING_IOCTL(n) CTL_CODE(FILE_DEVICE_UNKNOWN, 0xB00 + (n), METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_RING_STATS RING_IOCTL(0)
#define IOCTL_RING_RESIZE RING_IOCTL(1)
#define IOCTL_RING_DESCRIBE RING_IOCTL(2)
#define IOCTL_RING_TRIM RING_IOCTL(3)
#define IOCTL_RING_KICK RING_IOCTL(4)
#define IOCTL_RING_TUNE RING_IOCTL(5)

#define RING_SIZE 32

typedef struct _RING_LOCK_OPS {
    VOID (FASTCALL *Acquire)(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle);
    VOID (FASTCALL *Release)(PKLOCK_QUEUE_HANDLE LockHandle);
} RING_LOCK_OPS;

typedef struct _RING_EXTENSION {
    PDEVICE_OBJECT DeviceObject;
    KSPIN_LOCK DataLock;        /* Data, Head, Count (in-stack queued) */
    KSPIN_LOCK StatsLock;       /* Reads, Writes (in-stack queued, inside DataLock) */
    KSPIN_LOCK WaitLock;        /* Waiters (executive) */
    KSPIN_LOCK TuneLock;        /* Tuning (executive) */
    ULONG Data[RING_SIZE];
    ULONG Head;
    ULONG Count;
    ULONG Reads;
    ULONG Writes;
    ULONG Tuning;
    LIST_ENTRY Waiters;         /* pending reads, under the cancel spin lock */
    ERESOURCE LayoutResource;   /* Capacity, Description */
    ULONG Capacity;
    ULONG Description;
    FAST_MUTEX TrimMutex;
    KGUARDED_MUTEX KickMutex;
    ULONG Kicks;
    KDPC KickDpc;
} RING_EXTENSION, *PRING_EXTENSION;

DRIVER_INITIALIZE DriverEntry;

__drv_dispatchType(IRP_MJ_CREATE)
__drv_dispatchType(IRP_MJ_CLOSE)
DRIVER_DISPATCH RingCreateClose;

__drv_dispatchType(IRP_MJ_READ)
DRIVER_DISPATCH RingRead;

__drv_dispatchType(IRP_MJ_WRITE)
DRIVER_DISPATCH RingWrite;

__drv_dispatchType(IRP_MJ_DEVICE_CONTROL)
DRIVER_DISPATCH RingDeviceControl;

DRIVER_CANCEL RingCancelWaiter;
DRIVER_STARTIO RingStartIo;
KDEFERRED_ROUTINE RingKickDpc;
IO_WORKITEM_ROUTINE RingDescribeWorker;
DRIVER_UNLOAD RingUnload;

#endif
