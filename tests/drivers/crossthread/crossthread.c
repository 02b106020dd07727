/*
 * A mock driver whose protocols cross threads, as Windows lets them.
 *
 * - Legal: a dispatch routine acquires an executive resource exclusively
 *   (in a critical region) on one thread and waits; a dispatch routine on
 *   another thread releases it for its owner with
 *   ExReleaseResourceForThreadLite. Nothing is reported: the resource is one
 *   object for both threads, and the first routine returns holding nothing.
 * - Seeded: a dispatch routine acquires a spin lock and a second resource
 *   on one thread; another thread releases both the wrong way (the spin
 *   lock, which only its acquirer may release; the resource with
 *   ExReleaseResourceLite, which releases the calling thread's access).
 *   Each per-object rule (SpinLock, ExclusiveResourceAccess) reports the
 *   bug once, where the other thread made the call. The rules whose state
 *   is a thread's (SpinlockRelease, SpinLockSafe) see it from each side:
 *   the releasing thread releases a lock it never took, and the holder
 *   goes on as if it held the lock (it completes the IRP, then returns).
 *   The IRQL rules, whose IRQL is a thread's, see the holder stay at
 *   DISPATCH_LEVEL (it leaves its critical region and returns there) and
 *   the release made at PASSIVE_LEVEL on the other thread.
 *
 * The test program (main.c) runs each pair of routines on two threads in a
 * fixed order. Checked with the whole built-in pack.
 */
#include "crossthread.h"

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT deviceObject;
    PCROSSTHREAD_EXTENSION extension;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    status = IoCreateDevice(DriverObject, sizeof(CROSSTHREAD_EXTENSION), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE,
                            &deviceObject);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    extension = deviceObject->DeviceExtension;
    ExInitializeResourceLite(&extension->Resource);
    ExInitializeResourceLite(&extension->Other);
    KeInitializeSpinLock(&extension->SpinLock);
    DriverObject->MajorFunction[IRP_MJ_WRITE] = CrossHold;
    DriverObject->MajorFunction[IRP_MJ_READ] = CrossReleaseForOwner;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = CrossHoldSpin;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = CrossReleaseWrongly;
    return STATUS_SUCCESS;
}

VOID
CrossWaitFor(PCROSSTHREAD_EXTENSION Extension, LONG Step)
{
    while (InterlockedCompareExchange(&Extension->Step, Step, Step) < Step) {
    }
}

static NTSTATUS
Complete(PIRP Irp)
{
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT); // expect: SpinLockSafe in Complete
    return STATUS_SUCCESS;
}

/* Holds the resource until the other thread has released it for it. */
_Use_decl_annotations_
NTSTATUS
CrossHold(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PCROSSTHREAD_EXTENSION extension = DeviceObject->DeviceExtension;

    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&extension->Resource, TRUE);
    extension->Owner = ExGetCurrentResourceThread();
    InterlockedExchange(&extension->Step, 1);
    CrossWaitFor(extension, 2);
    KeLeaveCriticalRegion();
    return Complete(Irp);
}

/* Releases the resource the other thread holds, for its owner. */
_Use_decl_annotations_
NTSTATUS
CrossReleaseForOwner(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PCROSSTHREAD_EXTENSION extension = DeviceObject->DeviceExtension;

    CrossWaitFor(extension, 1);
    KeEnterCriticalRegion();
    ExReleaseResourceForThreadLite(&extension->Resource, extension->Owner);
    KeLeaveCriticalRegion();
    InterlockedExchange(&extension->Step, 2);
    return Complete(Irp);
}

/* Holds a spin lock and a resource until the other thread has released
   them. */
_Use_decl_annotations_
NTSTATUS
CrossHoldSpin(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PCROSSTHREAD_EXTENSION extension = DeviceObject->DeviceExtension;
    KIRQL irql;

    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&extension->Other, TRUE);
    KeAcquireSpinLock(&extension->SpinLock, &irql);
    InterlockedExchange(&extension->Step, 1);
    CrossWaitFor(extension, 2);
    KeLeaveCriticalRegion(); // expect: IrqlKeApcLte2 in CrossHoldSpin
    return Complete(Irp); // expect: SpinlockRelease in CrossHoldSpin ; IrqlReturn in CrossHoldSpin
}

/* Releases what the other thread holds, the wrong way. */
_Use_decl_annotations_
NTSTATUS
CrossReleaseWrongly(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PCROSSTHREAD_EXTENSION extension = DeviceObject->DeviceExtension;

    CrossWaitFor(extension, 1);
    KeReleaseSpinLock(&extension->SpinLock, PASSIVE_LEVEL); // expect: SpinLock in CrossReleaseWrongly ; IrqlKeReleaseSpinLock in CrossReleaseWrongly ; SpinlockRelease in CrossReleaseWrongly ; SpinLockSafe in CrossReleaseWrongly
    KeEnterCriticalRegion();
    ExReleaseResourceLite(&extension->Other); // expect: ExclusiveResourceAccess in CrossReleaseWrongly
    KeLeaveCriticalRegion();
    InterlockedExchange(&extension->Step, 2);
    return Complete(Irp);
}
