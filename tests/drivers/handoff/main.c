/* Two threads in a fixed order: the first holds the driver's locks while
   the second's dispatch routine runs. Never woven. */
#include <pthread.h>
#include <stdio.h>

#include "io_manager.h"
#include "handoff.h"

static PDEVICE_OBJECT device;

static void *hold(void *unused)
{
    IRP irp;
    (void)unused;
    io_call_driver(device, &irp, IRP_MJ_READ);
    return 0;
}

int main(void)
{
    PDRIVER_OBJECT driver = io_load_driver(DriverEntry);
    PHANDOFF_EXTENSION extension;
    pthread_t holder;
    IRP irp;
    NTSTATUS status;

    device = driver->DeviceObject;
    extension = device->DeviceExtension;
    pthread_create(&holder, 0, hold, 0);
    while (__atomic_load_n(&extension->Holding, __ATOMIC_ACQUIRE) == 0) {
    }
    status = io_call_driver(device, &irp, IRP_MJ_WRITE);
    __atomic_store_n(&extension->Peeked, 1, __ATOMIC_RELEASE);
    pthread_join(holder, 0);
    io_unload_driver(driver);
    printf("done: the peek was %s\n", status == STATUS_DEVICE_BUSY ? "refused" : "let in");
    return 0;
}
