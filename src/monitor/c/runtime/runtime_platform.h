#ifdef SLIC_KERNEL
#include <ntddk.h>
#else
#include <stdio.h>
#include <stdlib.h>
#endif

#if defined(_MSC_VER) && !defined(__clang__)
#define SLIC_THREAD_LOCAL __declspec(thread)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define SLIC_THREAD_LOCAL _Thread_local
#else
#define SLIC_THREAD_LOCAL __thread
#endif

#if defined(__GNUC__) || defined(__clang__)
#define SLIC_SPIN_LOCK(l) while (__atomic_test_and_set((l), __ATOMIC_ACQUIRE)) { }
#define SLIC_SPIN_UNLOCK(l) __atomic_clear((l), __ATOMIC_RELEASE)
typedef unsigned char slic_spin_t;
#define SLIC_LOAD_RELAXED(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define SLIC_STORE_RELAXED(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#else
#include <intrin.h>
#define SLIC_SPIN_LOCK(l) while (_InterlockedExchange8((volatile char *)(l), 1)) { }
#define SLIC_SPIN_UNLOCK(l) _InterlockedExchange8((volatile char *)(l), 0)
typedef volatile char slic_spin_t;
#define SLIC_LOAD_RELAXED(p) (*(volatile unsigned *)(p))
#define SLIC_STORE_RELAXED(p, v) (*(volatile unsigned *)(p) = (v))
#endif

/* With SLIC_SHARED_STATE the monitor is compiled into every woven file (as
   `slic cc` does): its state and entry points are then weak, and the
   linker keeps one copy of each. */
#if defined(SLIC_SHARED_STATE) && (defined(__GNUC__) || defined(__clang__))
#define SLIC_STATE __attribute__((weak))
#define SLIC_ENTRY __attribute__((weak))
#else
#define SLIC_STATE static
#define SLIC_ENTRY
#endif

/* The thread an event happens on. Instances of `watch` rules belong to a
   thread as well as to an object: a thread sees its own lock discipline
   (the locks it holds, the routines it returns from), as the rules without
   `watch` do; another thread's acquisition of the same lock is contention,
   not a second acquisition, and its routine returns say nothing about the
   locks this thread holds. Keying by thread also closes the window between
   a release returning in one thread and its hook running, in which another
   thread's acquisition of the lock could return first. */
#ifdef SLIC_KERNEL
#define SLIC_CURRENT_THREAD() ((uintptr_t)KeGetCurrentThread())
#else
/* Shared between the files of a build (SLIC_SHARED_STATE): one thread has
   one identity whichever copy of the monitor asks. */
SLIC_UNUSED SLIC_STATE SLIC_THREAD_LOCAL char slic_thread_identity;
#define SLIC_CURRENT_THREAD() ((uintptr_t)&slic_thread_identity)
#endif

/* How many routines of the driver run on this thread (one calls another
   through the kernel: a dispatch routine completes an IRP, whose completion
   routine runs inside the call). A call of an API counts while one runs;
   the calls a mock kernel or a test harness makes around the driver do
   not. In a kernel build every woven file is the driver's. The names and
   types are the LLVM monitor's too, so files woven through C and through
   IR share them. */
#ifdef SLIC_KERNEL
#define SLIC_IN_DRIVER() 1
SLIC_ENTRY void slic_driver_enter(void) { }
SLIC_ENTRY void slic_driver_exit(void) { }
#else
SLIC_UNUSED SLIC_STATE SLIC_THREAD_LOCAL unsigned slic_driver_depth;
/* Whether a routine of the driver has run in the process: until one has,
   every call counts (a test that calls the driver's code directly). */
SLIC_UNUSED SLIC_STATE unsigned slic_driver_started;
#define SLIC_IN_DRIVER() (slic_driver_depth != 0 || !SLIC_LOAD_RELAXED(&slic_driver_started))
SLIC_ENTRY void slic_driver_enter(void)
{
    slic_driver_depth++;
    if (!SLIC_LOAD_RELAXED(&slic_driver_started)) SLIC_STORE_RELAXED(&slic_driver_started, 1);
}
SLIC_ENTRY void slic_driver_exit(void)
{
    if (slic_driver_depth) slic_driver_depth--;
}
#endif

