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
   hand-over too. One taker at a time: until it has waited, `owner` is
   marked and other takers wait for the mark to go (see
   `slic_enter_slow`).

   A taker reads the `busy` of the owner it replaced, and that thread may
   have ended: `busy` cannot live in the thread's own storage (its
   thread-local storage goes with it). Each thread has a record (`struct
   slic_thread`) that is never freed: when the thread ends, its record
   goes on a free list, and a thread that starts later gets it. `owner`
   names a record: a thread that gets a record gets the slots the record
   owned, which the thread that ended no longer works on. `holder` names a
   thread by its serial number, never given twice: a thread that gets a
   record holds none of the instances the thread before it held.

   Each thread keeps, per rule, the slots of the instances it holds
   (`mine`): a handler without a guard runs on those. A slot whose
   instance another thread changed since, or which no longer exists, stays
   in the list until a walk of the list finds it is not the thread's (or
   the thread's instance is created in it again). After each event, the
   thread's instances back in their initial state no longer exist; only an
   instance the event created or changed can have come back to it, so the
   event notes that (`struct slic_event`) and checks only it. Where no
   later step of the event walks the thread's instances, an instance a
   handler takes back to its initial state stops existing at once
   (`SLIC_CHANGED_LAST`). A thread stays on the slot it entered until it
   enters another or the event ends (`SLIC_DONE` does nothing).

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
    if (!SLIC_LOAD_BYTE(t->full_reported)) {
        SLIC_STORE_BYTE(t->full_reported, 1);
        slic_table_full(t->rule, 0, object);
    }
}

#ifndef SLIC_KERNEL

#if defined(__GNUC__) || defined(__clang__)
#define SLIC_INLINE static inline __attribute__((always_inline, unused))
#define SLIC_OUT_OF_LINE static __attribute__((noinline, unused))
#define SLIC_LIKELY(x) __builtin_expect(!!(x), 1)
#define SLIC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define SLIC_INLINE static __forceinline
#define SLIC_OUT_OF_LINE static __declspec(noinline)
#define SLIC_LIKELY(x) (x)
#define SLIC_UNLIKELY(x) (x)
#endif

/* A thread's record (see above): the slot it works on (0 for none), its
   serial number, and the next record of the free list. Each has a cache
   line of its own: `busy` is written at every event. */
struct slic_thread {
    uintptr_t busy;
    uintptr_t serial;
    struct slic_thread *next;
};
#define SLIC_RECORD_ALIGN 64

/* The thread's record (0 before its first event on a `watch` rule), and
   the same where a thread that owns a slot enters it without a fence (the
   process-wide barrier is there), 0 where it must fence; and the record's
   serial number, which every event reads (0 until there is a record). */
SLIC_UNUSED SLIC_STATE SLIC_THREAD_LOCAL struct slic_thread *slic_my_record;
SLIC_UNUSED SLIC_STATE SLIC_THREAD_LOCAL uintptr_t slic_me;
SLIC_UNUSED SLIC_STATE SLIC_THREAD_LOCAL uintptr_t slic_my_serial;

/* The records of ended threads, and the last serial number given. */
SLIC_UNUSED SLIC_STATE slic_spin_t slic_records_lock;
SLIC_UNUSED SLIC_STATE struct slic_thread *slic_free_records;
SLIC_UNUSED SLIC_STATE uintptr_t slic_last_serial;

/* The slots a thread has held in one rule's table (see above). */
struct slic_mine {
    unsigned count;
    unsigned index[SLIC_MAX_OBJECTS];
};

/* How a taker makes the owner's `busy` visible: decided once, with the
   first record, before any slot of the process has an owner. */
#define SLIC_BARRIER_UNDECIDED 0
#define SLIC_BARRIER_PROCESS 1   /* every thread fences, when a taker asks */
#define SLIC_BARRIER_FENCE 2     /* every thread fences, always */
SLIC_UNUSED SLIC_STATE uintptr_t slic_barrier_mode;

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

/* A record goes back on the free list when its thread ends: through fiber
   local storage on Windows, a thread-specific key elsewhere. Where there
   is neither, a record is never given again. */
