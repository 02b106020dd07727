/* The tutorial's driver: a dispatch routine that updates a configuration
   under a guarded mutex, and forgets to release it on one path. */
#include "wdm.h"

DRIVER_DISPATCH DispatchDeviceControl;

KGUARDED_MUTEX ConfigMutex;
int Config;

NTSTATUS
DispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    KeAcquireGuardedMutex(&ConfigMutex);
    if (Irp->Context == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    Config++;
    KeReleaseGuardedMutex(&ConfigMutex);
    return STATUS_SUCCESS;
}
