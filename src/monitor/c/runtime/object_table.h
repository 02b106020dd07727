/* The instances of a `watch` rule: one per object, whatever thread touches
   it, in a bounded, allocation-free table per rule.

   Every instance starts with a `struct slic_slot`. A slot, once given an
   object (`object`, its key), keeps it, or is given to another object when
   its own is back in the initial state (`exists` is 0), so the slots of an
   object's probe sequence never empty and a lookup takes no lock: a linear
   probe from the object's hash to the object or to a slot never used.
   New keys are placed under a lock, which only the first event on an
   object takes.

   An instance belongs to the thread that created it or last changed it
   (`holder`): a handler without a guard runs on the instances of the
   event's thread. A slot is worked on by the thread that entered it last
   (`owner`), without an atomic read-modify-write: that thread says which
   slot it works on (`busy`) and checks that it still owns it; another
   thread takes a slot over by swapping `owner`, then waits until the owner
   it replaced is not working on the slot. (The two differ when a thread
   looks at an instance without changing it: a failed attempt to acquire a
   lock another thread holds.) For that wait to see the owner's
   `busy`, the owner's store must not be passed by its load of `owner`: the
   taker makes every thread of the process execute a memory barrier
   (membarrier on Linux, FlushProcessWriteBuffers on Windows), so the
   owner's own path has no fence in it. Where neither is available, every
   thread fences instead. A taker reads what the owner wrote after seeing
   its `busy` change (acquire after release), so ThreadSanitizer sees the
   hand-over too.

   Each thread keeps, per rule, the slots of the instances it holds
   (`mine`): a handler without a guard runs on those, and they are swept
   after each event. A slot whose instance another thread changed since
   stays in the list until the next walk finds it is not ours.

   In the kernel, where a driver has no thread-local storage, each rule's
   table has a spin lock held for the whole event, and the instances a
   thread holds are found by walking the table. */

#ifndef SLIC_TABLE_SLOTS
/* Room for SLIC_MAX_OBJECTS objects at half load. */
#define SLIC_TABLE_SLOTS (2 * SLIC_MAX_OBJECTS)
#endif

/* What the generic code needs to know of one rule's table. */
struct slic_rule_table {
    char *slots;               /* the first slot */
    unsigned stride;           /* the size of a slot */
    const int64_t *initial;    /* the initial values */
    unsigned count;            /* how many values */
    const struct slic_rule *rule;
    slic_spin_t *insert_lock;
    unsigned char *full_reported;
};

#define SLIC_SLOT(t, i) ((struct slic_slot *)((t)->slots + (size_t)(i) * (t)->stride))
#define SLIC_VALUES(slot) ((int64_t *)((char *)(slot) + sizeof(struct slic_slot)))

SLIC_UNUSED static unsigned slic_hash(uintptr_t object)
{
    uint64_t h = (uint64_t)object * UINT64_C(0x9E3779B97F4A7C15);
    return (unsigned)(h >> 32) % SLIC_TABLE_SLOTS;
}

SLIC_UNUSED static int slic_is_initial(const struct slic_rule_table *t, struct slic_slot *s)
{
    unsigned k;
    const int64_t *v = SLIC_VALUES(s);
    if (s->status != SLIC_LIVE) return 0;
    for (k = 0; k < t->count; k++)
        if (v[k] != t->initial[k]) return 0;
    return 1;
}

SLIC_UNUSED static void slic_make_initial(const struct slic_rule_table *t, struct slic_slot *s)
{
    unsigned k;
    int64_t *v = SLIC_VALUES(s);
    for (k = 0; k < t->count; k++) v[k] = t->initial[k];
    s->status = SLIC_LIVE;
}

SLIC_UNUSED static void slic_report_full(const struct slic_rule_table *t, uintptr_t object)
{
    if (!SLIC_LOAD_RELAXED(t->full_reported)) {
        SLIC_STORE_RELAXED(t->full_reported, 1);
        slic_table_full(t->rule, 0, object);
    }
}

#ifndef SLIC_KERNEL

/* One thread's part: the slot it works on, 0 for none. Its address is the
   thread's name in `owner`. */
struct slic_owner {
    uintptr_t busy;
};
SLIC_UNUSED SLIC_STATE SLIC_THREAD_LOCAL struct slic_owner slic_me;

/* The slots a thread owns in one rule's table (see above). */
struct slic_mine {
    unsigned count;
    unsigned index[SLIC_MAX_OBJECTS];
};

/* How a taker makes the owner's `busy` visible: decided once, before the
   first slot of the process has an owner. */