SLIC_UNUSED static void slic_record_free(struct slic_thread *record)
{
    SLIC_STORE_RELEASE(&record->busy, 0);
    slic_my_record = 0;
    slic_me = 0;
    slic_my_serial = 0;
    SLIC_SPIN_LOCK(&slic_records_lock);
    record->next = slic_free_records;
    slic_free_records = record;
    SLIC_SPIN_UNLOCK(&slic_records_lock);
}
#if defined(_WIN32)
__declspec(dllimport) unsigned long __stdcall FlsAlloc(void(__stdcall *callback)(void *));
__declspec(dllimport) int __stdcall FlsSetValue(unsigned long index, void *value);
SLIC_UNUSED SLIC_STATE unsigned long slic_exit_key;
SLIC_UNUSED SLIC_STATE unsigned char slic_exit_key_made;
static void __stdcall slic_thread_ended(void *record) { slic_record_free((struct slic_thread *)record); }
SLIC_UNUSED static void slic_make_exit_key(void)
{
    slic_exit_key = FlsAlloc(slic_thread_ended);
    slic_exit_key_made = slic_exit_key != 0xFFFFFFFFul;
}
SLIC_UNUSED static void slic_on_exit(struct slic_thread *record)
{
    if (slic_exit_key_made) FlsSetValue(slic_exit_key, record);
}
#elif defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
SLIC_UNUSED SLIC_STATE pthread_key_t slic_exit_key;
SLIC_UNUSED SLIC_STATE unsigned char slic_exit_key_made;
static void slic_thread_ended(void *record) { slic_record_free((struct slic_thread *)record); }
SLIC_UNUSED static void slic_make_exit_key(void)
{
    slic_exit_key_made = pthread_key_create(&slic_exit_key, slic_thread_ended) == 0;
}
SLIC_UNUSED static void slic_on_exit(struct slic_thread *record)
{
    if (slic_exit_key_made) pthread_setspecific(slic_exit_key, record);
}
#else
SLIC_UNUSED static void slic_make_exit_key(void) { }
SLIC_UNUSED static void slic_on_exit(struct slic_thread *record) { (void)record; }
#endif

/* The thread's record, taken from the free list or made, the first time
   the thread asks. The first record decides the barrier. */
