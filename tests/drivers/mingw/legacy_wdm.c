/*
 * A WDM driver in the style of older WDK samples, against mingw-w64's DDK
 * headers (<ntddk.h>): ntdef.h's IN / OUT / OPTIONAL on every parameter, a
 * routine description between each head and its body, a timer whose due
 * time is a LARGE_INTEGER passed by value, a cancel-spin-lock read queue,
 * a system thread (KSTART_ROUTINE: no role yet, its calls are not the
 * driver's to the monitor).
 * Written here, in that style; no sample's code.
 *
 * Seeded bug (never run: there is no Windows kernel here): LegacyRead
 * returns busy still holding the cancel spin lock (CancelSpinLock,
 * CancelSpinlockRelease).
 */
#include <ntddk.h>

typedef struct _LEGACY_EXTENSION {
    PIRP PendingRead;
    KTIMER Timer;
    KDPC TimerDpc;
} LEGACY_EXTENSION, *PLEGACY_EXTENSION;

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD LegacyUnload;
DRIVER_DISPATCH LegacyCreateClose;
DRIVER_DISPATCH LegacyRead;
DRIVER_CANCEL LegacyCancelRead;
KDEFERRED_ROUTINE LegacyTimerDpc;
KSTART_ROUTINE LegacyThread;

NTSTATUS
NTAPI
LegacyCreateClose(
    IN PDEVICE_OBJECT DeviceObject,
    IN OUT PIRP Irp
    )
/*++

Routine Description:

    Opens and closes succeed.

Arguments:

    DeviceObject - the device.

    Irp - the create or close request.

--*/
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

VOID
NTAPI
LegacyCancelRead(
    IN OUT PDEVICE_OBJECT DeviceObject,
    IN PIRP Irp
    )
/*++

Routine Description:

    Takes the queued read off the queue and completes it as cancelled.
    Called with the cancel spin lock held; releases it.

--*/
{
    PLEGACY_EXTENSION extension = (PLEGACY_EXTENSION)DeviceObject->DeviceExtension;

    if (extension->PendingRead == Irp) {
        extension->PendingRead = NULL;
    }
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

NTSTATUS
NTAPI
LegacyRead(
    IN PDEVICE_OBJECT DeviceObject,
    IN PIRP Irp
    )
/*++

Routine Description:

    Queues the read, cancellable, under the cancel spin lock; the timer's
    DPC completes it. A second read while one waits is refused.

--*/
{
    PLEGACY_EXTENSION extension = (PLEGACY_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL irql;
    NTSTATUS status = STATUS_PENDING;

    IoAcquireCancelSpinLock(&irql);
    if (extension->PendingRead != NULL) {
        /* The seeded bug: the cancel spin lock is still held. */
        return STATUS_DEVICE_BUSY;
    }
    IoMarkIrpPending(Irp);
    extension->PendingRead = Irp;
    IoSetCancelRoutine(Irp, LegacyCancelRead);
    IoReleaseCancelSpinLock(irql);
    return status;
} // expect: CancelSpinLock in LegacyRead ; CancelSpinlockRelease in LegacyRead

VOID
NTAPI
LegacyTimerDpc(
    IN PKDPC Dpc,
    IN PVOID DeferredContext OPTIONAL,
    IN PVOID SystemArgument1 OPTIONAL,
    IN PVOID SystemArgument2 OPTIONAL
    )
/*++

Routine Description:

    Completes the queued read, if its cancel routine can still be taken
    back.

--*/
{
    PLEGACY_EXTENSION extension = (PLEGACY_EXTENSION)DeferredContext;
    PIRP irp = NULL;
    KIRQL irql;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    IoAcquireCancelSpinLock(&irql);
    if (extension->PendingRead != NULL && IoSetCancelRoutine(extension->PendingRead, NULL) != NULL) {
        irp = extension->PendingRead;
        extension->PendingRead = NULL;
    }
    IoReleaseCancelSpinLock(irql);
    if (irp != NULL) {
        irp->IoStatus.Status = STATUS_SUCCESS;
        irp->IoStatus.Information = 0;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
}

VOID
NTAPI
LegacyThread(
    IN PVOID StartContext
    )
/*++

Routine Description:

    Starts the timer from a thread of the driver's own, at PASSIVE_LEVEL,
    and ends.

--*/
{
    PLEGACY_EXTENSION extension = (PLEGACY_EXTENSION)StartContext;
    LARGE_INTEGER due;

    due.QuadPart = -1000000;
    KeSetTimerEx(&extension->Timer, due, 100, &extension->TimerDpc);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

VOID
NTAPI
LegacyUnload(
    IN PDRIVER_OBJECT DriverObject
    )
/*++

Routine Description:

    Stops the timer and deletes the device.

--*/
{
    PDEVICE_OBJECT device = DriverObject->DeviceObject;
    PLEGACY_EXTENSION extension = (PLEGACY_EXTENSION)device->DeviceExtension;

    KeCancelTimer(&extension->Timer);
    IoDeleteDevice(device);
}

NTSTATUS
NTAPI
DriverEntry(
    IN PDRIVER_OBJECT DriverObject,
    IN PUNICODE_STRING RegistryPath OPTIONAL
    )
/*++

Routine Description:

    Creates the device and the thread that starts the timer: every
    100 ms, first after 100 ms (a relative due time, negative, in 100 ns
    units).

--*/
{
    PDEVICE_OBJECT device;
    PLEGACY_EXTENSION extension;
    NTSTATUS status;
    HANDLE thread;

    UNREFERENCED_PARAMETER(RegistryPath);
    status = IoCreateDevice(DriverObject, sizeof(LEGACY_EXTENSION), NULL,
                            FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    extension = (PLEGACY_EXTENSION)device->DeviceExtension;
    extension->PendingRead = NULL;
    KeInitializeTimer(&extension->Timer);
    KeInitializeDpc(&extension->TimerDpc, LegacyTimerDpc, extension);
    status = PsCreateSystemThread(&thread, 0, NULL, NULL, NULL, LegacyThread, extension);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        return status;
    }
    ZwClose(thread);
    DriverObject->MajorFunction[IRP_MJ_CREATE] = LegacyCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = LegacyCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = LegacyRead;
    DriverObject->DriverUnload = LegacyUnload;
    return STATUS_SUCCESS;
}
