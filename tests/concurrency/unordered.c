/* Threads enter and leave one resource, ROUNDS times each, with nothing
   ordering them but the monitor: woven through IR with unordered.slic,
   the monitor's object table is all that orders their events on the
   resource's instance. "free": the threads run at once (each waits for all
   to start). "turns": they take turns, an event pair each, through a
   relaxed atomic counter (ThreadSanitizer sees no order in it), so that
   the instance goes from thread to thread at every turn even on a busy
   machine. Built with ThreadSanitizer by tests/it/takeover.rs, as woven
   and with the monitor's orderings relaxed (a race ThreadSanitizer must
   find). Then the main thread leaves the resource once more: reported
   once, if no update of the instance was lost.

   "chain" (ROUNDS unused): thread A leaves another resource nobody is
   inside, and its report (unordered_support.c) keeps it inside the
   monitor, on that resource's instance, while B enters it (B waits for A)
   and then C (C must wait for B, which waits for A); reported once. The
   stages are a relaxed atomic too, the waits are sleeps.

   usage: unordered free|turns|chain ROUNDS */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREADS 4

/* unordered_support.c, not woven. */
void Enter(void *resource);
void Leave(void *resource);
void print_unordered_reports(void);

static char resource;
static unsigned long rounds;
static int turns;
/* How many workers have started ("free"), whose turn it is ("turns"). */
static unsigned started;
static unsigned long turn;

/* "chain": 1 A is inside its report, 2 B enters, 3 C enters; read by
   unordered_support.c. */
static char chained;
int chain_mode;
unsigned chain_stage;

static void wait_for_stage(unsigned stage)
{
    while (__atomic_load_n(&chain_stage, __ATOMIC_RELAXED) < stage) sched_yield();
}

static void *chain_a(void *unused)
{
    (void)unused;
    Leave(&chained);
    return 0;
}

static void *chain_b(void *unused)
{
    (void)unused;
    wait_for_stage(1);
    __atomic_store_n(&chain_stage, 2, __ATOMIC_RELAXED);
    Enter(&chained);
    return 0;
}

static void *chain_c(void *unused)
{
    (void)unused;
    wait_for_stage(2);
    usleep(20000); /* B has taken the instance over, and waits for A */
    __atomic_store_n(&chain_stage, 3, __ATOMIC_RELAXED);
    Enter(&chained);
    return 0;
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
        Enter(&resource);
        Leave(&resource);
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
        Leave(&resource);
    }
    print_unordered_reports();
    return 0;
}
