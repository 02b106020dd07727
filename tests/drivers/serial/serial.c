/*
 * A mock serial port driver. Reads and writes go through IoStartPacket to
 * StartIo, which "writes the UART" and queues a DPC that completes the
 * request and starts the next one; device controls change the line
 * settings and the statistics under executive spin locks. Checked with the
 * whole built-in pack.
 *
 * Seeded bugs, each marked with every report the pack gives for it on its
 * line (`expect:`), or with no position (`expect-unknown:`) for calls
 * through the lock table. Each lock has one job so that a lock whose
 * SpinLock instance failed (reported once, then no longer checked) is not
 * needed by a later scenario.
 */
#include "serial.h"

/* The lock table: calls through it have no position; the reports name the
   table, where the addresses were taken. */
static const SERIAL_LOCK_OPS SerialLockOps = {
    KeAcquireSpinLockRaiseToDpc,
    KeReleaseSpinLock,
};

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT deviceObject;
    PSERIAL_DEVICE_EXTENSION extension;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);

    status = IoCreateDevice(DriverObject, sizeof(SERIAL_DEVICE_EXTENSION), NULL,
                            FILE_DEVICE_SERIAL_PORT, 0, TRUE, &deviceObject);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    extension = deviceObject->DeviceExtension;
    extension->DeviceObject = deviceObject;
    KeInitializeSpinLock(&extension->ControlLock);
    KeInitializeSpinLock(&extension->OpenLock);
    KeInitializeSpinLock(&extension->StatsLock);
    KeInitializeSpinLock(&extension->HwLock);
    KeInitializeSpinLock(&extension->WaitLock);
    KeInitializeSpinLock(&extension->PurgeLock);
    KeInitializeDpc(&extension->CompletionDpc, SerialCompletionDpc, extension);
    extension->BaudRate = 9600;
    extension->Divisor = 115200 / 9600;
    deviceObject->Flags |= DO_BUFFERED_IO;

    DriverObject->MajorFunction[IRP_MJ_CREATE] = SerialCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = SerialCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = SerialReadWrite;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = SerialReadWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = SerialDeviceControl;
    DriverObject->DriverStartIo = SerialStartIo;
    DriverObject->DriverUnload = SerialUnload;
    return STATUS_SUCCESS;
}

/* Bug (closing without an open): the early path completes the IRP while
   it holds OpenLock (SpinLockSafe), and returns still holding it (SpinLock
   and SpinlockRelease, at the routine's exit). */
_Use_decl_annotations_
NTSTATUS
SerialCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PSERIAL_DEVICE_EXTENSION extension = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    KIRQL irql;

    if (stack->MajorFunction == IRP_MJ_CREATE) {
        KeAcquireSpinLock(&extension->OpenLock, &irql);
        extension->OpenCount++;
        KeReleaseSpinLock(&extension->OpenLock, irql);
    } else {
        irql = KeAcquireSpinLockRaiseToDpc(&extension->OpenLock);
        if (extension->OpenCount == 0) {
            Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
            IoCompleteRequest(Irp, IO_NO_INCREMENT); // expect: SpinLockSafe in SerialCreateClose
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        extension->OpenCount--;
        KeReleaseSpinLock(&extension->OpenLock, irql);
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
} // expect: SpinLock in SerialCreateClose ; SpinlockRelease in SerialCreateClose ; IrqlReturn in SerialCreateClose

/* Correct: queues the request for StartIo. */
_Use_decl_annotations_
NTSTATUS
SerialReadWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);

    if (stack->Parameters.Write.Length == 0) {
        Irp->IoStatus.Status = STATUS_SUCCESS;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_SUCCESS;
    }
    IoMarkIrpPending(Irp);
    IoStartPacket(DeviceObject, Irp, NULL, NULL);
    return STATUS_PENDING;
}

/* Correct: runs at DISPATCH_LEVEL, so the DPC-level calls. */
_Use_decl_annotations_
VOID
SerialStartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PSERIAL_DEVICE_EXTENSION extension = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);

    if (KeTryToAcquireSpinLockAtDpcLevel(&extension->HwLock)) {
        extension->TransmitRegister = stack->Parameters.Write.Length;
        KeReleaseSpinLockFromDpcLevel(&extension->HwLock);
    }
    KeInsertQueueDpc(&extension->CompletionDpc, Irp, NULL);
}

/* Two bugs on two paths: a request cancelled in the meantime is completed
   under HwLock (SpinLockSafe), and a hardware error returns from the DPC
   with HwLock held (SpinLockDpc, at the routine's exit; SpinLock does not
   check DPC routines). */
_Use_decl_annotations_
VOID
SerialCompletionDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PSERIAL_DEVICE_EXTENSION extension = DeferredContext;
    PIRP irp = SystemArgument1;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument2);

    KeAcquireSpinLockAtDpcLevel(&extension->HwLock);
    if (extension->HwError) { // static: unreachable for SpinLockDpc (only the test program sets HwError, as hardware would)
        extension->Stats.FrameErrorCount++;
        return;
    }
    if (irp->Cancel) {
        irp->IoStatus.Status = STATUS_CANCELLED;
        irp->IoStatus.Information = 0;
        IoCompleteRequest(irp, IO_NO_INCREMENT); // expect: SpinLockSafe in SerialCompletionDpc
        KeReleaseSpinLockFromDpcLevel(&extension->HwLock);
        IoStartNextPacket(extension->DeviceObject, FALSE);
        return;
    }
    irp->IoStatus.Information = extension->TransmitRegister;
    extension->TransmitRegister = 0;
    KeReleaseSpinLockFromDpcLevel(&extension->HwLock);

    KeAcquireSpinLockAtDpcLevel(&extension->StatsLock);
    extension->Stats.TransmittedCount += (ULONG)irp->IoStatus.Information;
    KeReleaseSpinLockFromDpcLevel(&extension->StatsLock);

    irp->IoStatus.Status = STATUS_SUCCESS;
    IoStartNextPacket(extension->DeviceObject, FALSE);
    IoCompleteRequest(irp, IO_SERIAL_INCREMENT);
} // expect: SpinLockDpc in SerialCompletionDpc

