/* An older style of driver header: plain prototypes, no role types and
   no dispatch annotations. slic learns the roles from the registrations
   in legacy.c (MajorFunction and DriverUnload assignments,
   IoSetCancelRoutine, IoQueueWorkItem) and DriverEntry from its name. */
#ifndef LEGACY_H
#define LEGACY_H

#include "wdm.h"

#define IOCTL_LEGACY_WAIT CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_LEGACY_RESET CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_LEGACY_FLUSH CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_LEGACY_CANCEL_ALL CTL_CODE(FILE_DEVICE_UNKNOWN, 0x803, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_LEGACY_WAIT_NOTIFY CTL_CODE(FILE_DEVICE_UNKNOWN, 0x804, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_LEGACY_SIGNAL CTL_CODE(FILE_DEVICE_UNKNOWN, 0x805, METHOD_BUFFERED, FILE_ANY_ACCESS)

typedef struct _LEGACY_EXTENSION {
    PDEVICE_OBJECT DeviceObject;
    LIST_ENTRY ReadQueue;     /* pending reads, under the cancel spin lock */
    LIST_ENTRY WriteQueue;    /* pending writes, under the cancel spin lock */
    LIST_ENTRY WaitQueue;     /* pending waits, under the cancel spin lock */
    KSPIN_LOCK NotifyLock;    /* NotifyQueue (in-stack queued) */
    LIST_ENTRY NotifyQueue;
    BOOLEAN Started;
    ULONG Data;
} LEGACY_EXTENSION, *PLEGACY_EXTENSION;

NTSTATUS LegacyCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp);
NTSTATUS LegacyRead(PDEVICE_OBJECT DeviceObject, PIRP Irp);
NTSTATUS LegacyWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp);
NTSTATUS LegacyDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp);
NTSTATUS LegacyCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp);
VOID LegacyCancelRead(PDEVICE_OBJECT DeviceObject, PIRP Irp);
VOID LegacyCancelWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp);
VOID LegacyCancelWait(PDEVICE_OBJECT DeviceObject, PIRP Irp);
VOID LegacyCancelNotify(PDEVICE_OBJECT DeviceObject, PIRP Irp);
VOID LegacyFlushWorker(PDEVICE_OBJECT DeviceObject, PVOID Context);
VOID LegacyUnload(PDRIVER_OBJECT DriverObject);
VOID LegacyCompleteRequest(PIRP Irp, NTSTATUS Status, ULONG_PTR Information);
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

#endif
