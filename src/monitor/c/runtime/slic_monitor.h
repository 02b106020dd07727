#ifndef SLIC_MONITOR_H
#define SLIC_MONITOR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where an event happened in the driver. A site without a file has no
   source position; `function` is still set. */
struct slic_site {
    const char *file;
    unsigned line;
    unsigned column;
    const char *function;
};

/* For declarations woven code may not use. */
#if defined(__GNUC__) || defined(__clang__)
#define SLIC_MAYBE_UNUSED __attribute__((unused))
#else
#define SLIC_MAYBE_UNUSED
#endif

/* A wrapped routine's own definition, renamed: its wrapper is its only
   caller. Internal, so that the compiler emits it once; kept out of line,
   as it was before weaving, so that the routine's code is generated as the
   driver's author had it. */
#if defined(__GNUC__) || defined(__clang__)
#define SLIC_ORIGINAL static __attribute__((noinline))
#elif defined(_MSC_VER)
#define SLIC_ORIGINAL static __declspec(noinline)
#else
#define SLIC_ORIGINAL static
#endif

/* slic: the report kinds go here. */

struct slic_violation {
    int kind;                    /* SLIC_VIOLATION or SLIC_TABLE_FULL */
    const char *rule;            /* "QueuedSpinLockRelease" */
    int has_rule_id;
    uint32_t rule_id;            /* bug check 0xC4 parameter 1 */
    const char *message;         /* the abort's message */
    const char *rule_location;   /* "rules/wdm/QueuedSpinLockRelease.slic:41:9" */
    const char *event;           /* "SDV_RunDispatchFunction.exit" */
    const struct slic_site *site;
    uintptr_t object;            /* the object, for rules with `watch` */
};

/* Called on every violation. The default prints the report to stderr and
   calls abort() (or goes on when SLIC_ON_VIOLATION=continue); with
   SLIC_KERNEL it calls KeBugCheckEx(0xC4, rule ID, ...). Define your own
   to override it. */
void slic_report(const struct slic_violation *violation);

/* Writes the report of a violation into `buffer` (always terminated);
   returns the length it needed. */
int slic_format(const struct slic_violation *violation, char *buffer, unsigned size);

/* Writes a violation as one SARIF 2.1.0 result (a JSON object) into
   `buffer` (always terminated); returns the length it needed. With
   SLIC_SARIF=FILE in the environment, the default `slic_report` appends
   each violation to that SARIF log too (user mode, POSIX). */
int slic_format_sarif(const struct slic_violation *violation, char *buffer, unsigned size);

/* Woven code runs each routine of the driver (every routine of a role:
   DriverEntry, dispatch, cancel, DPC, ...) between these two. Once a
   routine of the driver has run, the events of API calls count only while
   one runs on the thread: the calls a mock kernel or a test harness makes
   around the driver are not the driver's. */
void slic_driver_enter(void);
void slic_driver_exit(void);

/* slic: the hooks' prototypes go here. */

#ifdef __cplusplus
}
#endif

#endif /* SLIC_MONITOR_H */
