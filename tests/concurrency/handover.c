/* A token handed between two threads, woven through IR with
   handover.slic: thread A takes it, thread B gives it back and takes it
   again, A checks (B holds it: not A's business) and gives it back, ROUNDS
   times. An instance is per token, whatever thread touches it, so none of
   this is a violation; each event takes the instance over from the other
   thread.

   "seeded" then adds two bugs, each reported once: a new thread gives back
   the token, which nobody holds; A checks while it holds another token.

   usage: handover correct|seeded ROUNDS */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* handover_support.c, not woven. */
void Take(void *token);
void Give(void *token);
void Check(void);
void print_handover_reports(void);

static char token, other_token;
/* Whose turn it is: 0 A takes, 1 B gives back and takes, 2 A gives back. */
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
        Give(&token);
        Take(&token);
        pass(2);
    }
    return 0;
}

static void *give_unheld(void *unused)
{
    (void)unused;
    Give(&token);
    return 0;
}

int main(int argc, char **argv)
{
    pthread_t b;
    unsigned long i;
    if (argc != 3) return 2;
    rounds = strtoul(argv[2], 0, 10);
    pthread_create(&b, 0, thread_b, 0);
    for (i = 0; i < rounds; i++) {
        wait_for(0);
        Take(&token);
        pass(1);
        wait_for(2);
        Check();
        Give(&token);
        pass(0);
    }
    pthread_join(b, 0);
    if (strcmp(argv[1], "seeded") == 0) {
        pthread_t other;
        pthread_create(&other, 0, give_unheld, 0);
        pthread_join(other, 0);
        Take(&other_token);
        Check();
    }
    print_handover_reports();
    return 0;
}
