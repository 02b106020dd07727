/*
 * A WDM driver written against mingw-w64's DDK headers (<wdm.h>): in-stack
 * queued spin locks, the cancel spin lock, a fast mutex inside a critical
 * region, IRQL raised and lowered, a StartIo routine and a completion
 * routine. Routines are registered by assignment and by
 * IoSetCompletionRoutine, and declared with role types.
 *
 * On x64 the header defines KfRaiseIrql, KeLowerIrql and
 * KeRaiseIrqlToDpcLevel as inline functions, and KeRaiseIrql as a macro
 * over KfRaiseIrql.
 *
 * Seeded bugs (never run: there is no Windows kernel here):
 * DispatchDeviceControl returns holding an in-stack queued spin lock
 * (QueuedSpinLockRelease); StartIo releases the cancel spin lock it never
 * acquired (CancelSpinLock).
 */
#include <wdm.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK QueueLock;
    FAST_MUTEX ConfigMutex;
    ULONG Config;
    ULONG Requests;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD Unload;
DRIVER_DISPATCH DispatchDeviceControl;
DRIVER_DISPATCH DispatchPower;
DRIVER_STARTIO StartIo;
IO_COMPLETION_ROUTINE PowerCompleted;

static ULONG
CountRequest(PDEVICE_EXTENSION Extension)
{
    KLOCK_QUEUE_HANDLE handle;
    ULONG count;

    KeAcquireInStackQueuedSpinLock(&Extension->QueueLock, &handle);
    count = ++Extension->Requests;
    KeReleaseInStackQueuedSpinLock(&handle);
    return count;
}

NTSTATUS
NTAPI
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT device;
    PDEVICE_EXTENSION extension;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    status = IoCreateDevice(DriverObject, sizeof(DEVICE_EXTENSION), NULL,
                            FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    extension = (PDEVICE_EXTENSION)device->DeviceExtension;
    KeInitializeSpinLock(&extension->QueueLock);
    ExInitializeFastMutex(&extension->ConfigMutex);
    extension->Config = 0;
    extension->Requests = 0;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = DispatchDeviceControl;
    DriverObject->MajorFunction[IRP_MJ_POWER] = DispatchPower;
    DriverObject->DriverStartIo = StartIo;
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}

/* Bug: the error path returns with the queued spin lock held. */
NTSTATUS
NTAPI
DispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION extension = (PDEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    KLOCK_QUEUE_HANDLE handle;
    NTSTATUS status = STATUS_SUCCESS;

    CountRequest(extension);
    KeEnterCriticalRegion();
    ExAcquireFastMutex(&extension->ConfigMutex);
    extension->Config = stack->Parameters.DeviceIoControl.IoControlCode;
    ExReleaseFastMutex(&extension->ConfigMutex);
    KeLeaveCriticalRegion();
    KeAcquireInStackQueuedSpinLock(&extension->QueueLock, &handle);
    if (stack->Parameters.DeviceIoControl.InputBufferLength == 0) {
        Irp->IoStatus.Status = STATUS_INVALID_PARAMETER;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_INVALID_PARAMETER;
    }
    KeReleaseInStackQueuedSpinLock(&handle);
    IoMarkIrpPending(Irp);
    IoStartPacket(DeviceObject, Irp, NULL, NULL);
    return status == STATUS_SUCCESS ? STATUS_PENDING : status;
} // expect: QueuedSpinLockRelease in DispatchDeviceControl

/* Correct: the cancel spin lock is taken and given back around the check,
   and IRQL is raised and lowered in pairs. */
NTSTATUS
NTAPI
DispatchPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL cancel_irql;
    KIRQL old_irql;
    BOOLEAN cancelled;

    UNREFERENCED_PARAMETER(DeviceObject);
    IoAcquireCancelSpinLock(&cancel_irql);
    cancelled = Irp->Cancel;
    IoReleaseCancelSpinLock(cancel_irql);
    KeRaiseIrql(DISPATCH_LEVEL, &old_irql); // c-only KeRaiseIrql.exit: the header defines KfRaiseIrql, which this macro calls, as an inline function on x64, and clang inlines it (always_inline) before the IR weaver sees the module: no call is left to bind
    KeLowerIrql(old_irql); // c-only KeLowerIrql.exit: the header defines KeLowerIrql as an inline function on x64, and clang inlines it (always_inline) before the IR weaver sees the module: no call is left to bind // c-only KeLowerIrql.entry: the same (IrqlKeRaiseLower2 checks a lower when it is made)
    if (cancelled) {
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_CANCELLED;
    }
    IoSetCompletionRoutine(Irp, PowerCompleted, NULL, TRUE, TRUE, TRUE);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

NTSTATUS
NTAPI
PowerCompleted(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Context);
    if (Irp->PendingReturned) {
        IoMarkIrpPending(Irp);
    }
    return STATUS_CONTINUE_COMPLETION;
}

/* Bug: releases the cancel spin lock it never acquired. */
VOID
NTAPI
StartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql = KeRaiseIrqlToDpcLevel(); // c-only KeRaiseIrqlToDpcLevel.exit: the header defines KeRaiseIrqlToDpcLevel as an inline function on x64, and clang inlines it (always_inline) before the IR weaver sees the module: no call is left to bind // c-only KeRaiseIrqlToDpcLevel.entry: the same (IrqlKeDispatchLte checks the IRQL it is called at)

    IoReleaseCancelSpinLock(irql); // expect: CancelSpinLock in StartIo
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    IoStartNextPacket(DeviceObject, FALSE);
}

VOID
NTAPI
Unload(PDRIVER_OBJECT DriverObject)
{
    IoDeleteDevice(DriverObject->DeviceObject);
}
