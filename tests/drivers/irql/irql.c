/*
 * A mock driver for the IRQL rules: every call here has an IRQL it must be
 * made at, and the IRQL comes from where the driver is: a dispatch routine
 * (PASSIVE_LEVEL), StartIo and DPC routines (DISPATCH_LEVEL), a work item
 * (PASSIVE_LEVEL), under a spin lock or a fast mutex, after a raise.
 *
 * The correct paths (create, read, the completion DPC, the work item)
 * call PASSIVE_LEVEL routines after StartIo ran inside IoStartPacket and
 * after a DPC ran on the thread, and call DISPATCH_LEVEL routines where
 * they must; slic must report none of them. The seeded bugs carry the
 * report slic must give on the line it points at (`expect:`). Each bug
 * breaks a different rule, because a rule reports once per thread.
 * Checked with the whole built-in pack.
 */
#include "irql.h"

static UNICODE_STRING LinkName = RTL_CONSTANT_STRING(L"\\DosDevices\\Irql");
static UNICODE_STRING DeviceName = RTL_CONSTANT_STRING(L"\\Device\\Irql");

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT deviceObject;
    PIRQL_EXTENSION extension;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    status = IoCreateDevice(DriverObject, sizeof(IRQL_EXTENSION), &DeviceName, FILE_DEVICE_UNKNOWN, 0, FALSE,
                            &deviceObject);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    extension = deviceObject->DeviceExtension;
    extension->Self = deviceObject;
    KeInitializeSpinLock(&extension->Lock);
    KeInitializeSpinLock(&extension->QueueLock);
    ExInitializeFastMutex(&extension->Mutex);
    KeInitializeEvent(&extension->Done, NotificationEvent, FALSE);
    KeInitializeDpc(&deviceObject->Dpc, IrqlCompletionDpc, extension);
    KeInitializeDpc(&extension->SignalDpc, IrqlSignalDpc, extension);
    extension->WorkItem = IoAllocateWorkItem(deviceObject);
    /* The handle of an object the driver was given: any nonzero value
       stands for one in the user-mode kernel. */
    extension->Handle = (HANDLE)extension;
    status = IoCreateSymbolicLink(&LinkName, &DeviceName);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(deviceObject);
        return status;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = IrqlCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = IrqlCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = IrqlRead;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = IrqlDeviceControl;
    DriverObject->DriverStartIo = IrqlStartIo;
    DriverObject->DriverUnload = IrqlUnload;
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID
IrqlUnload(PDRIVER_OBJECT DriverObject)
{
    PIRQL_EXTENSION extension = DriverObject->DeviceObject->DeviceExtension;

    IoFreeWorkItem(extension->WorkItem);
    IoDeleteSymbolicLink(&LinkName);
    IoDeleteDevice(DriverObject->DeviceObject);
}

/* Correct: the object is referenced at PASSIVE_LEVEL and published under
   the spin lock; the event is signalled under the lock (Wait = FALSE) and
   under the fast mutex. */
_Use_decl_annotations_
NTSTATUS
IrqlCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIRQL_EXTENSION extension = DeviceObject->DeviceExtension;
    NTSTATUS status = STATUS_SUCCESS;
    PVOID object = NULL;
    KIRQL irql;

    if (IoGetCurrentIrpStackLocation(Irp)->MajorFunction == IRP_MJ_CREATE) {
        status = ObReferenceObjectByHandle(extension->Handle, EVENT_MODIFY_STATE, NULL, KernelMode, &object, NULL);
        if (NT_SUCCESS(status)) {
            KeAcquireSpinLock(&extension->Lock, &irql);
            extension->Object = object;
            extension->Ready = TRUE;
            KeSetEvent(&extension->Done, 0, FALSE);
            KeReleaseSpinLock(&extension->Lock, irql);
        }
    } else {
        ExAcquireFastMutex(&extension->Mutex);
        extension->Ready = FALSE;
        KeSetEvent(&extension->Done, 0, FALSE);
        ExReleaseFastMutex(&extension->Mutex);
        ZwClose(extension->Handle);
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* Correct: IoStartPacket runs StartIo at DISPATCH_LEVEL when the device is
   idle, and returns at the dispatch routine's PASSIVE_LEVEL, where a
   handle may be closed. */
_Use_decl_annotations_
NTSTATUS
IrqlRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIRQL_EXTENSION extension = DeviceObject->DeviceExtension;

    IoMarkIrpPending(Irp);
    IoStartPacket(DeviceObject, Irp, NULL, NULL);
    ZwClose(extension->Handle);
    return STATUS_PENDING;
}

/* Correct: at DISPATCH_LEVEL, nonpaged pool for the transfer. */
_Use_decl_annotations_
VOID
IrqlStartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIRQL_EXTENSION extension = DeviceObject->DeviceExtension;

    UNREFERENCED_PARAMETER(Irp);
    extension->Transfer = ExAllocatePoolWithTag(NonPagedPoolNx, 64, IRQL_TAG);
    extension->Started++;
    KeInsertQueueDpc(&DeviceObject->Dpc, NULL, NULL);
}