SLIC_OUT_OF_LINE struct slic_thread *slic_thread_record(void)
{
    struct slic_thread *record = slic_my_record;
    uintptr_t mode, serial;
    if (record) return record;
    SLIC_SPIN_LOCK(&slic_records_lock);
    mode = SLIC_LOAD_RELAXED(&slic_barrier_mode);
    if (mode == SLIC_BARRIER_UNDECIDED) {
        mode = slic_process_barrier_available() ? SLIC_BARRIER_PROCESS : SLIC_BARRIER_FENCE;
        SLIC_STORE_RELAXED(&slic_barrier_mode, mode);
        slic_make_exit_key();
    }
    record = slic_free_records;
    if (record) slic_free_records = record->next;
    serial = ++slic_last_serial;
    SLIC_SPIN_UNLOCK(&slic_records_lock);
    if (!record) {
        /* Never freed: a cache line of its own, inside two. */
        char *memory = (char *)calloc(2, SLIC_RECORD_ALIGN);
        if (!memory) {
            fputs("slic: out of memory for a thread's record\n", stderr);
            abort();
        }
        record = (struct slic_thread *)(((uintptr_t)memory + SLIC_RECORD_ALIGN - 1)
                                        & ~(uintptr_t)(SLIC_RECORD_ALIGN - 1));
    }
    record->next = 0;
    record->serial = serial;
    slic_on_exit(record);
    slic_my_record = record;
    slic_my_serial = serial;
    slic_me = mode == SLIC_BARRIER_PROCESS ? (uintptr_t)record : 0;
    return record;
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

/* `owner` of a slot whose new owner still waits for the one it replaced
   (records are aligned, so their addresses have this bit clear). */
#define SLIC_TAKING 1u

/* `slic_enter` from the start: takes the slot over if another thread owns
   it, fences where the mode says so. A thread waits with `busy` 0, and
   takes a slot over in two steps: it swaps `owner` for its record marked
   SLIC_TAKING, waits until the owner it replaced is not working on the
   slot, then clears the mark; a thread that finds the mark waits for it to
   go. Without the mark, a third thread could take the slot from one still
   waiting (whose `busy` is 0) and work on it with the first. */
SLIC_OUT_OF_LINE void slic_enter_slow(struct slic_slot *s)
{
    struct slic_thread *me = slic_thread_record();
    uintptr_t self = (uintptr_t)me, mode = SLIC_LOAD_RELAXED(&slic_barrier_mode);
    for (;;) {
        uintptr_t owner;
        SLIC_STORE_RELEASE(&me->busy, (uintptr_t)s);
        if (mode == SLIC_BARRIER_FENCE) SLIC_FENCE();
        else SLIC_COMPILER_BARRIER();
        owner = SLIC_LOAD_ACQUIRE(&s->owner);
        if (owner == self) return;
        SLIC_STORE_RELEASE(&me->busy, 0);
        if (owner & SLIC_TAKING) {
            SLIC_PAUSE();
            continue;
        }
        if (!SLIC_CAS(&s->owner, &owner, self | SLIC_TAKING)) continue;
        if (owner) {
            const struct slic_thread *previous = (const struct slic_thread *)owner;
            if (mode == SLIC_BARRIER_PROCESS) slic_process_barrier();
            while (SLIC_LOAD_ACQUIRE(&previous->busy) == (uintptr_t)s) SLIC_PAUSE();
        }
        SLIC_STORE_RELEASE(&s->owner, self);
    }
}

/* What an event function keeps while it runs, in registers once its
   functions are inlined: the thread's fast-path record (`slic_me`), its
   record and serial number (0 until the thread has a record), the slot it
   works on (its record's `busy`, 0 for none); the slot the event created
   or changed an instance in, its index, and whether the instance was in
   its initial state when the event last created or changed it; `more` if
   the event touched more than one slot (rare: then the thread's whole list
   is checked); and the object it selected last, its slot and the slot's
   index (a rule's watched event and its guarded handler select the same
   object); `alone` if the thread's list was the slot of the instance the
   event created last, alone, when it created it (`slic_walk_needed`). */
struct slic_event {
    uintptr_t me;
    struct slic_thread *record;
    uintptr_t serial;
    struct slic_slot *entered;
    struct slic_slot *slot;
    unsigned index;
    unsigned char initial;
    unsigned char more;
    uintptr_t object;
    struct slic_slot *selected;
    unsigned selected_index;
    unsigned char alone;
};

SLIC_INLINE void slic_event_begin(struct slic_event *e)
{
    e->me = slic_me;
    e->record = slic_my_record;
    e->serial = slic_my_serial;
    e->entered = 0;
    e->slot = 0;
    e->index = 0;
    e->initial = 0;
    e->more = 0;
    e->object = 0;
    e->selected = 0;
    e->selected_index = 0;
    e->alone = 0;
}

/* After code out of line entered slot `s` (0: none): the event works on
   it, and the thread has a record if it entered one. */
SLIC_INLINE void slic_entered(struct slic_event *e, struct slic_slot *s)
{
    e->entered = s;
    if (s) {
        e->me = slic_me;
        e->record = slic_my_record;
        e->serial = slic_my_serial;
    }
}

/* Works on slot `s`, taking it over if another thread owns it, until the
   thread enters another slot or leaves (`slic_leave`): a thread works on
   one slot at a time, and while its `busy` names a slot, it is the slot's
   owner or the thread that took it over waits. Inline, the case of almost
   every event: the thread works on the slot already, or owns it and needs
   no fence. */
SLIC_INLINE void slic_enter(struct slic_event *e, struct slic_slot *s)
{
    uintptr_t me = e->me;
    if (e->entered == s) return;
    if (SLIC_LIKELY(me != 0)) {
        struct slic_thread *record = (struct slic_thread *)me;
        SLIC_STORE_RELEASE(&record->busy, (uintptr_t)s);
        SLIC_COMPILER_BARRIER();
        if (SLIC_LIKELY(SLIC_LOAD_ACQUIRE(&s->owner) == me)) {
            e->entered = s;
            return;
        }
        SLIC_STORE_RELEASE(&record->busy, 0);
    }
    slic_enter_slow(s);
    slic_entered(e, s);
}

SLIC_INLINE void slic_leave(struct slic_event *e)
{
    if (e->entered) {
        SLIC_STORE_RELEASE(&e->record->busy, 0);
        e->entered = 0;
    }
}

/* `slic_enter` and `slic_leave` for the code out of line, which keeps no
   event: the event function's `slic_event` stays in registers. */
SLIC_UNUSED static void slic_enter_alone(struct slic_slot *s)
{
    uintptr_t me = slic_me;
    if (me) {
        struct slic_thread *record = (struct slic_thread *)me;
        SLIC_STORE_RELEASE(&record->busy, (uintptr_t)s);
        SLIC_COMPILER_BARRIER();
        if (SLIC_LOAD_ACQUIRE(&s->owner) == me) return;
        SLIC_STORE_RELEASE(&record->busy, 0);
    }
    slic_enter_slow(s);
}

SLIC_UNUSED static void slic_leave_alone(void)
{
    SLIC_STORE_RELEASE(&slic_my_record->busy, 0);
}

/* Whether the instance in slot `s` is the thread's: it exists and the
   thread holds it. Exact without entering the slot when it says no: only
   the thread writes its own serial number. */
SLIC_INLINE int slic_is_mine(struct slic_slot *s, uintptr_t serial)
{
    return SLIC_LOAD_BYTE(&s->exists) && SLIC_LOAD_RELAXED(&s->holder) == serial;
}

/* Drops the entries of the thread's list whose instances are not the
   thread's, when the list is full. */
SLIC_UNUSED static void slic_forget_others(const struct slic_rule_table *t, struct slic_mine *mine, uintptr_t serial)
{
    unsigned i, kept = 0;
    for (i = 0; i < mine->count; i++)
        if (slic_is_mine(SLIC_SLOT(t, mine->index[i]), serial)) mine->index[kept++] = mine->index[i];
    mine->count = kept;
}

/* Adds slot `index` to the thread's list unless it is there; returns
   whether the list is that slot alone. */
SLIC_INLINE int slic_note_mine(const struct slic_rule_table *t, struct slic_mine *mine, uintptr_t serial,
                               unsigned index)
{
    unsigned i, count = mine->count;
    for (i = 0; i < count; i++)
        if (mine->index[i] == index) return count == 1;
    if (count == SLIC_MAX_OBJECTS) slic_forget_others(t, mine, serial);
    if (mine->count < SLIC_MAX_OBJECTS) mine->index[mine->count++] = index;
    return mine->count == 1 && mine->index[0] == index;
}

SLIC_INLINE void slic_touch(struct slic_event *e, struct slic_slot *s, unsigned index, int initial)
{
    if (SLIC_LIKELY(e->slot == s || !e->slot)) {
        e->slot = s;
        e->index = index;
        e->initial = (unsigned char)initial;
    } else {
        e->more = 1;
    }
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
            slic_enter_alone(s);
            if (key == 0) {
                /* A slot whose instance does not exist is in the initial
                   state (it was dropped in it): so is a new one. */
                slic_make_initial(t, s);
                SLIC_STORE_BYTE(&s->exists, 0);
                SLIC_STORE_RELEASE(&s->object, object);
            }
            found = (int)at;
        } else if (!SLIC_LOAD_BYTE(&s->exists)) {
            slic_enter_alone(s);
            if (!s->exists && SLIC_LOAD_RELAXED(&s->object) == key) {
                SLIC_STORE_RELEASE(&s->object, object);
                found = (int)at;
            } else {
                slic_leave_alone();
            }
        }
    }
    SLIC_SPIN_UNLOCK(t->insert_lock);
    if (found < 0) slic_report_full(t, object);
    return found;
}

