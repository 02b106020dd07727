/*
 * The differential harness's driver (never woven): runs event traces
 * through a woven program and prints what the monitor reports.
 *
 * Each input line is one trace, as instructions separated by ";":
 *
 *   [tN] C FUNCTION OPEN ARG... = RET | WRITE...   call a function of the program
 *   [tN] X RET | WRITE...                          return from the thread's innermost open call
 *
 * An instruction runs on thread N (`t2`, `t3`, ...), or on the main thread
 * (`t1`) if it names none. Each thread is a real thread of the process,
 * the same one for all of a trace's instructions on it, so the monitor's
 * `$thread` tells them apart as the interpreter's does. One instruction
 * runs at a time: the thread that finishes one hands the next to its
 * thread and waits for its own turn, so a trace on several threads runs
 * in the order it is written, each call (with its entry and exit hooks)
 * done before the next instruction starts.
 *
 * FUNCTION indexes `slic_h_call`'s switch (harness.c, generated per rule).
 * A call with OPEN 1 runs the rest of the trace inside the called routine
 * (the trace has its entry event now and its exit event at the matching X).
 * An ARG or RET is `oN` (object N: a cell of memory of its own), `s` (a
 * scratch cell: an argument the rule does not read) or a number. A WRITE
 * `P:W:V` stores V, W bytes wide, where argument P points, before the call
 * or the return: the value a rule reads as `*$P`.
 *
 * Every trace runs in a fresh child process, so the monitor starts from its
 * initial state. Output per trace: `@N` before instruction N, `V LOCATION
 * OBJECT` for each violation reported (OBJECT is -1 when it is no object),
 * `T RULE` for a full table, with SLIC_TESTING the monitor's state as each
 * thread sees it (`W tN`, then an `S` line per instance, thread by thread),
 * then `end`; `crash STATUS` if the child dies.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "slic_monitor.h"

#define MAX_ARGS 16
#define MAX_WRITES 8
#define MAX_LENGTH 64
#define OBJECTS 8
#define THREADS 4

uintptr_t slic_h_args[MAX_ARGS];
int64_t slic_h_return;

/* harness.c: calls function number `function` with slic_h_args. */
void slic_h_call(int function);
void slic_h_as_driver(void);

struct value {
    enum { NUMBER, OBJECT, SCRATCH } kind;
    int64_t number;
};

struct write {
    int position;
    int width;
    int64_t value;
};

struct instruction {
    int thread; /* 1 is the main thread */
    char kind;
    int function;
    int open;
    int arg_count;
    struct value args[MAX_ARGS];
    struct value ret;
    int write_count;
    struct write writes[MAX_WRITES];
};

static uint64_t cells[OBJECTS][2];
static uint64_t scratch[MAX_ARGS][2];
static struct instruction program[MAX_LENGTH];
static int length, threads;
/* The instruction running or next to run; at `length`, the thread whose
   turn it is to print its state (`turn`). Both change under `lock`. */
static int pc, turn;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
/* Per thread: the arguments of its open calls, innermost last. */
static uintptr_t frames[THREADS + 1][MAX_LENGTH][MAX_ARGS];
static int depth[THREADS + 1];
/* The thread this is (1 is the main thread), and whether the call it is
   making runs the rest of the trace inside it. */
static __thread int self;
static __thread int opening;

static int object_index(uintptr_t address)
{
    int i;
    for (i = 0; i < OBJECTS; i++)
        if (address == (uintptr_t)&cells[i]) return i;
    return -1;
}

void slic_report(const struct slic_violation *violation)
{
    if (violation->kind == SLIC_TABLE_FULL) {
        printf("T %s\n", violation->rule);
        return;
    }
    printf("V %s %d\n", violation->rule_location, object_index(violation->object));
}

#ifdef SLIC_TESTING
typedef void slic_instance_fn(const char *rule, uintptr_t object, int status, const int64_t *values, unsigned count);
void slic_testing_state(slic_instance_fn *instance);

