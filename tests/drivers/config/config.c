/*
 * A mock driver that keeps a configuration under executive resources
 * (entered through critical regions), a log and statistics under fast
 * mutexes, a cache read inside guarded regions, and device registers
 * written at raised IRQL. Most lock calls go through the driver's own
 * macros, some of them multi-line, some built on others: the reports of
 * calls in a macro point at the line where the macro is used. Checked with
 * the whole built-in pack.
 *
 * Seeded bugs, each marked with every report the pack gives for it on its
 * line (`expect:`), or with no position (`expect-unknown:`) for a call
 * through a local function pointer. Each resource and mutex has one seeded
 * bug at most, since an object whose instance reported is no longer
 * checked.
 */
#include "config.h"

/* A resource, taken inside a critical region. */
#define RESOURCE_LOCK_EXCLUSIVE(Resource)                   \
    do {                                                    \
        KeEnterCriticalRegion();                            \
        (VOID)ExAcquireResourceExclusiveLite((Resource),    \
                                             TRUE);         \
    } while (0)

#define RESOURCE_LOCK_SHARED(Resource)                      \
    do {                                                    \
        KeEnterCriticalRegion();                            \
        (VOID)ExAcquireResourceSharedLite((Resource), TRUE); \
    } while (0)

#define RESOURCE_UNLOCK(Resource)                           \
    do {                                                    \
        ExReleaseResourceLite((Resource));                  \
        KeLeaveCriticalRegion();                            \
    } while (0)

/* Built on the macros above. */
#define CONFIG_LOCK(Ext) RESOURCE_LOCK_EXCLUSIVE(&(Ext)->ConfigResource)
#define CONFIG_UNLOCK(Ext) RESOURCE_UNLOCK(&(Ext)->ConfigResource)

#define LOG_LOCK(Ext) ExAcquireFastMutex(&(Ext)->LogMutex)
#define LOG_UNLOCK(Ext) ExReleaseFastMutex(&(Ext)->LogMutex)
#define LOG_APPEND(Ext, Value)                                      \
    do {                                                            \
        LOG_LOCK(Ext);                                              \
        (Ext)->Log[(Ext)->LogNext++ % CONFIG_LOG_SIZE] = (Value);   \
        LOG_UNLOCK(Ext);                                            \
    } while (0)

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT deviceObject;
    PCONFIG_EXTENSION extension;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    status = IoCreateDevice(DriverObject, sizeof(CONFIG_EXTENSION), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE,
                            &deviceObject);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    extension = deviceObject->DeviceExtension;
    extension->DeviceObject = deviceObject;
    ExInitializeResourceLite(&extension->ConfigResource);
    ExInitializeResourceLite(&extension->StatsResource);
    ExInitializeResourceLite(&extension->CacheResource);
    ExInitializeFastMutex(&extension->LogMutex);
    ExInitializeFastMutex(&extension->StatsMutex);
    ExInitializeFastMutex(&extension->SnapshotMutex);
    KeInitializeSpinLock(&extension->RegisterLock);
    extension->Present = TRUE;
    extension->Generation = 1;

    DriverObject->MajorFunction[IRP_MJ_CREATE] = ConfigCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = ConfigCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = ConfigCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = ConfigDeviceControl;
    DriverObject->DriverUnload = ConfigUnload;
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS
ConfigCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PCONFIG_EXTENSION extension = DeviceObject->DeviceExtension;

    LOG_APPEND(extension, IoGetCurrentIrpStackLocation(Irp)->MajorFunction);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* Bug: called with the configuration resource held exclusively, it takes
   it again (the kernel allows it, the rule does not: the caller's lock is
   hidden), and enters a second critical region (which nests, correctly). */
static VOID
ConfigValidate(PCONFIG_EXTENSION Extension)
{
    CONFIG_LOCK(Extension); // expect: ExclusiveResourceAccess in ConfigValidate
    if (Extension->Config.Threshold > 100) {
        Extension->Config.Threshold = 100;
    }
    CONFIG_UNLOCK(Extension);
}

/* Bug: called with the log mutex held, it appends through LOG_APPEND,
   which takes the mutex again (a fast mutex would deadlock). */
static VOID
ConfigNote(PCONFIG_EXTENSION Extension, ULONG Value)
{
    /* The line of the macro use starts inside this comment; the report
       still points at the use. */ LOG_APPEND(Extension, Value); // expect: FastMutex in ConfigNote
}