/* `slic_select` from the start: the index of the slot of `object`,
   entered, or -1 if the table is full. The caller has left the slot it
   worked on: placing takes the table's lock, and a thread that holds it
   may be waiting for this one to leave its slot. */
SLIC_OUT_OF_LINE int slic_select_slow(const struct slic_rule_table *t, uintptr_t object)
{
    for (;;) {
        int at = slic_probe(t, object);
        if (at < 0) return slic_place(t, object);
        slic_enter_alone(SLIC_SLOT(t, at));
        /* Given to another object while this thread looked it up. */
        if (SLIC_LOAD_RELAXED(&SLIC_SLOT(t, at)->object) == object) return at;
        slic_leave_alone();
    }
}

/* The instance of `object`, created (as this thread's) if it does not
   exist, and entered; 0 if the table is full (reported once). Inline where
   the object is in its first slot. */
SLIC_INLINE struct slic_slot *slic_select(const struct slic_rule_table *t, struct slic_mine *mine,
                                          struct slic_event *e, uintptr_t object)
{
    unsigned at;
    struct slic_slot *s;
    int found;
    if (e->object == object && e->selected) {
        at = e->selected_index;
        s = e->selected;
        /* Worked on since it was selected: still the object's. */
        if (e->entered == s) goto entered;
    } else {
        at = slic_hash(object);
        s = SLIC_SLOT(t, at);
    }
    if (SLIC_LIKELY(SLIC_LOAD_ACQUIRE(&s->object) == object)) {
        slic_enter(e, s);
        if (SLIC_LIKELY(SLIC_LOAD_RELAXED(&s->object) == object)) goto entered;
        slic_leave(e);
    }
    slic_leave(e);
    found = slic_select_slow(t, object);
    if (found < 0) return 0;
    at = (unsigned)found;
    s = SLIC_SLOT(t, at);
    slic_entered(e, s);
entered:
    e->object = object;
    e->selected = s;
    e->selected_index = at;
    /* Created, in the initial state its values are in already. */
    if (!s->exists) {
        SLIC_STORE_BYTE(&s->exists, 1);
        if (s->holder != e->serial) SLIC_STORE_RELAXED(&s->holder, e->serial);
        e->alone = (unsigned char)slic_note_mine(t, mine, e->serial, at);
        slic_touch(e, s, at, 1);
    }
    return s;
}

