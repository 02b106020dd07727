/* The mailbox driver: its routines and its device extension. */
#ifndef MAILBOX_H
#define MAILBOX_H

#include "wdm.h"

#define MAILBOX_IOCTL(n) CTL_CODE(FILE_DEVICE_UNKNOWN, 0xA00 + (n), METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_MAILBOX_GET_STATS MAILBOX_IOCTL(0)
#define IOCTL_MAILBOX_GET_HISTORY MAILBOX_IOCTL(1)
#define IOCTL_MAILBOX_PEEK_HISTORY MAILBOX_IOCTL(2)
#define IOCTL_MAILBOX_SET_SETTINGS MAILBOX_IOCTL(3)
#define IOCTL_MAILBOX_GET_SETTINGS MAILBOX_IOCTL(4)
#define IOCTL_MAILBOX_COMPACT MAILBOX_IOCTL(5)
#define IOCTL_MAILBOX_FLUSH MAILBOX_IOCTL(6)

#define MAILBOX_RING_SIZE 64
#define MAILBOX_HISTORY_SIZE 32

typedef struct _MAILBOX_STATS {
    ULONG Posted;
    ULONG Delivered;
    ULONG Cancelled;
    ULONG DpcRuns;
} MAILBOX_STATS, *PMAILBOX_STATS;

typedef struct _MAILBOX_SETTINGS {
    ULONG Limit;
    ULONG Generation;
} MAILBOX_SETTINGS, *PMAILBOX_SETTINGS;

typedef struct _MAILBOX_EXTENSION {
    PDEVICE_OBJECT DeviceObject;
    KSPIN_LOCK QueueLock;           /* Ring, Readers (in-stack queued) */
    ULONG Ring[MAILBOX_RING_SIZE];
    ULONG Head;
    ULONG Count;
    LIST_ENTRY Readers;             /* pending reads */
    KSPIN_LOCK StatsLock;           /* Stats */
    KSPIN_LOCK CounterLock;         /* Counters, taken inside StatsLock */
    MAILBOX_STATS Stats;
    ULONG Counters[2];
    FAST_MUTEX HistoryMutex;        /* History */
    ULONG History[MAILBOX_HISTORY_SIZE];
    ULONG HistoryNext;
    ERESOURCE SettingsResource;     /* Settings */
    MAILBOX_SETTINGS Settings;
    ULONG Register;                 /* written at DISPATCH_LEVEL */
    KDPC StatsDpc;
} MAILBOX_EXTENSION, *PMAILBOX_EXTENSION;

DRIVER_INITIALIZE DriverEntry;

_Dispatch_type_(IRP_MJ_CREATE)
_Dispatch_type_(IRP_MJ_CLOSE)
DRIVER_DISPATCH MailboxCreateClose;

_Dispatch_type_(IRP_MJ_READ)
DRIVER_DISPATCH MailboxRead;

_Dispatch_type_(IRP_MJ_WRITE)
DRIVER_DISPATCH MailboxWrite;

_Dispatch_type_(IRP_MJ_DEVICE_CONTROL)
DRIVER_DISPATCH MailboxDeviceControl;

DRIVER_CANCEL MailboxCancelRead;
KDEFERRED_ROUTINE MailboxStatsDpc;
IO_WORKITEM_ROUTINE MailboxCompactWorker;
DRIVER_UNLOAD MailboxUnload;

#endif
