/*
 * The differential harness's driver (never woven): runs event traces
 * through a woven program and prints what the monitor reports.
 *
 * Each input line is one trace, as instructions separated by ";":
 *
 *   C FUNCTION OPEN ARG... = RET | WRITE...   call a function of the program
 *   X RET | WRITE...                          return from the innermost open call
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
 * `T RULE` for a full table, with SLIC_TESTING the monitor's state (`S`
 * lines), then `end`; `crash STATUS` if the child dies.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "slic_monitor.h"

#define MAX_ARGS 8
#define MAX_WRITES 8
#define MAX_LENGTH 64
#define OBJECTS 8

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
static int length, pc;
static uintptr_t frames[MAX_LENGTH][MAX_ARGS];
static int depth;
static int opening;

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

static void print_instance(const char *rule, uintptr_t object, int status, const int64_t *values, unsigned count)
{
    unsigned i;
    printf("S %s %d %d", rule, object ? object_index(object) : -1, status);
    for (i = 0; i < count; i++) printf(" %lld", (long long)values[i]);
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

static void finish(void)
{
#ifdef SLIC_TESTING
    slic_testing_state(print_instance);
#endif
    printf("end\n");
    fflush(stdout);
    _exit(0);
}

/* Runs instructions until the X of the innermost open call, or the end. */
static void run(void)
{
    while (pc < length) {
        const struct instruction *in = &program[pc];
        int i;
        printf("@%d\n", pc++);
        if (in->kind == 'X') {
            depth--;
            for (i = 0; i < in->write_count; i++)
                store(frames[depth][in->writes[i].position - 1], &in->writes[i]);
            slic_h_return = (int64_t)resolve(in->ret, 0);
            return;
        }
        for (i = 0; i < in->arg_count; i++) slic_h_args[i] = resolve(in->args[i], i);
        for (i = 0; i < in->write_count; i++)
            store(slic_h_args[in->writes[i].position - 1], &in->writes[i]);
        slic_h_return = (int64_t)resolve(in->ret, 0);
        opening = in->open;
        if (in->open) memcpy(frames[depth++], slic_h_args, sizeof slic_h_args);
        slic_h_call(in->function);
    }
    finish();
}

/* Called by every routine and stub of the program once it has been entered. */
void slic_h_body(void)
{
    if (opening) {
        opening = 0;
        run();
    }
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
    while (fgets(line, sizeof line, stdin)) {
        char *rest = line, *piece;
        pid_t child;
        int status;
        length = 0;
        while ((piece = strsep(&rest, ";"))) {
            if (length == MAX_LENGTH || !parse_instruction(piece, &program[length++])) {
                fprintf(stderr, "harness: malformed trace: %s\n", line);
                return 2;
            }
        }
        fflush(stdout);
        child = fork();
        if (child < 0) {
            perror("harness: fork");
            return 2;
        }
        if (child == 0) {
            pc = 0;
            depth = 0;
            slic_h_as_driver();
            run();
        }
        if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            printf("crash %d\nend\n", status);
        }
        fflush(stdout);
    }
    return 0;
}