/* The monitor's `$thread` of each thread of the trace (the address of its
   `slic_thread_identity`, weak with SLIC_SHARED_STATE), written by the
   thread under `lock`: a state holding one prints the thread's number, so
   that states compare equal across runs of the harness (with ASLR the
   addresses differ from run to run). */
extern __thread char slic_thread_identity;
static int64_t identities[THREADS + 1];

static void print_instance(const char *rule, uintptr_t object, int status, const int64_t *values, unsigned count)
{
    unsigned i;
    printf("S %s %d %d", rule, object ? object_index(object) : -1, status);
    for (i = 0; i < count; i++) {
        int t = 1;
        while (t <= THREADS && values[i] != identities[t]) t++;
        if (values[i] != 0 && t <= THREADS) printf(" t%d", t);
        else printf(" %lld", (long long)values[i]);
    }
    printf("\n");
}
#endif

static uintptr_t resolve(struct value value, int position)
{
    switch (value.kind) {
    case OBJECT: return (uintptr_t)&cells[value.number];
    case SCRATCH: return (uintptr_t)&scratch[position];
    default: return (uintptr_t)value.number;
    }
}

static void store(uintptr_t address, const struct write *w)
{
    switch (w->width) {
    case 1: *(uint8_t *)address = (uint8_t)w->value; break;
    case 2: *(uint16_t *)address = (uint16_t)w->value; break;
    case 4: *(uint32_t *)address = (uint32_t)w->value; break;
    default: *(uint64_t *)address = (uint64_t)w->value; break;
    }
}

/* Whether it is this thread's turn: the next instruction is its own, or
   the trace is over and it is its turn to print the state it sees. */
static int my_turn(void)
{
    return pc < length ? program[pc].thread == self : turn == self;
}

/* Waits for this thread's turn; at the end of the trace, prints the state
   this thread sees and hands the turn on, and the last thread ends the
   process (the other threads are still waiting, some inside open calls). */
static void wait_for_turn(void)
{
    pthread_mutex_lock(&lock);
    for (;;) {
        while (!my_turn()) pthread_cond_wait(&changed, &lock);
        if (pc < length) break;
#ifdef SLIC_TESTING
        printf("W t%d\n", self);
        slic_testing_state(print_instance);
#endif
        if (++turn > threads) {
            printf("end\n");
            fflush(stdout);
            _exit(0);
        }
        pthread_cond_broadcast(&changed);
    }
    pthread_mutex_unlock(&lock);
}

/* The instruction at `pc` is done (a call has returned, or an open call
   has been entered): the next one may run, on its thread. */