/* What a handler that changed its instance returns (0: it changed
   nothing): what it left the instance as, when that is known without
   looking at the values (`monitor::initial`). */
#define SLIC_CHANGED_SOME 1       /* compare the values with the initial ones */
#define SLIC_CHANGED_AWAY 2       /* not in the initial state */
#define SLIC_CHANGED_BACK 3       /* in the initial state */

/* After a handler changed an entered instance: it is this thread's. */
SLIC_INLINE void slic_changed(const struct slic_rule_table *t, struct slic_mine *mine, struct slic_event *e,
                              struct slic_slot *s, int how)
{
    unsigned index = e->selected == s ? e->selected_index : (unsigned)(((char *)s - t->slots) / t->stride);
    if (s->holder != e->serial) {
        SLIC_STORE_RELAXED(&s->holder, e->serial);
        (void)slic_note_mine(t, mine, e->serial, index);
    }
    slic_touch(e, s, index, how == SLIC_CHANGED_SOME ? slic_is_initial(t, s) : how == SLIC_CHANGED_BACK);
}

/* After a handler changed an entered instance, where no later step of the
   event walks the thread's instances: as `slic_changed`, and an instance
   back in its initial state no longer exists, at once. */
SLIC_INLINE void slic_changed_last(const struct slic_rule_table *t, struct slic_mine *mine, struct slic_event *e,
                                   struct slic_slot *s, int how)
{
    slic_changed(t, mine, e, s, how);
    if (e->slot == s && e->initial) {
        SLIC_STORE_BYTE(&s->exists, 0);
        e->initial = 0;
    }
}

/* Enters the slot of entry `i` of the thread's list and keeps the entry
   (at `*kept`) if its instance is still the thread's (1); drops the entry
   otherwise (0). */
SLIC_INLINE int slic_enter_held(const struct slic_rule_table *t, struct slic_mine *mine, struct slic_event *e,
                                unsigned i, unsigned *kept)
{
    unsigned index = mine->index[i];
    struct slic_slot *s = SLIC_SLOT(t, index);
    if (e->entered != s) {
        if (!slic_is_mine(s, e->serial)) return 0;
        slic_enter(e, s);
    }
    if (s->exists && s->holder == e->serial) {
        if (*kept != i) mine->index[*kept] = index;
        ++*kept;
        return 1;
    }
    slic_leave(e);
    return 0;
}

/* The instance of slot `index`, if it is the thread's and back in its
   initial state, no longer exists. */
SLIC_INLINE void slic_drop_if_initial(const struct slic_rule_table *t, struct slic_event *e, unsigned index)
{
    struct slic_slot *s = SLIC_SLOT(t, index);
    if (!slic_is_mine(s, e->serial)) return;
    slic_enter(e, s);
    if (s->exists && s->holder == e->serial && slic_is_initial(t, s)) SLIC_STORE_BYTE(&s->exists, 0);
}

/* After an event: the thread's instances back in their initial state no
   longer exist. The slot the event touched, or the whole list. */
SLIC_INLINE void slic_sweep(const struct slic_rule_table *t, struct slic_mine *mine, struct slic_event *e)
{
    unsigned i;
    if (SLIC_LIKELY(!e->more)) {
        if (e->initial) slic_drop_if_initial(t, e, e->index);
        return;
    }
    for (i = 0; i < mine->count; i++) slic_drop_if_initial(t, e, mine->index[i]);
}

