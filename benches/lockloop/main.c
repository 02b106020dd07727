/* Runs LoopDispatch on THREADS threads at once, each with its own device
   and lock, ITERATIONS times each, ROUNDS times; prints the CPU time per
   iteration (all threads together) of the fastest round, in nanoseconds.

   usage: lockloop THREADS ITERATIONS ROUNDS */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lockloop.h"

static void *run(void *argument)
{
    DEVICE_OBJECT *device = argument;
    IRP irp;
    memset(&irp, 0, sizeof irp);
    LoopDispatch(device, &irp);
    return 0;
}

static double cpu_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int threads, rounds, round, i;
    unsigned long iterations;
    double best = 0;
    if (argc != 4) {
        fprintf(stderr, "usage: lockloop THREADS ITERATIONS ROUNDS\n");
        return 2;
    }
    threads = atoi(argv[1]);
    iterations = strtoul(argv[2], 0, 10);
    rounds = atoi(argv[3]);
    if (threads < 1 || threads > 64 || rounds < 1) return 2;
    for (round = 0; round < rounds; round++) {
        static _Alignas(64) LOOP_EXTENSION extensions[64];
        static DEVICE_OBJECT devices[64];
        pthread_t workers[64];
        double start, elapsed;
        for (i = 0; i < threads; i++) {
            memset(&extensions[i], 0, sizeof extensions[i]);
            extensions[i].Iterations = (ULONG)iterations;
            memset(&devices[i], 0, sizeof devices[i]);
            devices[i].DeviceExtension = &extensions[i];
        }
        start = cpu_seconds();
        for (i = 0; i < threads; i++) pthread_create(&workers[i], 0, run, &devices[i]);
        for (i = 0; i < threads; i++) pthread_join(workers[i], 0);
        elapsed = cpu_seconds() - start;
        for (i = 0; i < threads; i++) {
            if (extensions[i].Counter != (ULONG)iterations) {
                fprintf(stderr, "lockloop: thread %d counted %lu\n", i, (unsigned long)extensions[i].Counter);
                return 1;
            }
        }
        elapsed = elapsed * 1e9 / ((double)iterations * threads);
        if (round == 0 || elapsed < best) best = elapsed;
    }
    printf("%.3f\n", best);
    return 0;
}
