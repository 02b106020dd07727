/* Runs the queued driver through its scenarios, each on a fresh thread so
   that per-thread rule state starts clean. Never woven. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "io_manager.h"
#include "driver.h"

static PDRIVER_OBJECT driver;
static PDEVICE_OBJECT device;
static PDEVICE_EXTENSION extension;

static void *read_then_cancel(void *unused)
{
    IRP first, second;
    (void)unused;
    io_call_driver(device, &first, IRP_MJ_READ);
    io_call_driver(device, &second, IRP_MJ_READ);
    io_cancel_irp(device, &first);
    return 0;
}

static void *write_error_path(void *unused)
{
    IRP irp;
    (void)unused;
    io_build_irp(&irp, IRP_MJ_WRITE);
    io_send_irp(device, &irp);
    /* The driver left the lock held; a real kernel would hang or crash. */
    extension->QueueLock = 0;
    return 0;
}

static void *device_control(void *unused)
{
    IRP irp;
    (void)unused;
    /* The double acquire would deadlock on a real lock: let it through. */
    io_call_driver(device, &irp, IRP_MJ_DEVICE_CONTROL);
    extension->QueueLock = 0;
    return 0;
}

static void run(void *(*scenario)(void *))
{
    pthread_t thread;
    pthread_create(&thread, 0, scenario, 0);
    pthread_join(thread, 0);
}

int main(void)
{
    driver = io_load_driver(DriverEntry);
    device = driver->DeviceObject;
    extension = (PDEVICE_EXTENSION)device->DeviceExtension;
    run(read_then_cancel);
    run(device_control);
    run(write_error_path);
    io_unload_driver(driver);
    puts("done");
    return 0;
}