#define SLIC_BARRIER_UNDECIDED 0
#define SLIC_BARRIER_PROCESS 1   /* every thread fences, when a taker asks */
#define SLIC_BARRIER_FENCE 2     /* every thread fences, always */
SLIC_UNUSED SLIC_STATE uintptr_t slic_barrier_mode;
SLIC_UNUSED SLIC_STATE slic_spin_t slic_barrier_lock;

#if defined(__linux__)
#include <sys/syscall.h>
/* Declared by <unistd.h> only with _GNU_SOURCE or _DEFAULT_SOURCE. */
extern long syscall(long number, ...);
#define SLIC_MEMBARRIER_PRIVATE_EXPEDITED 8
#define SLIC_MEMBARRIER_REGISTER_PRIVATE_EXPEDITED 16
SLIC_UNUSED static int slic_process_barrier_available(void)
{
#ifdef SYS_membarrier
    return syscall(SYS_membarrier, SLIC_MEMBARRIER_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
#else
    return 0;
#endif
}
SLIC_UNUSED static void slic_process_barrier(void)
{
#ifdef SYS_membarrier
    syscall(SYS_membarrier, SLIC_MEMBARRIER_PRIVATE_EXPEDITED, 0, 0);
#endif
}
#elif defined(_WIN32)
__declspec(dllimport) void __stdcall FlushProcessWriteBuffers(void);
SLIC_UNUSED static int slic_process_barrier_available(void) { return 1; }
SLIC_UNUSED static void slic_process_barrier(void) { FlushProcessWriteBuffers(); }
#else
SLIC_UNUSED static int slic_process_barrier_available(void) { return 0; }
SLIC_UNUSED static void slic_process_barrier(void) { }
#endif

SLIC_UNUSED static uintptr_t slic_decide_barrier(void)
{
    uintptr_t mode;
    SLIC_SPIN_LOCK(&slic_barrier_lock);
    mode = SLIC_LOAD_RELAXED(&slic_barrier_mode);
    if (mode == SLIC_BARRIER_UNDECIDED) {
        mode = slic_process_barrier_available() ? SLIC_BARRIER_PROCESS : SLIC_BARRIER_FENCE;
        SLIC_STORE_RELEASE(&slic_barrier_mode, mode);
    }
    SLIC_SPIN_UNLOCK(&slic_barrier_lock);
    return mode;
}

#if defined(__GNUC__) || defined(__clang__)
#if defined(__x86_64__) || defined(__i386__)
#define SLIC_PAUSE() __builtin_ia32_pause()
#else
#define SLIC_PAUSE() SLIC_COMPILER_BARRIER()
#endif
#else
#define SLIC_PAUSE() YieldProcessor()
#endif

/* Works on slot `s`, taking it over if another thread owns it; returns 1
   if this thread did not own it. Ends with `slic_leave`. */
SLIC_UNUSED static int slic_enter(struct slic_slot *s)
{
    uintptr_t self = (uintptr_t)&slic_me, mode = SLIC_LOAD_ACQUIRE(&slic_barrier_mode);
    int taken = 0;
    if (mode == SLIC_BARRIER_UNDECIDED) mode = slic_decide_barrier();
    for (;;) {
        uintptr_t owner;
        SLIC_STORE_RELEASE(&slic_me.busy, (uintptr_t)s);
        if (mode == SLIC_BARRIER_FENCE) SLIC_FENCE();
        else SLIC_COMPILER_BARRIER();
        owner = SLIC_LOAD_ACQUIRE(&s->owner);
        if (owner == self) return taken;
        SLIC_STORE_RELEASE(&slic_me.busy, 0);
        if (!SLIC_CAS(&s->owner, &owner, self)) continue;
        taken = 1;
        if (owner) {
            const struct slic_owner *previous = (const struct slic_owner *)owner;
            if (mode == SLIC_BARRIER_PROCESS) slic_process_barrier();
            while (SLIC_LOAD_ACQUIRE(&previous->busy) == (uintptr_t)s) SLIC_PAUSE();
        }
    }
}

SLIC_UNUSED static void slic_leave(void)
{
    SLIC_STORE_RELEASE(&slic_me.busy, 0);
}

SLIC_UNUSED static void slic_note_mine(struct slic_mine *mine, unsigned index)
{
    unsigned i;
    for (i = 0; i < mine->count; i++)
        if (mine->index[i] == index) return;
    if (mine->count < SLIC_MAX_OBJECTS) mine->index[mine->count++] = index;
}

/* The slot of `object` in the probe sequence (not entered), or -1. */
SLIC_UNUSED static int slic_probe(const struct slic_rule_table *t, uintptr_t object)
{
    unsigned i, at = slic_hash(object);
    for (i = 0; i < SLIC_TABLE_SLOTS; i++, at = (at + 1) % SLIC_TABLE_SLOTS) {
        uintptr_t key = SLIC_LOAD_ACQUIRE(&SLIC_SLOT(t, at)->object);
        if (key == object) return (int)at;
        if (key == 0) return -1;
    }
    return -1;
}

/* A slot for `object`, placed under the table's lock: a slot never used,
   or, earlier in the probe sequence, the slot of an object back in its
   initial state. Entered on return (or -1 if the table is full). */
SLIC_UNUSED static int slic_place(const struct slic_rule_table *t, uintptr_t object)
{
    unsigned i, at = slic_hash(object);
    int found = -1;
    SLIC_SPIN_LOCK(t->insert_lock);
    for (i = 0; i < SLIC_TABLE_SLOTS && found < 0; i++, at = (at + 1) % SLIC_TABLE_SLOTS) {
        struct slic_slot *s = SLIC_SLOT(t, at);
        uintptr_t key = SLIC_LOAD_ACQUIRE(&s->object);
        if (key == object || key == 0) {
            slic_enter(s);
            if (key == 0) {
                SLIC_STORE_RELEASE(&s->object, object);
                s->exists = 0;
            }
            found = (int)at;
        } else if (!SLIC_LOAD_RELAXED(&s->exists)) {
            slic_enter(s);
            if (!s->exists && SLIC_LOAD_RELAXED(&s->object) == key) {
                SLIC_STORE_RELEASE(&s->object, object);
                found = (int)at;
            } else {
                slic_leave();
            }
        }
    }
    SLIC_SPIN_UNLOCK(t->insert_lock);
    if (found < 0) slic_report_full(t, object);
    return found;
}

/* The instance of `object`, created (as this thread's) if it does not
   exist, and entered; 0 if the table is full (reported once). */
SLIC_UNUSED static struct slic_slot *slic_select(const struct slic_rule_table *t, struct slic_mine *mine, uintptr_t object)
{
    for (;;) {
        int at = slic_probe(t, object);
        struct slic_slot *s;
        if (at < 0) {
            at = slic_place(t, object);
            if (at < 0) return 0;
            s = SLIC_SLOT(t, at);
        } else {
            s = SLIC_SLOT(t, at);
            slic_enter(s);
            /* Given to another object while this thread looked it up. */
            if (SLIC_LOAD_RELAXED(&s->object) != object) {
                slic_leave();
                continue;
            }
        }
        if (!s->exists) {
            slic_make_initial(t, s);
            s->exists = 1;
            s->holder = (uintptr_t)&slic_me;
            slic_note_mine(mine, (unsigned)at);
        }
        return s;
    }
}

/* After a handler changed an entered instance: it is this thread's. */
SLIC_UNUSED static void slic_changed(const struct slic_rule_table *t, struct slic_mine *mine, struct slic_slot *s)
{
    if (s->holder != (uintptr_t)&slic_me) {
        s->holder = (uintptr_t)&slic_me;
        slic_note_mine(mine, (unsigned)(((char *)s - t->slots) / t->stride));
    }
}

/* Enters the slot of entry `i` of the thread's list if its instance is
   still the thread's (1), or drops the entry (0). */
SLIC_UNUSED static int slic_enter_held(const struct slic_rule_table *t, struct slic_mine *mine, unsigned i)
{
    struct slic_slot *s = SLIC_SLOT(t, mine->index[i]);
    slic_enter(s);
    if (s->exists && s->holder == (uintptr_t)&slic_me) return 1;
    slic_leave();
    return 0;
}

/* After an event: the thread's instances back in their initial state no
   longer exist, and the list forgets what is not the thread's. */
SLIC_UNUSED static void slic_sweep(const struct slic_rule_table *t, struct slic_mine *mine)
{
    unsigned i = 0;
    while (i < mine->count) {
        int keep = 0;
        if (slic_enter_held(t, mine, i)) {
            struct slic_slot *s = SLIC_SLOT(t, mine->index[i]);
            if (slic_is_initial(t, s)) s->exists = 0;
            keep = s->exists;
            slic_leave();
        }
        if (keep) i++;
        else mine->index[i] = mine->index[--mine->count];
    }
}

#define SLIC_TABLE(r, state_type)                                                     \
    SLIC_STATE struct {                                                               \
        slic_spin_t insert_lock;                                                      \
        unsigned char full_reported;                                                  \
        state_type slots[SLIC_TABLE_SLOTS];                                           \
    } slic_table_##r;                                                                 \
    SLIC_STATE SLIC_THREAD_LOCAL struct slic_mine slic_mine_##r;                      \
    static const struct slic_rule_table r##_table = {                                 \
        (char *)slic_table_##r.slots, sizeof(state_type), r##_initial,                \
        sizeof r##_initial / sizeof r##_initial[0], &r##_rule,                        \
        &slic_table_##r.insert_lock, &slic_table_##r.full_reported                    \
    };

