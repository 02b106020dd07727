/* unordered.c for the C monitor, whose hooks the threads call directly,
   as woven code would (the C weaver wraps only the APIs of its catalog).

   usage: unordered_hooks free|turns|chain ROUNDS */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "slic_monitor.h"

#define THREADS 4

static const struct slic_site site = { "unordered_hooks.c", 1, 1, "worker" };
static char resource;
static unsigned long rounds;
static int turns;
static unsigned started;
static unsigned long turn;
static unsigned long leaves, others;
static char chained;
static int chain_mode;
static unsigned chain_stage;

static void wait_for_stage(unsigned stage)
{
    while (__atomic_load_n(&chain_stage, __ATOMIC_RELAXED) < stage) sched_yield();
}

void slic_report(const struct slic_violation *v)
{
    if (strcmp(v->message, "leaves a resource nobody is inside") == 0) __atomic_add_fetch(&leaves, 1, __ATOMIC_RELAXED);
    else __atomic_add_fetch(&others, 1, __ATOMIC_RELAXED);
    if (chain_mode) {
        __atomic_store_n(&chain_stage, 1, __ATOMIC_RELAXED);
        wait_for_stage(3);
        usleep(50000);
    }
}

static void *chain_a(void *unused)
{
    (void)unused;
    slic_hook_Leave_exit(&site, (int64_t)(uintptr_t)&chained, 0);
    return 0;
}

static void *chain_b(void *unused)
{
    (void)unused;
    wait_for_stage(1);
    __atomic_store_n(&chain_stage, 2, __ATOMIC_RELAXED);
    slic_hook_Enter_exit(&site, (int64_t)(uintptr_t)&chained, 0);
    return 0;
}

static void *chain_c(void *unused)
{
    (void)unused;
    wait_for_stage(2);
    usleep(20000);
    __atomic_store_n(&chain_stage, 3, __ATOMIC_RELAXED);
    slic_hook_Enter_exit(&site, (int64_t)(uintptr_t)&chained, 0);
    return 0;
}

static void enter_and_leave(void)
{
    slic_hook_Enter_exit(&site, (int64_t)(uintptr_t)&resource, 0);
    slic_hook_Leave_exit(&site, (int64_t)(uintptr_t)&resource, 0);
}

static void *worker(void *argument)
{
    unsigned long self = (unsigned long)(uintptr_t)argument, i;
    if (!turns) {
        __atomic_add_fetch(&started, 1, __ATOMIC_ACQ_REL);
        while (__atomic_load_n(&started, __ATOMIC_ACQUIRE) < THREADS) { }
    }
    for (i = 0; i < rounds; i++) {
        if (turns)
            while (__atomic_load_n(&turn, __ATOMIC_RELAXED) % THREADS != self) sched_yield();
        enter_and_leave();
        if (turns) __atomic_store_n(&turn, __atomic_load_n(&turn, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
    }
    return 0;
}

int main(int argc, char **argv)
{
    pthread_t threads[THREADS];
    unsigned i;
    if (argc != 3) return 2;
    turns = strcmp(argv[1], "turns") == 0;
    rounds = strtoul(argv[2], 0, 10);
    if (strcmp(argv[1], "chain") == 0) {
        void *(*chain[3])(void *) = { chain_a, chain_b, chain_c };
        chain_mode = 1;
        for (i = 0; i < 3; i++) pthread_create(&threads[i], 0, chain[i], 0);
        for (i = 0; i < 3; i++) pthread_join(threads[i], 0);
    } else {
        for (i = 0; i < THREADS; i++) pthread_create(&threads[i], 0, worker, (void *)(uintptr_t)i);
        for (i = 0; i < THREADS; i++) pthread_join(threads[i], 0);
        slic_hook_Leave_exit(&site, (int64_t)(uintptr_t)&resource, 0);
    }
    printf("leaves %lu\nother %lu\n", leaves, others);
    return 0;
}
