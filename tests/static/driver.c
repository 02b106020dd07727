/*
 * A small driver for the static-flavour harness: two spin locks, nested
 * correctly in DispatchRead; DispatchWrite takes the first one twice when
 * the IRP asks for a flush. The monitor follows one lock, chosen
 * nondeterministically, so only an exhaustive search finds the bug.
 */
#include "wdm.h"

DRIVER_DISPATCH DispatchRead;
DRIVER_DISPATCH DispatchWrite;

KSPIN_LOCK DataLock;
KSPIN_LOCK StatsLock;
int Flushes;

NTSTATUS DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL data, stats;
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeAcquireSpinLock(&DataLock, &data);
    KeAcquireSpinLock(&StatsLock, &stats);
    KeReleaseSpinLock(&StatsLock, stats);
    KeReleaseSpinLock(&DataLock, data);
    return STATUS_SUCCESS;
}

static void Flush(void)
{
    KIRQL irql;
    KeAcquireSpinLock(&DataLock, &irql);
    Flushes++;
    KeReleaseSpinLock(&DataLock, irql);
}

NTSTATUS DispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    UNREFERENCED_PARAMETER(DeviceObject);
    KeAcquireSpinLock(&DataLock, &irql);
    if (Irp->Context != NULL) {
        Flush();
    }
    KeReleaseSpinLock(&DataLock, irql);
    return STATUS_SUCCESS;
}
