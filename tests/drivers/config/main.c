/* Runs the configuration driver through its scenarios, each on a fresh
   thread so that per-thread rule state starts clean. Never woven. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "io_manager.h"
#include "config.h"

static PDRIVER_OBJECT driver;
static PDEVICE_OBJECT device;
static PCONFIG_EXTENSION extension;

static NTSTATUS control(ULONG code, ULONG in, ULONG out)
{
    IRP irp;
    CONFIG_DATA data = { 1, 50 };
    return io_device_control(device, &irp, code, &data, in, out);
}

static void *correct_paths(void *unused)
{
    IRP create;
    (void)unused;
    io_call_driver(device, &create, IRP_MJ_CREATE);
    control(IOCTL_CONFIG_GET, 0, sizeof(CONFIG_DATA));
    control(IOCTL_CONFIG_SET, sizeof(CONFIG_DATA), 0);
    control(IOCTL_CONFIG_REFRESH, 0, 0);
    io_run_work_items();
    control(IOCTL_CONFIG_GET_STATS, 0, 0);
    control(IOCTL_CONFIG_FLUSH, 0, 0);
    control(IOCTL_CONFIG_SNAPSHOT, 0, sizeof(CONFIG_DATA));
    extension->NeedsDpcLevel = TRUE;
    control(IOCTL_CONFIG_SYNC, 0, 0);
    extension->NeedsDpcLevel = FALSE;
    return 0;
}

/* The statistics mutex is held by another thread (here, main's). */
static void *get_stats_busy(void *unused)
{
    (void)unused;
    control(IOCTL_CONFIG_GET_STATS, 0, 0);
    return 0;
}

static void *reset_stats_busy(void *unused)
{
    (void)unused;
    control(IOCTL_CONFIG_RESET_STATS, 0, 0);
    return 0;
}

static void *set_short(void *unused)
{
    (void)unused;
    control(IOCTL_CONFIG_SET, 0, 0);
    return 0;
}

static void *commit(void *unused)
{
    (void)unused;
    control(IOCTL_CONFIG_COMMIT, 0, 0);
    return 0;
}

static void *log_dump(void *unused)
{
    (void)unused;
    control(IOCTL_CONFIG_LOG_DUMP, 0, 0);
    return 0;
}

static void *snapshot_short(void *unused)
{
    (void)unused;
    control(IOCTL_CONFIG_SNAPSHOT, 0, 0);
    /* The driver kept the mutex; a real kernel would hang its next user. */
    ExInitializeFastMutex(&extension->SnapshotMutex);
    return 0;
}

static void *read_cache(void *unused)
{
    (void)unused;
    control(IOCTL_CONFIG_READ_CACHE, 0, 0);
    return 0;
}

static void *probe_absent(void *unused)
{
    (void)unused;
    extension->Present = FALSE;
    control(IOCTL_CONFIG_PROBE, 0, 0);
    extension->Present = TRUE;
    return 0;
}

static void *flush_clean(void *unused)
{
    (void)unused;
    extension->Dirty = FALSE;
    control(IOCTL_CONFIG_FLUSH, 0, 0);
    return 0;
}

static void *poke(void *unused)
{
    (void)unused;
    control(IOCTL_CONFIG_POKE, 0, 0);
    return 0;
}

static void *sync_passive(void *unused)
{
    (void)unused;
    control(IOCTL_CONFIG_SYNC, 0, 0);
    return 0;
}

/* The first refresh brings the cache up to date; the second finds it so. */
static void *refresh_up_to_date(void *unused)
{
    (void)unused;
    control(IOCTL_CONFIG_REFRESH, 0, 0);
    io_run_work_items();
    control(IOCTL_CONFIG_REFRESH, 0, 0);
    io_run_work_items();
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
    extension = device->DeviceExtension;
    run(correct_paths);
    ExAcquireFastMutex(&extension->StatsMutex);
    run(get_stats_busy);
    run(reset_stats_busy);
    ExInitializeFastMutex(&extension->StatsMutex);
    run(set_short);
    run(commit);
    run(log_dump);
    run(snapshot_short);
    run(read_cache);
    run(probe_absent);
    run(flush_clean);
    run(poke);
    run(sync_passive);
    run(refresh_up_to_date);
    io_unload_driver(driver);
    puts("done");
    return 0;
}
