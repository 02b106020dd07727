/* The configuration driver's routines and its device extension. */
#ifndef CONFIG_H
#define CONFIG_H

#include "wdm.h"

#define CONFIG_IOCTL(n) CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900 + (n), METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_CONFIG_GET CONFIG_IOCTL(0)
#define IOCTL_CONFIG_SET CONFIG_IOCTL(1)
#define IOCTL_CONFIG_COMMIT CONFIG_IOCTL(2)
#define IOCTL_CONFIG_REFRESH CONFIG_IOCTL(3)
#define IOCTL_CONFIG_LOG_DUMP CONFIG_IOCTL(4)
#define IOCTL_CONFIG_GET_STATS CONFIG_IOCTL(5)
#define IOCTL_CONFIG_RESET_STATS CONFIG_IOCTL(6)
#define IOCTL_CONFIG_SNAPSHOT CONFIG_IOCTL(7)
#define IOCTL_CONFIG_READ_CACHE CONFIG_IOCTL(8)
#define IOCTL_CONFIG_PROBE CONFIG_IOCTL(9)
#define IOCTL_CONFIG_FLUSH CONFIG_IOCTL(10)
#define IOCTL_CONFIG_POKE CONFIG_IOCTL(11)
#define IOCTL_CONFIG_SYNC CONFIG_IOCTL(12)

#define CONFIG_LOG_SIZE 16

typedef struct _CONFIG_DATA {
    ULONG Mode;
    ULONG Threshold;
} CONFIG_DATA, *PCONFIG_DATA;

typedef struct _CONFIG_STATS {
    ULONG Gets;
    ULONG Sets;
    ULONG Commits;
} CONFIG_STATS, *PCONFIG_STATS;

typedef struct _CONFIG_EXTENSION {
    PDEVICE_OBJECT DeviceObject;
    ERESOURCE ConfigResource;   /* Config, Generation */
    ERESOURCE StatsResource;    /* Stats */
    ERESOURCE CacheResource;    /* Cache, CacheGeneration */
    FAST_MUTEX LogMutex;        /* Log, LogNext */
    FAST_MUTEX StatsMutex;      /* Counters */
    FAST_MUTEX SnapshotMutex;   /* Snapshot */
    KSPIN_LOCK RegisterLock;    /* Registers */
    CONFIG_DATA Config;
    CONFIG_DATA Cache;
    CONFIG_DATA Snapshot;
    CONFIG_STATS Stats;
    ULONG Generation;
    ULONG CacheGeneration;
    ULONG Log[CONFIG_LOG_SIZE];
    ULONG LogNext;
    ULONG Counters[4];
    ULONG Registers[4];
    BOOLEAN Present;
    BOOLEAN Dirty;
    BOOLEAN NeedsDpcLevel;
} CONFIG_EXTENSION, *PCONFIG_EXTENSION;

DRIVER_INITIALIZE DriverEntry;

_Dispatch_type_(IRP_MJ_CREATE) _Dispatch_type_(IRP_MJ_CLOSE) _Dispatch_type_(IRP_MJ_CLEANUP)
DRIVER_DISPATCH ConfigCreateClose;

_Dispatch_type_(IRP_MJ_DEVICE_CONTROL)
DRIVER_DISPATCH ConfigDeviceControl;

IO_WORKITEM_ROUTINE ConfigRefreshWorker;
DRIVER_UNLOAD ConfigUnload;

#endif
