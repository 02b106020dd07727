/*
 * A mock driver with no bugs, for two threads in a fixed order: one
 * dispatch routine holds a lock of every kind the per-object rules follow
 * while, on another thread, a second dispatch routine tries the same locks
 * (the tries fail) and returns. The second thread holds nothing, so slic
 * must report nothing: per-object rules see each thread's own locks.
 * Checked with the whole built-in pack.
 */
#include "handoff.h"

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT deviceObject;
    PHANDOFF_EXTENSION extension;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    status = IoCreateDevice(DriverObject, sizeof(HANDOFF_EXTENSION), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE,
                            &deviceObject);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    extension = deviceObject->DeviceExtension;
    ExInitializeFastMutex(&extension->Mutex);
    KeInitializeSpinLock(&extension->SpinLock);
    KeInitializeSpinLock(&extension->QueuedLock);
    ExInitializeResourceLite(&extension->Resource);
    DriverObject->MajorFunction[IRP_MJ_READ] = HandoffHold;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = HandoffPeek;
    return STATUS_SUCCESS;
}

/* Holds everything until the other thread has peeked. */
_Use_decl_annotations_
NTSTATUS
HandoffHold(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PHANDOFF_EXTENSION extension = DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE handle;
    KIRQL irql;

    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&extension->Resource, TRUE);
    ExAcquireFastMutex(&extension->Mutex);
    KeAcquireSpinLock(&extension->SpinLock, &irql);
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&extension->QueuedLock, &handle);
    InterlockedIncrement(&extension->Holding);
    while (extension->Peeked == 0) {
    }
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&handle);
    KeReleaseSpinLock(&extension->SpinLock, irql);
    ExReleaseFastMutex(&extension->Mutex);
    ExReleaseResourceLite(&extension->Resource);
    KeLeaveCriticalRegion();
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* Runs while the other thread holds the locks: every try fails, and the
   routine returns holding nothing. */
_Use_decl_annotations_
NTSTATUS
HandoffPeek(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PHANDOFF_EXTENSION extension = DeviceObject->DeviceExtension;
    NTSTATUS status = STATUS_SUCCESS;

    if (ExTryToAcquireFastMutex(&extension->Mutex)) {
        ExReleaseFastMutex(&extension->Mutex);
    } else {
        status = STATUS_DEVICE_BUSY;
    }
    KeEnterCriticalRegion();
    if (ExAcquireResourceExclusiveLite(&extension->Resource, FALSE)) {
        ExReleaseResourceLite(&extension->Resource);
    } else {
        status = STATUS_DEVICE_BUSY;
    }
    KeLeaveCriticalRegion();
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}
