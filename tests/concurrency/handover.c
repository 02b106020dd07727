/* Objects handed between two threads, woven (by either weaver) with
   the `watch` rules SpinLock and QueuedSpinLock: thread A acquires a spin
   lock and a queued spin lock, thread B releases both and acquires them
   again, A releases them, ROUNDS times. An instance is per object,
   whatever thread touches it, so none of this is a violation; each event
   takes the instance over from the other thread.

   "seeded" then adds two bugs, each reported once: a new thread releases
   the spin lock, which nobody holds; A acquires the queued lock through a
   second handle while the first holds it (caught by QueuedSpinLock's
   handler without a guard, on the instances A selected last).

   usage: handover correct|seeded ROUNDS */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wdm.h"

/* handover_reports.c, not woven. */
void print_handover_reports(void);

static KSPIN_LOCK lock, queued;
static KLOCK_QUEUE_HANDLE handle;
static KIRQL irql;
/* Whose turn it is: 0 A acquires, 1 B releases and acquires, 2 A releases. */
static int turn;
static unsigned long rounds;

static void wait_for(int value)
{
    while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != value) { }
}

static void pass(int value)
{
    __atomic_store_n(&turn, value, __ATOMIC_RELEASE);
}

static void *thread_b(void *unused)
{
    unsigned long i;
    (void)unused;
    for (i = 0; i < rounds; i++) {
        wait_for(1);
        KeReleaseInStackQueuedSpinLock(&handle);
        KeReleaseSpinLock(&lock, irql);
        KeAcquireSpinLock(&lock, &irql);
        KeAcquireInStackQueuedSpinLock(&queued, &handle);
        pass(2);
    }
    return 0;
}

static void *release_unheld(void *unused)
{
    (void)unused;
    KeReleaseSpinLock(&lock, PASSIVE_LEVEL);
    return 0;
}

int main(int argc, char **argv)
{
    pthread_t b;
    unsigned long i;
    if (argc != 3) {
        fprintf(stderr, "usage: handover correct|seeded ROUNDS\n");
        return 2;
    }
    rounds = strtoul(argv[2], 0, 10);
    pthread_create(&b, 0, thread_b, 0);
    for (i = 0; i < rounds; i++) {
        wait_for(0);
        KeAcquireSpinLock(&lock, &irql);
        KeAcquireInStackQueuedSpinLock(&queued, &handle);
        pass(1);
        wait_for(2);
        KeReleaseInStackQueuedSpinLock(&handle);
        KeReleaseSpinLock(&lock, irql);
        pass(0);
    }
    pthread_join(b, 0);
    if (strcmp(argv[1], "seeded") == 0) {
        KLOCK_QUEUE_HANDLE second;
        pthread_t other;
        pthread_create(&other, 0, release_unheld, 0);
        pthread_join(other, 0);
        KeAcquireInStackQueuedSpinLock(&queued, &handle);
        KeAcquireInStackQueuedSpinLock(&queued, &second);
    }
    print_handover_reports();
    return 0;
}