/* Bug: a lookup helper enters a guarded region its caller is already in. */
static ULONG
ConfigLookupCache(PCONFIG_EXTENSION Extension)
{
    ULONG mode;

    KeEnterGuardedRegion(); // expect: GuardedRegions in ConfigLookupCache
    mode = Extension->Cache.Mode;
    KeLeaveGuardedRegion();
    return mode;
}

/* Bug: leaves the guarded region (through a pointer chosen once) whether
   or not it entered it. */
static VOID
ConfigFlush(PCONFIG_EXTENSION Extension)
{
    VOID (*leaveRegion)(VOID) = KeLeaveGuardedRegion;

    if (Extension->Dirty) {
        KeEnterGuardedRegion();
        Extension->Cache = Extension->Config;
        Extension->Dirty = FALSE;
    }
    leaveRegion(); // expect-unknown: GuardedRegions in ConfigFlush
}

/* Bug: meant for callers at PASSIVE_LEVEL; called under the register spin
   lock, its KeRaiseIrql would lower the IRQL. */
static VOID
ConfigWriteRegister(PCONFIG_EXTENSION Extension, ULONG Index, ULONG Value)
{
    KIRQL oldIrql;

    KeRaiseIrql(APC_LEVEL, &oldIrql); // expect: IrqlKeRaiseLower in ConfigWriteRegister
    Extension->Registers[Index % 4] = Value;
    KeLowerIrql(oldIrql);
}

/* Refreshes the cache from the configuration. Bug: when the cache is up
   to date it returns holding the cache resource, inside the critical
   region ExEnterCriticalRegionAndAcquireResourceExclusive entered. */
_Use_decl_annotations_
VOID
ConfigRefreshWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PCONFIG_EXTENSION extension = DeviceObject->DeviceExtension;
    ULONG generation;

    IoFreeWorkItem((PIO_WORKITEM)Context);
    RESOURCE_LOCK_SHARED(&extension->ConfigResource);
    generation = extension->Generation;
    RESOURCE_UNLOCK(&extension->ConfigResource);

    ExEnterCriticalRegionAndAcquireResourceExclusive(&extension->CacheResource);
    if (extension->CacheGeneration == generation) {
        return;
    }
    extension->Cache = extension->Config;
    extension->CacheGeneration = generation;
    ExReleaseResourceAndLeaveCriticalRegion(&extension->CacheResource);
} // expect: ExclusiveResourceAccess in ConfigRefreshWorker ; CriticalRegions in ConfigRefreshWorker

