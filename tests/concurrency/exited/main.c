/* Runs ExitedDispatch on threads that end before others touch the same
   objects, and prints how many violations the monitor reported, per rule.

   A `watch` rule's slot is last entered by some thread; the next thread
   to touch the object takes the slot over, and must not read anything of
   the thread it takes it from that died with it. Here every thread of
   the first part runs on a stack of its own (glibc puts a thread's
   thread-local storage at the top of a stack it is given), and once the
   thread has ended its stack is made inaccessible and never unmapped, so
   no later mapping takes its place: a read of a dead thread's
   thread-local storage faults, every time.

   - GENERATIONS generations of GENERATION threads, at once in each
     generation, each touching every shared object PASSES times (starting
     from a different one); then a thread with an ordinary stack, then the
     main thread, do the same. Correct use: nothing is reported.
   - "seeded" adds: a thread acquires a resource shared (and another twice)
     and ends holding them (allowed); a new thread, on an ordinary stack
     (glibc gives it the first one's stack again, and the monitor the first
     one's record), releases the first for its owner, acquires it
     exclusively and returns from its dispatch routine holding it: reported
     once (ExclusiveResourceAccess); it releases the second once for its
     owner, and returns: reported once (handed_shared.slic). Each instance
     is that thread's (it changed it last), whoever held it before.

   usage: exited correct|seeded GENERATIONS */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "driver.h"
#include "slic_monitor.h"

#define GENERATION 4
#define PASSES 4
#define STACK_SIZE (512 * 1024)

static unsigned long spin_lock_reports, queued_reports, resource_reports, handed_reports, other_reports;

void slic_report(const struct slic_violation *v)
{
    if (strcmp(v->rule, "SpinLock") == 0) __atomic_add_fetch(&spin_lock_reports, 1, __ATOMIC_RELAXED);
    else if (strcmp(v->rule, "QueuedSpinLock") == 0) __atomic_add_fetch(&queued_reports, 1, __ATOMIC_RELAXED);
    else if (strcmp(v->rule, "ExclusiveResourceAccess") == 0) __atomic_add_fetch(&resource_reports, 1, __ATOMIC_RELAXED);
    else if (strcmp(v->rule, "handed_shared") == 0) __atomic_add_fetch(&handed_reports, 1, __ATOMIC_RELAXED);
    else __atomic_add_fetch(&other_reports, 1, __ATOMIC_RELAXED);
}

static EXITED_OBJECTS objects;

static void dispatch(ULONG task, ULONG start)
{
    EXITED_EXTENSION extension;
    DEVICE_OBJECT device;
    IRP irp;
    memset(&extension, 0, sizeof extension);
    memset(&device, 0, sizeof device);
    memset(&irp, 0, sizeof irp);
    extension.Objects = &objects;
    extension.Task = task;
    extension.Start = start;
    extension.Passes = PASSES;
    device.DeviceExtension = &extension;
    ExitedDispatch(&device, &irp);
}

static void *touch(void *start)
{
    dispatch(TASK_TOUCH, (ULONG)(uintptr_t)start);
    return 0;
}

static void *share(void *unused)
{
    (void)unused;
    dispatch(TASK_SHARE, 0);
    return 0;
}

static void *take(void *unused)
{
    (void)unused;
    dispatch(TASK_TAKE, 0);
    return 0;
}

static void fail(const char *what)
{
    perror(what);
    exit(2);
}

/* Runs `routine` on a new thread with an ordinary stack, and waits for it. */
static void run_thread(void *(*routine)(void *), void *argument)
{
    pthread_t thread;
    if (pthread_create(&thread, 0, routine, argument) != 0) fail("pthread_create");
    pthread_join(thread, 0);
}

/* GENERATION threads at once, each on a stack of its own, made
   inaccessible (and its pages given back) once the thread has ended. */
static void run_generation(unsigned generation)
{
    pthread_t threads[GENERATION];
    void *stacks[GENERATION];
    unsigned i;
    for (i = 0; i < GENERATION; i++) {
        pthread_attr_t attributes;
        stacks[i] = mmap(0, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (stacks[i] == MAP_FAILED) fail("mmap");
        pthread_attr_init(&attributes);
        if (pthread_attr_setstack(&attributes, stacks[i], STACK_SIZE) != 0) fail("pthread_attr_setstack");
        if (pthread_create(&threads[i], &attributes, touch, (void *)(uintptr_t)(generation + i)) != 0)
            fail("pthread_create");
        pthread_attr_destroy(&attributes);
    }
    for (i = 0; i < GENERATION; i++) pthread_join(threads[i], 0);
    for (i = 0; i < GENERATION; i++) {
        if (madvise(stacks[i], STACK_SIZE, MADV_DONTNEED) != 0) fail("madvise");
        if (mprotect(stacks[i], STACK_SIZE, PROT_NONE) != 0) fail("mprotect");
    }
}

int main(int argc, char **argv)
{
    unsigned generations, generation, i;
    if (argc != 3) {
        fprintf(stderr, "usage: exited correct|seeded GENERATIONS\n");
        return 2;
    }
    generations = (unsigned)strtoul(argv[2], 0, 10);
    for (i = 0; i < OBJECTS; i++) {
        KeInitializeSpinLock(&objects.Locks[i]);
        KeInitializeSpinLock(&objects.QueueLocks[i]);
        ExInitializeResourceLite(&objects.Resources[i]);
    }
    ExInitializeResourceLite(&objects.Kept);
    ExInitializeResourceLite(&objects.Counted);
    for (generation = 0; generation < generations; generation++) run_generation(generation);
    run_thread(touch, 0);
    dispatch(TASK_TOUCH, 1);
    if (strcmp(argv[1], "seeded") == 0) {
        run_thread(share, 0);
        run_thread(take, 0);
    }
    printf("SpinLock %lu\nQueuedSpinLock %lu\nExclusiveResourceAccess %lu\nhanded_shared %lu\nother %lu\n",
           spin_lock_reports, queued_reports, resource_reports, handed_reports, other_reports);
    return 0;
}
