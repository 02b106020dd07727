/* Runs ThreadsDispatch on THREADS threads at once and prints how many
   violations the monitor reported, per rule.

   usage: threads correct|seeded ROUNDS */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "../count_reports.h"

#define THREADS 8

static void *run(void *argument)
{
    DEVICE_OBJECT *device = argument;
    IRP irp;
    memset(&irp, 0, sizeof irp);
    ThreadsDispatch(device, &irp);
    return 0;
}

int main(int argc, char **argv)
{
    static KSPIN_LOCK shared[SHARED_LOCKS];
    static THREADS_EXTENSION extensions[THREADS];
    static DEVICE_OBJECT devices[THREADS];
    pthread_t threads[THREADS];
    int i;
    if (argc != 3) {
        fprintf(stderr, "usage: threads correct|seeded ROUNDS\n");
        return 2;
    }
    for (i = 0; i < THREADS; i++) {
        extensions[i].Shared = shared;
        extensions[i].Rounds = (ULONG)atoi(argv[2]);
        extensions[i].Seeded = strcmp(argv[1], "seeded") == 0;
        devices[i].DeviceExtension = &extensions[i];
    }
    for (i = 0; i < THREADS; i++) pthread_create(&threads[i], 0, run, &devices[i]);
    for (i = 0; i < THREADS; i++) pthread_join(threads[i], 0);
    print_report_counts();
    return 0;
}
