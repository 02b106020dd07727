/* Runs the tables driver through its scenarios, each on a fresh thread so
   that per-thread rule state starts clean. Never woven. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "io_manager.h"
#include "driver.h"

static PDRIVER_OBJECT driver;
static PDEVICE_OBJECT device;
static PDEVICE_EXTENSION extension;
static int failures;

static void expect(int condition, const char *what)
{
    if (!condition) {
        printf("failed: %s\n", what);
        failures++;
    }
}

static void *read_scenario(void *unused)
{
    IRP irp;
    (void)unused;
    expect(io_call_driver(device, &irp, IRP_MJ_READ) == STATUS_SUCCESS, "read succeeds");
    expect(io_completed(&irp), "read completes its IRP");
    return 0;
}

static void *write_error_path(void *unused)
{
    IRP irp;
    (void)unused;
    io_build_irp(&irp, IRP_MJ_WRITE);
    expect(io_send_irp(device, &irp) == STATUS_INVALID_DEVICE_REQUEST, "a write without context fails");
    /* The driver left the mutex held; a real kernel would deadlock later. */
    extension->Mutex.Count = 0;
    extension->Mutex.Owner = NULL;
    return 0;
}

static void *write_scenario(void *unused)
{
    IRP irp;
    (void)unused;
    io_build_irp(&irp, IRP_MJ_WRITE);
    irp.Context = extension;
    expect(io_send_irp(device, &irp) == STATUS_SUCCESS, "a write succeeds");
    return 0;
}

static void *device_control(void *unused)
{
    IRP irp;
    (void)unused;
    io_call_driver(device, &irp, IRP_MJ_DEVICE_CONTROL);
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
    run(read_scenario);
    run(write_error_path);
    run(write_scenario);
    run(device_control);
    run(read_scenario);
    expect(extension->Reads >= 3, "reads are counted");
    io_unload_driver(driver);
    printf("done, %d failed\n", failures);
    return 0;
}