struct slic_call;

struct slic_rule {
    const char *name;
    int has_rule_id;
    uint32_t rule_id;
};

struct slic_abort {
    const char *message;
    const char *location;
};

static void slic_violation(const struct slic_rule *rule, const struct slic_abort *abort_info,
                           const struct slic_call *c, uintptr_t object);
static void slic_table_full(const struct slic_rule *rule, const struct slic_call *c, uintptr_t object);

/* A bounded, allocation-free table of instances, dense: slots[0..count).
   Each rule has its own. Instances belong to one thread, so in user mode
   each thread has its own table, in thread-local storage, and needs no
   lock; the kernel has no thread-local storage for a driver, so there the
   table is shared, behind a spin lock, and keyed by the thread too. */
#ifdef SLIC_KERNEL
#define SLIC_TABLE_STORAGE(r, state_type)                                             \
    SLIC_STATE struct {                                                               \
        slic_spin_t lock;                                                             \
        unsigned char full_reported;                                                  \
        unsigned count;                                                               \
        state_type slots[SLIC_MAX_OBJECTS];                                           \
    } slic_table_##r;                                                                 \
    SLIC_UNUSED static void slic_table_lock_##r(void) { SLIC_SPIN_LOCK(&slic_table_##r.lock); } \
    SLIC_UNUSED static void slic_table_unlock_##r(void) { SLIC_SPIN_UNLOCK(&slic_table_##r.lock); }
#else
#define SLIC_TABLE_STORAGE(r, state_type)                                             \
    SLIC_STATE SLIC_THREAD_LOCAL struct {                                             \
        unsigned char full_reported;                                                  \
        unsigned count;                                                               \
        state_type slots[SLIC_MAX_OBJECTS];                                           \
    } slic_table_##r;                                                                 \
    SLIC_UNUSED static void slic_table_lock_##r(void) { }                             \
    SLIC_UNUSED static void slic_table_unlock_##r(void) { }
#endif
#define SLIC_TABLE(r, state_type)                                                     \
    SLIC_TABLE_STORAGE(r, state_type)                                                 \
    SLIC_UNUSED static state_type *slic_table_find_##r(uintptr_t object, int create)  \
    {                                                                                 \
        unsigned i;                                                                   \
        uintptr_t thread = SLIC_CURRENT_THREAD();                                     \
        for (i = 0; i < slic_table_##r.count; i++)                                    \
            if (slic_table_##r.slots[i].object == object                              \
                && slic_table_##r.slots[i].thread == thread)                          \
                return &slic_table_##r.slots[i];                                      \
        if (!create) return 0;                                                        \
        if (slic_table_##r.count == SLIC_MAX_OBJECTS) {                               \
            if (!slic_table_##r.full_reported) {                                      \
                slic_table_##r.full_reported = 1;                                     \
                slic_table_full(&r##_rule, 0, object);                                \
            }                                                                         \
            return 0;                                                                 \
        }                                                                             \
        {                                                                             \
            state_type *s = &slic_table_##r.slots[slic_table_##r.count++];             \
            s->object = object;                                                       \
            s->thread = thread;                                                       \
            s->status = SLIC_LIVE;                                                    \
            s->exists = 1;                                                            \
            for (i = 0; i < sizeof r##_initial / sizeof r##_initial[0]; i++) s->v[i] = r##_initial[i]; \
            return s;                                                                 \
        }                                                                             \
    }                                                                                 \
    SLIC_UNUSED static void slic_table_sweep_##r(void)                                \
    {                                                                                 \
        unsigned i = 0, k;                                                            \
        while (i < slic_table_##r.count) {                                            \
            state_type *s = &slic_table_##r.slots[i];                                 \
            int initial = s->status == SLIC_LIVE;                                     \
            for (k = 0; initial && k < sizeof r##_initial / sizeof r##_initial[0]; k++) \
                initial = s->v[k] == r##_initial[k];                                  \
            if (!initial) i++;                                                        \
            else if (i != --slic_table_##r.count) *s = slic_table_##r.slots[slic_table_##r.count]; \
        }                                                                             \
    }