/* Bug: a helper takes the lock its caller already holds. */
static VOID
SerialUpdateDivisor(PSERIAL_DEVICE_EXTENSION Extension)
{
    KIRQL irql;

    KeAcquireSpinLock(&Extension->ControlLock, &irql); // expect: SpinLock in SerialUpdateDivisor ; SpinlockRelease in SerialUpdateDivisor
    Extension->Divisor = 115200 / Extension->BaudRate;
    KeReleaseSpinLock(&Extension->ControlLock, irql);
}

/* Bug: the same through the lock table: the wait lock is taken again. */
static VOID
SerialArmWait(PSERIAL_DEVICE_EXTENSION Extension)
{
    KIRQL irql = SerialLockOps.Acquire(&Extension->WaitLock); // expect-unknown: SpinLock in SerialLockOps ; SpinlockRelease in SerialLockOps
    Extension->ArmedWaits++;
    SerialLockOps.Release(&Extension->WaitLock, irql);
}

_Use_decl_annotations_
NTSTATUS
SerialDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PSERIAL_DEVICE_EXTENSION extension = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    ULONG inLength = stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG outLength = stack->Parameters.DeviceIoControl.OutputBufferLength;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG_PTR information = 0;
    KIRQL irql = PASSIVE_LEVEL;
    KIRQL statsIrql;

    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_SERIAL_GET_STATS:
        /* Correct: two different locks nested, the inner one taken at
           DISPATCH_LEVEL with the DPC-level call. */
        if (outLength < sizeof(SERIALPERF_STATS)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        KeAcquireSpinLock(&extension->ControlLock, &irql);
        KeAcquireSpinLockAtDpcLevel(&extension->StatsLock);
        *(PSERIALPERF_STATS)buffer = extension->Stats;
        ((PSERIALPERF_STATS)buffer)->BaudRate = extension->BaudRate;
        KeReleaseSpinLockFromDpcLevel(&extension->StatsLock);
        KeReleaseSpinLock(&extension->ControlLock, irql);
        information = sizeof(SERIALPERF_STATS);
        break;

    case IOCTL_SERIAL_CLEAR_STATS:
        /* Two different locks nested with KeAcquireSpinLock both times:
           SpinLock (per lock) accepts it; SpinlockRelease, which by design
           allows one executive spin lock at a time, reports it. */
        KeAcquireSpinLock(&extension->ControlLock, &irql);
        KeAcquireSpinLock(&extension->StatsLock, &statsIrql); // expect: SpinlockRelease in SerialDeviceControl
        extension->Stats.ReceivedCount = 0;
        extension->Stats.TransmittedCount = 0;
        extension->Stats.FrameErrorCount = 0;
        extension->Stats.BaudRate = extension->BaudRate;
        KeReleaseSpinLock(&extension->StatsLock, statsIrql);
        KeReleaseSpinLock(&extension->ControlLock, irql);
        break;

    case IOCTL_SERIAL_SET_BAUD_RATE:
        if (inLength < sizeof(ULONG) || *(PULONG)buffer == 0) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        KeAcquireSpinLock(&extension->ControlLock, &irql);
        extension->BaudRate = *(PULONG)buffer;
        SerialUpdateDivisor(extension);
        KeReleaseSpinLock(&extension->ControlLock, irql);
        break;

    case IOCTL_SERIAL_SET_LINE_CONTROL:
        /* Bug: the short-buffer path jumps to the release without having
           acquired the lock. */
        if (inLength < sizeof(ULONG)) {
            status = STATUS_BUFFER_TOO_SMALL;
            goto unlock;
        }
        KeAcquireSpinLock(&extension->StatsLock, &irql);
        extension->LineControl = *(PULONG)buffer;
        extension->Stats.FrameErrorCount = 0;
    unlock:
        KeReleaseSpinLock(&extension->StatsLock, irql); // expect: SpinLock in SerialDeviceControl ; SpinlockRelease in SerialDeviceControl ; SpinLockSafe in SerialDeviceControl ; IrqlKeReleaseSpinLock in SerialDeviceControl
        break;

    case IOCTL_SERIAL_SET_WAIT_MASK:
        if (inLength < sizeof(ULONG)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        irql = SerialLockOps.Acquire(&extension->WaitLock);
        extension->WaitMask = *(PULONG)buffer;
        if (extension->WaitMask & SERIAL_EV_RXCHAR) {
            SerialArmWait(extension);
        }
        SerialLockOps.Release(&extension->WaitLock, irql);
        break;

    case IOCTL_SERIAL_PURGE:
        /* Bug: IoStartNextPacket runs StartIo right away, under PurgeLock. */
        KeAcquireSpinLock(&extension->PurgeLock, &irql);
        extension->PurgePending = TRUE;
        IoStartNextPacket(DeviceObject, FALSE); // expect: SpinLockSafe in SerialDeviceControl
        extension->PurgePending = FALSE;
        KeReleaseSpinLock(&extension->PurgeLock, irql);
        break;

    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }

    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

_Use_decl_annotations_
VOID
SerialUnload(PDRIVER_OBJECT DriverObject)
{
    if (DriverObject->DeviceObject != NULL) {
        IoDeleteDevice(DriverObject->DeviceObject);
    }
}
