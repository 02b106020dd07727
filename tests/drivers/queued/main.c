/* Runs the queued driver through its scenarios, each on a fresh thread so
   that per-thread rule state starts clean. Never woven. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "io_manager.h"
#include "driver.h"

static DEVICE_EXTENSION extension;
static DEVICE_OBJECT device = { 0, &extension };
static PDRIVER_OBJECT driver;

static void *read_then_cancel(void *unused)
{
    IRP first, second;
    (void)unused;
    memset(&first, 0, sizeof first);
    memset(&second, 0, sizeof second);
    io_call_driver(driver, &device, &first, IRP_MJ_READ);
    io_call_driver(driver, &device, &second, IRP_MJ_READ);
    io_cancel_irp(&device, &first);
    return 0;
}

static void *write_error_path(void *unused)
{
    IRP irp;
    (void)unused;
    memset(&irp, 0, sizeof irp);
    io_call_driver(driver, &device, &irp, IRP_MJ_WRITE);
    /* The driver left the lock held; a real kernel would hang or crash. */
    extension.QueueLock = 0;
    return 0;
}

static void *device_control(void *unused)
{
    IRP irp;
    (void)unused;
    memset(&irp, 0, sizeof irp);
    /* The double acquire would deadlock on a real lock: let it through. */
    extension.QueueLock = 0;
    io_call_driver(driver, &device, &irp, IRP_MJ_DEVICE_CONTROL);
    extension.QueueLock = 0;
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
    driver = io_load_driver(DriverEntry, &device);
    run(read_then_cancel);
    run(write_error_path);
    run(device_control);
    io_unload_driver(driver);
    puts("done");
    return 0;
}
