/* Runs the tables driver through its scenarios, each on a fresh thread so
   that per-thread rule state starts clean. Never woven. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "io_manager.h"
#include "driver.h"

static DEVICE_EXTENSION extension;
static DEVICE_OBJECT device = { 0, &extension };
static PDRIVER_OBJECT driver;

static void *read_scenario(void *unused)
{
    IRP irp;
    (void)unused;
    memset(&irp, 0, sizeof irp);
    io_call_driver(driver, &device, &irp, IRP_MJ_READ);
    return 0;
}

static void *write_error_path(void *unused)
{
    IRP irp;
    (void)unused;
    memset(&irp, 0, sizeof irp);
    io_call_driver(driver, &device, &irp, IRP_MJ_WRITE);
    /* The driver left the mutex held; a real kernel would deadlock later. */
    extension.Mutex.Count = 0;
    return 0;
}

static void *write_scenario(void *unused)
{
    IRP irp;
    (void)unused;
    memset(&irp, 0, sizeof irp);
    irp.Context = &extension;
    io_call_driver(driver, &device, &irp, IRP_MJ_WRITE);
    return 0;
}

static void *device_control(void *unused)
{
    IRP irp;
    (void)unused;
    memset(&irp, 0, sizeof irp);
    io_call_driver(driver, &device, &irp, IRP_MJ_DEVICE_CONTROL);
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
    run(read_scenario);
    run(write_error_path);
    run(write_scenario);
    run(device_control);
    run(read_scenario);
    io_unload_driver(driver);
    puts("done");
    return 0;
}
