/* slic_verify.h: what the harness, the kernel model and the engines' glue
   of `slic verify` share. Generated programs include it after the WDK
   header; it needs none of the WDK's types. */
#ifndef SLIC_VERIFY_H
#define SLIC_VERIFY_H

/* A routine's address, as the kernel model records it (a `void *`: an analyzer
   may refuse casts between function types). */
typedef void *slic_verify_fn;

/* Nondeterminism, defined by each engine's glue. */
_Bool __VERIFIER_nondet_bool(void);
void __VERIFIER_assume(int condition);
/* Any bytes in the object. */
void slic_havoc(void *object, unsigned long long size);
/* Zeros in the object. */
void slic_zero(void *object, unsigned long long size);
/* A number from 0 to count - 1. */
int slic_choice(int count);
/* The object, or NULL. */
void *slic_nondet_pointer(void *object);

/* The kernel model's records of what the driver queued, for the harness. */
void slic_kernel_reset(void);
int slic_kernel_take_dpc(slic_verify_fn routine, void **dpc, void **context, void **argument1,
                         void **argument2);
int slic_kernel_take_work_item(slic_verify_fn routine, void **device, void **context);
int slic_kernel_take_packet(void **device, void **irp);
/* The kernel model's books as a number (for EVA's partitions). */
unsigned slic_kernel_key(void);
/* The IRQL a routine is called at. */
void slic_kernel_set_irql(unsigned char irql);
/* The I/O manager cancels an IRP: it takes the cancel spin lock, which
   raises to DISPATCH_LEVEL and gives the IRQL to go back to. */
void slic_kernel_enter_cancel(unsigned char *cancel_irql);

#endif
