/* Runs the crossthread driver's pairs of routines on two threads in a
   fixed order: the holder on a thread of its own, the other routine on the
   main thread once the holder holds. Never woven. */
#include <pthread.h>
#include <stdio.h>

#include "io_manager.h"
#include "crossthread.h"

static PDEVICE_OBJECT device;

static void *hold(void *major)
{
    IRP irp;
    io_call_driver(device, &irp, (UCHAR)(ULONG_PTR)major);
    return 0;
}

static void pair(UCHAR holder, UCHAR other)
{
    PCROSSTHREAD_EXTENSION extension = device->DeviceExtension;
    pthread_t thread;
    IRP irp;
    extension->Step = 0;
    pthread_create(&thread, 0, hold, (void *)(ULONG_PTR)holder);
    io_call_driver(device, &irp, other);
    pthread_join(thread, 0);
}

int main(void)
{
    PDRIVER_OBJECT driver = io_load_driver(DriverEntry);
    device = driver->DeviceObject;
    pair(IRP_MJ_WRITE, IRP_MJ_READ);
    pair(IRP_MJ_DEVICE_CONTROL, IRP_MJ_CLEANUP);
    io_unload_driver(driver);
    printf("done\n");
    return 0;
}
