/* The SV-COMP conventions: a verifier (or a test harness) provides these. */
extern void reach_error(void);
extern void __VERIFIER_assume(int condition);
extern _Bool __VERIFIER_nondet_bool(void);

#define SLIC_ENTRY

/* One thread: the harness's. */
#define SLIC_CURRENT_THREAD() 1

/* A model checker's harness runs only the driver: every call is its. */
void slic_driver_enter(void) { }
void slic_driver_exit(void) { }

/* How many objects a `watch` rule may pass over before choosing one. */
#ifndef SLIC_STATIC_OBJECTS
#define SLIC_STATIC_OBJECTS 64
#endif

