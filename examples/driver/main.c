/* Plays the I/O manager for the example driver: open, read, cancel the
   read, write without data (the buggy path), close, unload. */
#include <stdio.h>
#include <string.h>

#include "io_manager.h"
#include "driver.h"

int main(void)
{
    static DEVICE_EXTENSION extension;
    DEVICE_OBJECT device = { 0, &extension };
    PDRIVER_OBJECT driver = io_load_driver(DriverEntry, &device);
    IRP irp;

    memset(&irp, 0, sizeof irp);
    io_call_driver(driver, &device, &irp, IRP_MJ_CREATE);
    memset(&irp, 0, sizeof irp);
    io_call_driver(driver, &device, &irp, IRP_MJ_READ);
    io_cancel_irp(&device, &irp);
    memset(&irp, 0, sizeof irp);
    printf("write: status %#lx\n", (unsigned long)io_call_driver(driver, &device, &irp, IRP_MJ_WRITE));
    memset(&irp, 0, sizeof irp);
    extension.QueueLock = 0; /* a real kernel would have hung here */
    io_call_driver(driver, &device, &irp, IRP_MJ_CLOSE);
    io_unload_driver(driver);
    puts("example driver: done");
    return 0;
}