_Use_decl_annotations_
NTSTATUS
ConfigDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PCONFIG_EXTENSION extension = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    ULONG inLength = stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG outLength = stack->Parameters.DeviceIoControl.OutputBufferLength;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG_PTR information = 0;
    PIO_WORKITEM item;
    KIRQL irql;
    KIRQL oldIrql = PASSIVE_LEVEL;

    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_CONFIG_GET:
        /* Correct: shared access inside a critical region. */
        if (outLength < sizeof(CONFIG_DATA)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        RESOURCE_LOCK_SHARED(&extension->ConfigResource);
        *(PCONFIG_DATA)buffer = extension->Config;
        RESOURCE_UNLOCK(&extension->ConfigResource);
        information = sizeof(CONFIG_DATA);
        break;

    case IOCTL_CONFIG_SET:
        /* Bug: a short buffer jumps to the unlock without the lock: the
           resource is released and the critical region left unentered. */
        if (inLength < sizeof(CONFIG_DATA)) {
            status = STATUS_BUFFER_TOO_SMALL;
            goto unlock_stats;
        }
        CONFIG_LOCK(extension);
        extension->Config = *(PCONFIG_DATA)buffer;
        extension->Generation++;
        extension->Dirty = TRUE;
        CONFIG_UNLOCK(extension);
        RESOURCE_LOCK_EXCLUSIVE(&extension->StatsResource);
        extension->Stats.Sets++;
    unlock_stats:
        RESOURCE_UNLOCK(&extension->StatsResource); // expect: ExclusiveResourceAccess in ConfigDeviceControl ; CriticalRegions in ConfigDeviceControl ; WithinCriticalRegion in ConfigDeviceControl
        break;

    case IOCTL_CONFIG_COMMIT:
        CONFIG_LOCK(extension);
        ConfigValidate(extension);
        extension->Generation++;
        CONFIG_UNLOCK(extension);
        break;

    case IOCTL_CONFIG_REFRESH:
        item = IoAllocateWorkItem(DeviceObject);
        if (item == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        IoQueueWorkItem(item, ConfigRefreshWorker, DelayedWorkQueue, item);
        break;

    case IOCTL_CONFIG_LOG_DUMP:
        LOG_LOCK(extension);
        information = extension->LogNext;
        ConfigNote(extension, (ULONG)information);
        LOG_UNLOCK(extension);
        break;

    case IOCTL_CONFIG_GET_STATS:
        /* Correct: a failed try takes nothing and releases nothing. */
        if (ExTryToAcquireFastMutex(&extension->StatsMutex)) {
            information = extension->Counters[0];
            ExReleaseFastMutex(&extension->StatsMutex);
        } else {
            status = STATUS_DEVICE_BUSY;
        }
        break;

    case IOCTL_CONFIG_RESET_STATS:
        /* Bug: releases the mutex even when the try failed. */
        if (!ExTryToAcquireFastMutex(&extension->StatsMutex)) {
            status = STATUS_DEVICE_BUSY;
        } else {
            extension->Counters[0] = 0;
        }
        ExReleaseFastMutex(&extension->StatsMutex); // expect: FastMutex in ConfigDeviceControl
        break;

    case IOCTL_CONFIG_SNAPSHOT:
        /* Bug: the short-buffer path returns holding the snapshot mutex. */
        ExAcquireFastMutex(&extension->SnapshotMutex);
        if (outLength < sizeof(CONFIG_DATA)) {
            Irp->IoStatus.Status = STATUS_BUFFER_TOO_SMALL;
            Irp->IoStatus.Information = 0;
            IoCompleteRequest(Irp, IO_NO_INCREMENT);
            return STATUS_BUFFER_TOO_SMALL;
        }
        extension->Snapshot = extension->Config;
        *(PCONFIG_DATA)buffer = extension->Snapshot;
        ExReleaseFastMutex(&extension->SnapshotMutex);
        information = sizeof(CONFIG_DATA);
        break;

    case IOCTL_CONFIG_READ_CACHE:
        KeEnterGuardedRegion();
        information = ConfigLookupCache(extension);
        KeLeaveGuardedRegion();
        break;

    case IOCTL_CONFIG_PROBE:
        /* Bug: an absent device returns inside the guarded region. */
        KeEnterGuardedRegion();
        if (!extension->Present) {
            Irp->IoStatus.Status = STATUS_DEVICE_NOT_READY;
            Irp->IoStatus.Information = 0;
            IoCompleteRequest(Irp, IO_NO_INCREMENT);
            return STATUS_DEVICE_NOT_READY;
        }
        information = extension->Registers[0];
        KeLeaveGuardedRegion();
        break;

    case IOCTL_CONFIG_FLUSH:
        ConfigFlush(extension);
        break;

    case IOCTL_CONFIG_POKE:
        KeAcquireSpinLock(&extension->RegisterLock, &irql);
        ConfigWriteRegister(extension, 1, 0x5a);
        KeReleaseSpinLock(&extension->RegisterLock, irql);
        break;

    case IOCTL_CONFIG_SYNC:
        /* Bug: lowers the IRQL whether or not it raised it. */
        if (extension->NeedsDpcLevel) {
            oldIrql = KeRaiseIrqlToDpcLevel();
        }
        extension->Registers[2] = extension->Registers[1];
        KeLowerIrql(oldIrql); // expect: IrqlKeRaiseLower in ConfigDeviceControl
        break;

    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }

    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
} // expect: FastMutex in ConfigDeviceControl ; GuardedRegions in ConfigDeviceControl ; IrqlReturn in ConfigDeviceControl

_Use_decl_annotations_
VOID
ConfigUnload(PDRIVER_OBJECT DriverObject)
{
    PCONFIG_EXTENSION extension = DriverObject->DeviceObject->DeviceExtension;

    ExDeleteResourceLite(&extension->ConfigResource);
    ExDeleteResourceLite(&extension->StatsResource);
    ExDeleteResourceLite(&extension->CacheResource);
    IoDeleteDevice(DriverObject->DeviceObject);
}
