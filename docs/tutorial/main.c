/* Calls the tutorial driver's dispatch routine twice: with data, then
   without (the path with the bug). */
#include <string.h>

#include "wdm.h"

DRIVER_DISPATCH DispatchDeviceControl;

int main(void)
{
    DEVICE_OBJECT device;
    IRP irp;
    memset(&device, 0, sizeof device);
    memset(&irp, 0, sizeof irp);
    irp.Context = &irp;
    DispatchDeviceControl(&device, &irp);
    irp.Context = NULL;
    DispatchDeviceControl(&device, &irp);
    return 0;
}