/* A `watch` rule's handlers and events: inlined into the hooks, so that
   what an event keeps stays in registers and what a handler returns is
   known where it is used. */
#define SLIC_EVENT_FUNCTION SLIC_INLINE

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

/* Whether a walk of the thread's instances may find one its handler acts
   on, for a handler that can do nothing to an instance in its initial
   state (`monitor::initial`): not when the thread's list holds only the
   slot of the instance the event created, untouched since. That instance
   is in its initial state, or no longer the thread's if another thread
   changed it. The list was that slot alone when the event created the
   instance (`alone`), and has gained no other since: a slot joins the
   list only when the event touches it, and a second slot touched sets
   `more`. (A list may hold slots whose instances are gone, and then the
   walk runs: it drops them.) */
SLIC_INLINE int slic_walk_needed(const struct slic_event *e)
{
    return !(e->alone && e->initial && !e->more);
}

/* How an event function works on a `watch` rule's instances (user mode):
   select by object, walk the thread's own, sweep what the event touched. */
#define SLIC_EVENT_BEGIN(r)                                                           \
    struct slic_event slic_event;                                                     \
    slic_event_begin(&slic_event)
#define SLIC_SELECT(r, object) ((struct r##_state *)slic_select(&r##_table, &slic_mine_##r, &slic_event, (object)))
#define SLIC_CHANGED(r, s, how) slic_changed(&r##_table, &slic_mine_##r, &slic_event, &(s)->head, (how))
#define SLIC_CHANGED_LAST(r, s, how) slic_changed_last(&r##_table, &slic_mine_##r, &slic_event, &(s)->head, (how))
/* The thread goes on working on the slot until the next one, or the end
   of the event. */
#define SLIC_DONE(r) ((void)0)
/* The thread's instances when the walk starts (a handler adds none: it
   changes only instances the thread holds); the entries of instances no
   longer the thread's are dropped, the rest kept in order. */
/* A walk's variables, declared at the start of its block (C90 has no
   declaration in a `for`: the monitor is compiled with the user's flags
   where it goes into each file). */
#define SLIC_HELD_WALK_VARIABLES unsigned slic_i, slic_kept, slic_n
#define SLIC_EACH_HELD(r, s)                                                          \
    for (slic_i = 0, slic_kept = 0, slic_n = slic_mine_##r.count;                     \
         slic_i < slic_n || ((void)(slic_kept != slic_n && (slic_mine_##r.count = slic_kept)), 0); \
         slic_i++)                                                                    \
        if (slic_enter_held(&r##_table, &slic_mine_##r, &slic_event, slic_i, &slic_kept) \
            && ((s = (struct r##_state *)SLIC_SLOT(&r##_table, slic_mine_##r.index[slic_kept - 1])), 1))
#define SLIC_WALK_NEEDED(r) SLIC_UNLIKELY(slic_walk_needed(&slic_event))
#define SLIC_EVENT_END(r)                                                             \
    do {                                                                              \
        slic_sweep(&r##_table, &slic_mine_##r, &slic_event);                          \
        slic_leave(&slic_event);                                                      \
    } while (0)

#else /* SLIC_KERNEL */

#define SLIC_EVENT_FUNCTION static

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
#define SLIC_CHANGED(r, s, how) ((void)(how), (s)->head.holder = SLIC_CURRENT_THREAD())
#define SLIC_CHANGED_LAST(r, s, how) SLIC_CHANGED(r, s, how)
#define SLIC_DONE(r) ((void)0)
#define SLIC_WALK_NEEDED(r) 1
#define SLIC_HELD_WALK_VARIABLES unsigned slic_i
#define SLIC_EACH_HELD(r, s)                                                          \
    for (slic_i = 0; slic_i < SLIC_TABLE_SLOTS; slic_i++)                             \
        if (((s = (struct r##_state *)SLIC_SLOT(&r##_table, slic_i)), 1)              \
            && s->head.exists && s->head.holder == SLIC_CURRENT_THREAD())
#define SLIC_EVENT_END(r)                                                             \
    do {                                                                              \
        slic_sweep_locked(&r##_table);                                                \
        SLIC_SPIN_UNLOCK(&slic_table_##r.lock);                                       \
    } while (0)

#endif /* SLIC_KERNEL */