/* Correct: completes the current request at DISPATCH_LEVEL, frees the
   nonpaged transfer buffer, and starts the next packet, which only a
   DISPATCH_LEVEL caller may do; the work that needs PASSIVE_LEVEL goes to
   a work item. */
_Use_decl_annotations_
VOID
IrqlCompletionDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PIRQL_EXTENSION extension = DeferredContext;
    PDEVICE_OBJECT device = extension->Self;
    PIRP irp = device->CurrentIrp;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    if (extension->Transfer != NULL) {
        ExFreePoolWithTag(extension->Transfer, IRQL_TAG);
        extension->Transfer = NULL;
    }
    if (irp != NULL) {
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        extension->Completed++;
    }
    IoStartNextPacket(device, FALSE);
    if (extension->Completed == 2) {
        IoQueueWorkItem(extension->WorkItem, IrqlWorker, DelayedWorkQueue, extension);
    }
}

/* Correct: a work item runs at PASSIVE_LEVEL, though a DPC ran on this
   thread just before. */
_Use_decl_annotations_
VOID
IrqlWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PIRQL_EXTENSION extension = Context;
    PVOID scratch;

    UNREFERENCED_PARAMETER(DeviceObject);
    scratch = ExAllocatePoolWithTag(PagedPool, 128, IRQL_TAG);
    if (scratch != NULL) {
        ExFreePoolWithTag(scratch, IRQL_TAG);
    }
    ZwClose(extension->Handle);
    extension->WorkerRan = 1;
}

/* The control codes each hold a bug but the last. */
_Use_decl_annotations_
NTSTATUS
IrqlDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIRQL_EXTENSION extension = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;
    KLOCK_QUEUE_HANDLE handle;
    PVOID buffer = NULL;
    PVOID object;
    KIRQL irql;

    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_IRQL_CLOSE_LOCKED:
        /* Bug: the handle is closed under the spin lock, at DISPATCH_LEVEL. */
        KeAcquireSpinLock(&extension->Lock, &irql);
        if (extension->Handle != NULL) {
            ZwClose(extension->Handle); // expect: IrqlZwPassive in IrqlDeviceControl
        }
        KeReleaseSpinLock(&extension->Lock, irql);
        break;

    case IOCTL_IRQL_REFERENCE_LOCKED:
        /* Bug: a handle is looked up holding an in-stack queued spin lock. */
        KeAcquireInStackQueuedSpinLock(&extension->QueueLock, &handle);
        status = ObReferenceObjectByHandle(extension->Handle, EVENT_MODIFY_STATE, NULL, KernelMode, &object, NULL); // expect: IrqlObPassive in IrqlDeviceControl
        if (NT_SUCCESS(status)) {
            extension->Object = object;
        }
        KeReleaseInStackQueuedSpinLock(&handle);
        break;

    case IOCTL_IRQL_ALLOCATE_LOCKED:
        /* Bug: paged pool at DISPATCH_LEVEL. (It is freed after the lock
           is released, at PASSIVE_LEVEL, which is right.) */
        KeAcquireSpinLock(&extension->Lock, &irql);
        buffer = ExAllocatePoolWithTag(PagedPool, 256, IRQL_TAG); // expect: IrqlExAllocatePool in IrqlDeviceControl
        KeReleaseSpinLock(&extension->Lock, irql);
        if (buffer != NULL) {
            ExFreePoolWithTag(buffer, IRQL_TAG);
        }
        break;

    case IOCTL_IRQL_POKE:
        /* Bug: the error path returns before the KeLowerIrql, and the
           dispatch routine returns at DISPATCH_LEVEL. */
        KeRaiseIrql(DISPATCH_LEVEL, &irql);
        if (!extension->Ready) {
            Irp->IoStatus.Status = STATUS_DEVICE_NOT_READY;
            IoCompleteRequest(Irp, IO_NO_INCREMENT);
            return STATUS_DEVICE_NOT_READY;
        }
        extension->Started++;
        KeLowerIrql(irql);
        break;

    case IOCTL_IRQL_SIGNAL:
        /* Correct here; the bugs are in the DPC this queues. */
        KeInsertQueueDpc(&extension->SignalDpc, NULL, NULL);
        break;

    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
} // expect: IrqlReturn in IrqlDeviceControl

/* Bugs: the spin lock is released with the IRQL raised above
   DISPATCH_LEVEL, and the event is set with Wait = TRUE in a DPC. */
_Use_decl_annotations_
VOID
IrqlSignalDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PIRQL_EXTENSION extension = DeferredContext;
    KIRQL irql;
    KIRQL high;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    KeAcquireSpinLock(&extension->Lock, &irql);
    KeRaiseIrql(HIGH_LEVEL, &high);
    extension->Ready = FALSE;
    KeReleaseSpinLock(&extension->Lock, irql); // expect: IrqlKeReleaseSpinLock in IrqlSignalDpc
    KeLowerIrql(high);
    KeSetEvent(&extension->Done, 0, TRUE); // expect: IrqlKeSetEvent in IrqlSignalDpc
}
