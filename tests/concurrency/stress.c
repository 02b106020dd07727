/*
 * Drives the runtime monitor from many threads at once, calling its hooks
 * directly as woven code would.
 *
 * - Correct use: each thread takes shared spin locks (really mutually
 *   exclusive, so the use is right; a lock is one instance of SpinLock for
 *   all threads, handed from thread to thread) and its own in-stack queued
 *   lock, many times. The monitor must report nothing.
 * - Seeded bugs: each thread then acquires its own spin locks twice
 *   (SpinLock, per lock) and returns from a dispatch routine holding a
 *   queued lock (QueuedSpinLockRelease, per thread). Every one of those
 *   bugs must be reported, once: none lost, none doubled.
 *
 * usage: stress [seeded|correct] [ROUNDS]. Prints the number of reports
 * per rule. Built with and without ThreadSanitizer by
 * tests/it/concurrency.rs.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "count_reports.h"

#define THREADS 8
#define SHARED_LOCKS 4
#define BUGS_PER_THREAD 16

static const struct slic_site site = { "stress.c", 1, 1, "worker" };
static unsigned char shared_held[SHARED_LOCKS];
static int seeded;
static int rounds = 2000;

static void take(unsigned char *flag)
{
    while (__atomic_test_and_set(flag, __ATOMIC_ACQUIRE)) {
    }
}

static void *worker(void *argument)
{
    uintptr_t self = (uintptr_t)argument;
    uintptr_t queue_lock = 0x10000 + self * 0x100;
    uintptr_t handle = 0x20000 + self * 0x100;
    int round, bug;
    for (round = 0; round < rounds; round++) {
        int lock = (round + (int)self) % SHARED_LOCKS;
        uintptr_t shared = 0x1000 + (uintptr_t)lock * 0x10;
        take(&shared_held[lock]);
        slic_hook_KeAcquireSpinLock_exit(&site, shared, 0);
        /* A release counts when it is made, while the lock is still held. */
        slic_hook_KeReleaseSpinLock_entry(&site, shared, 0);
        __atomic_clear(&shared_held[lock], __ATOMIC_RELEASE);
        slic_hook_KeAcquireInStackQueuedSpinLock_exit(&site, queue_lock, handle);
        slic_hook_KeReleaseInStackQueuedSpinLock_exit(&site, handle);
        slic_hook_role_dispatch_exit(&site, 1, 2, 0);
    }
    if (!seeded) return 0;
    for (bug = 0; bug < BUGS_PER_THREAD; bug++) {
        uintptr_t own = 0x100000 + self * 0x1000 + (uintptr_t)bug * 0x10;
        slic_hook_KeAcquireSpinLock_exit(&site, own, 0);
        slic_hook_KeAcquireSpinLock_exit(&site, own, 0); /* the same lock again */
        slic_hook_KeAcquireSpinLock_exit(&site, own, 0); /* reported once: failed */
    }
    slic_hook_KeAcquireInStackQueuedSpinLock_exit(&site, queue_lock, handle);
    slic_hook_role_dispatch_exit(&site, 1, 2, 0); /* returns holding it */
    slic_hook_role_dispatch_exit(&site, 1, 2, 0); /* reported once: failed */
    return 0;
}

int main(int argc, char **argv)
{
    pthread_t threads[THREADS];
    uintptr_t i;
    seeded = argc > 1 && strcmp(argv[1], "seeded") == 0;
    if (argc > 2) rounds = atoi(argv[2]);
    for (i = 0; i < THREADS; i++) pthread_create(&threads[i], 0, worker, (void *)i);
    for (i = 0; i < THREADS; i++) pthread_join(threads[i], 0);
    print_report_counts();
    return 0;
}