static void advance(void)
{
    pthread_mutex_lock(&lock);
    pc++;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

/* Runs this thread's instructions, in turn with the other threads', until
   the X of its innermost open call (or, on the outermost level, forever:
   the process ends after the last instruction). */
static void run(void)
{
    for (;;) {
        const struct instruction *in;
        int i;
        wait_for_turn();
        in = &program[pc];
        printf("@%d\n", pc);
        if (in->kind == 'X') {
            uintptr_t *frame = frames[self][--depth[self]];
            for (i = 0; i < in->write_count; i++)
                store(frame[in->writes[i].position - 1], &in->writes[i]);
            slic_h_return = (int64_t)resolve(in->ret, 0);
            /* The X is done when the call returns, in the caller's run. */
            return;
        }
        for (i = 0; i < in->arg_count; i++) slic_h_args[i] = resolve(in->args[i], i);
        for (i = 0; i < in->write_count; i++)
            store(slic_h_args[in->writes[i].position - 1], &in->writes[i]);
        slic_h_return = (int64_t)resolve(in->ret, 0);
        opening = in->open;
        if (in->open) memcpy(frames[self][depth[self]++], slic_h_args, sizeof slic_h_args);
        slic_h_call(in->function);
        advance();
    }
}

/* Called by every routine and stub of the program once it has been entered. */
void slic_h_body(void)
{
    if (opening) {
        opening = 0;
        advance();
        run();
    }
}

/* Makes this thread thread `number` of the trace, running as the driver. */
static void begin_thread(int number)
{
    self = number;
#ifdef SLIC_TESTING
    pthread_mutex_lock(&lock);
    identities[self] = (int64_t)(uintptr_t)&slic_thread_identity;
    pthread_mutex_unlock(&lock);
#endif
    slic_h_as_driver();
}

/* A thread of the trace other than the main one. */
static void *worker(void *number)
{
    begin_thread((int)(intptr_t)number);
    run();
    return 0;
}

static int parse_value(const char *token, struct value *value)
{
    if (token[0] == 'o') {
        value->kind = OBJECT;
        value->number = atoll(token + 1);
        return value->number >= 0 && value->number < OBJECTS;
    }
    if (token[0] == 's' && token[1] == 0) {
        value->kind = SCRATCH;
        return 1;
    }
    value->kind = NUMBER;
    value->number = strtoll(token, 0, 0);
    return 1;
}

/* Parses one instruction's tokens; returns 0 if they are malformed. */
static int parse_instruction(char *text, struct instruction *in)
{
    char *token = strtok(text, " \n");
    int stage = 0; /* 0 arguments, 1 return value, 2 writes */
    memset(in, 0, sizeof *in);
    in->thread = 1;
    if (token && token[0] == 't') {
        in->thread = atoi(token + 1);
        if (in->thread < 1 || in->thread > THREADS) return 0;
        token = strtok(0, " \n");
    }
    if (!token) return 0;
    in->kind = token[0];
    if (in->kind == 'C') {
        char *function = strtok(0, " \n");
        char *open = strtok(0, " \n");
        if (!function || !open) return 0;
        in->function = atoi(function);
        in->open = atoi(open);
    } else if (in->kind == 'X') {
        stage = 1;
    } else {
        return 0;
    }
    while ((token = strtok(0, " \n"))) {
        if (strcmp(token, "=") == 0) {
            stage = 1;
        } else if (strcmp(token, "|") == 0) {
            stage = 2;
        } else if (stage == 0) {
            if (in->arg_count == MAX_ARGS || !parse_value(token, &in->args[in->arg_count++])) return 0;
        } else if (stage == 1) {
            if (!parse_value(token, &in->ret)) return 0;
        } else {
            struct write *w = &in->writes[in->write_count];
            long long value;
            if (in->write_count == MAX_WRITES
                || sscanf(token, "%d:%d:%lld", &w->position, &w->width, &value) != 3
                || w->position < 1 || w->position > MAX_ARGS)
                return 0;
            w->value = value;
            in->write_count++;
        }
    }
    return 1;
}

int main(void)
{
    static char line[1 << 16];
    /* The object table of `watch` rules registers the process for
       membarrier on its first event. In a process that already has threads
       the kernel waits for a grace period first (about 10 ms here, twenty
       times what a whole trace takes); registered here, while the harness
       has one thread, the registration is inherited by every child and the
       monitor's returns at once. Where it fails here it fails there too,
       and the monitor fences instead. */
    syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0);
    while (fgets(line, sizeof line, stdin)) {
        char *rest = line, *piece;
        pid_t child;
        int status;
        length = 0;
        threads = 1;
        while ((piece = strsep(&rest, ";"))) {
            if (length == MAX_LENGTH || !parse_instruction(piece, &program[length++])) {
                fprintf(stderr, "harness: malformed trace: %s\n", line);
                return 2;
            }
            if (program[length - 1].thread > threads) threads = program[length - 1].thread;
        }
        fflush(stdout);
        child = fork();
        if (child < 0) {
            perror("harness: fork");
            return 2;
        }
        if (child == 0) {
            /* The threads start in the child: fork copies only the
               calling thread. */
            int t;
            pc = 0;
            turn = 1;
            /* A trace that never ends (a hand-over gone wrong) is a crash. */
            alarm(60);
            for (t = 2; t <= threads; t++) {
                pthread_t thread;
                if (pthread_create(&thread, 0, worker, (void *)(intptr_t)t) != 0) {
                    fprintf(stderr, "harness: cannot start thread %d\n", t);
                    _exit(2);
                }
            }
            begin_thread(1);
            run();
        }
        if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            printf("crash %d\nend\n", status);
        }
        fflush(stdout);
    }
    return 0;
}
