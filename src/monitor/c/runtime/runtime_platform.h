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

/* Atomics. The relaxed and acquire/release ones compile to plain moves on
   x86 and ARM64's ordinary loads and stores with barriers; they are atomic
   so that the compiler neither tears nor caches them. */
#if defined(__GNUC__) || defined(__clang__)
#define SLIC_SPIN_LOCK(l) while (__atomic_test_and_set((l), __ATOMIC_ACQUIRE)) { }
#define SLIC_SPIN_UNLOCK(l) __atomic_clear((l), __ATOMIC_RELEASE)
typedef unsigned char slic_spin_t;
#define SLIC_LOAD_RELAXED(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define SLIC_STORE_RELAXED(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define SLIC_LOAD_ACQUIRE(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define SLIC_STORE_RELEASE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define SLIC_LOAD_BYTE(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define SLIC_STORE_BYTE(p, v) __atomic_store_n((p), (unsigned char)(v), __ATOMIC_RELAXED)
#define SLIC_CAS(p, expected, desired) \
    __atomic_compare_exchange_n((p), (expected), (desired), 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)
#define SLIC_FENCE() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define SLIC_COMPILER_BARRIER() __asm__ __volatile__("" ::: "memory")
#else
#include <intrin.h>
#define SLIC_SPIN_LOCK(l) while (_InterlockedExchange8((volatile char *)(l), 1)) { }
#define SLIC_SPIN_UNLOCK(l) _InterlockedExchange8((volatile char *)(l), 0)
typedef volatile char slic_spin_t;
/* Every atomic variable of the monitor is a `uintptr_t` or a byte. MSVC's
   volatile accesses have acquire and release semantics (/volatile:ms). */
#define SLIC_LOAD_RELAXED(p) (*(volatile uintptr_t *)(p))
#define SLIC_STORE_RELAXED(p, v) (*(volatile uintptr_t *)(p) = (v))
#define SLIC_LOAD_ACQUIRE(p) SLIC_LOAD_RELAXED(p)
#define SLIC_STORE_RELEASE(p, v) SLIC_STORE_RELAXED(p, v)
#define SLIC_LOAD_BYTE(p) (*(volatile unsigned char *)(p))
#define SLIC_STORE_BYTE(p, v) (*(volatile unsigned char *)(p) = (unsigned char)(v))
#define SLIC_CAS(p, expected, desired) slic_cas((volatile uintptr_t *)(p), (expected), (desired))
static int slic_cas(volatile uintptr_t *p, uintptr_t *expected, uintptr_t desired)
{
    uintptr_t seen = (uintptr_t)_InterlockedCompareExchangePointer(
        (void *volatile *)p, (void *)desired, (void *)*expected);
    if (seen == *expected) return 1;
    *expected = seen;
    return 0;
}
#define SLIC_FENCE() MemoryBarrier()
#define SLIC_COMPILER_BARRIER() _ReadWriteBarrier()
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

/* The thread an event happens on (`$thread`). */
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
SLIC_UNUSED SLIC_STATE uintptr_t slic_driver_started;
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