/* How an event function works on a `watch` rule's instances (user mode):
   select by object, walk the thread's own, sweep. */
#define SLIC_EVENT_BEGIN(r)
#define SLIC_SELECT(r, object) ((struct r##_state *)slic_select(&r##_table, &slic_mine_##r, (object)))
#define SLIC_CHANGED(r, s) slic_changed(&r##_table, &slic_mine_##r, &(s)->head)
#define SLIC_DONE(r) slic_leave()
/* The thread's instances when the walk starts (a handler adds none). */
#define SLIC_EACH_HELD(r, s)                                                          \
    for (unsigned slic_i = 0, slic_n = slic_mine_##r.count; slic_i < slic_n; slic_i++) \
        if (slic_enter_held(&r##_table, &slic_mine_##r, slic_i)                       \
            && ((s = (struct r##_state *)SLIC_SLOT(&r##_table, slic_mine_##r.index[slic_i])), 1))
#define SLIC_EVENT_END(r) slic_sweep(&r##_table, &slic_mine_##r)

#else /* SLIC_KERNEL */

#define SLIC_TABLE(r, state_type)                                                     \
    SLIC_STATE struct {                                                               \
        slic_spin_t lock;                                                             \
        unsigned char full_reported;                                                  \
        state_type slots[SLIC_TABLE_SLOTS];                                           \
    } slic_table_##r;                                                                 \
    static const struct slic_rule_table r##_table = {                                 \
        (char *)slic_table_##r.slots, sizeof(state_type), r##_initial,                \
        sizeof r##_initial / sizeof r##_initial[0], &r##_rule,                        \
        &slic_table_##r.lock, &slic_table_##r.full_reported                           \
    };

/* Under the rule's lock: the slot of `object`, or a slot for it. */
SLIC_UNUSED static struct slic_slot *slic_select_locked(const struct slic_rule_table *t, uintptr_t object)
{
    unsigned i, at = slic_hash(object);
    struct slic_slot *reuse = 0;
    for (i = 0; i < SLIC_TABLE_SLOTS; i++, at = (at + 1) % SLIC_TABLE_SLOTS) {
        struct slic_slot *s = SLIC_SLOT(t, at);
        if (s->object == object) {
            reuse = s;
            break;
        }
        if (s->object == 0) {
            if (!reuse) reuse = s;
            break;
        }
        if (!s->exists && !reuse) reuse = s;
    }
    if (!reuse) {
        slic_report_full(t, object);
        return 0;
    }
    if (reuse->object != object || !reuse->exists) {
        reuse->object = object;
        slic_make_initial(t, reuse);
        reuse->exists = 1;
        reuse->holder = SLIC_CURRENT_THREAD();
    }
    return reuse;
}

SLIC_UNUSED static void slic_sweep_locked(const struct slic_rule_table *t)
{
    unsigned i;
    for (i = 0; i < SLIC_TABLE_SLOTS; i++) {
        struct slic_slot *s = SLIC_SLOT(t, i);
        if (s->exists && s->holder == SLIC_CURRENT_THREAD() && slic_is_initial(t, s)) s->exists = 0;
    }
}

#define SLIC_EVENT_BEGIN(r) SLIC_SPIN_LOCK(&slic_table_##r.lock)
#define SLIC_SELECT(r, object) ((struct r##_state *)slic_select_locked(&r##_table, (object)))
#define SLIC_CHANGED(r, s) ((s)->head.holder = SLIC_CURRENT_THREAD())
#define SLIC_DONE(r) ((void)0)
#define SLIC_EACH_HELD(r, s)                                                          \
    for (unsigned slic_i = 0; slic_i < SLIC_TABLE_SLOTS; slic_i++)                    \
        if (((s = (struct r##_state *)SLIC_SLOT(&r##_table, slic_i)), 1)              \
            && s->head.exists && s->head.holder == SLIC_CURRENT_THREAD())
#define SLIC_EVENT_END(r)                                                             \
    do {                                                                              \
        slic_sweep_locked(&r##_table);                                                \
        SLIC_SPIN_UNLOCK(&slic_table_##r.lock);                                       \
    } while (0)

#endif /* SLIC_KERNEL */
