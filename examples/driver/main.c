/* Plays the I/O manager for the example driver: open, read, cancel the
   read, write without data (the buggy path), close, unload. */
#include <stdio.h>

#include "io_manager.h"
#include "driver.h"

int main(void)
{
    PDRIVER_OBJECT driver = io_load_driver(DriverEntry);
    PDEVICE_OBJECT device = driver->DeviceObject;
    PDEVICE_EXTENSION extension = (PDEVICE_EXTENSION)device->DeviceExtension;
    IRP irp;

    io_call_driver(device, &irp, IRP_MJ_CREATE);
    io_call_driver(device, &irp, IRP_MJ_READ);
    io_cancel_irp(device, &irp);
    printf("write: status %#lx\n", (unsigned long)io_call_driver(device, &irp, IRP_MJ_WRITE));
    extension->QueueLock = 0; /* a real kernel would have hung here */
    io_call_driver(device, &irp, IRP_MJ_CLOSE);
    io_unload_driver(driver);
    puts("example driver: done");
    return 0;
}
