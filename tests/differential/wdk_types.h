/*
 * The WDK types the pack's catalog (rules/wdm/ddi.h) spells, with the
 * widths of the Windows x64 ABI (LLP64: a ULONG is 32 bits), for the
 * differential harness. The prototypes themselves are generated from the
 * catalog into each harness.
 */
#ifndef SLIC_DIFFERENTIAL_WDK_TYPES_H
#define SLIC_DIFFERENTIAL_WDK_TYPES_H

#include <stdint.h>

#define NTKERNELAPI
#define FASTCALL
#define VOID void

typedef uint8_t UCHAR, *PUCHAR;
typedef int8_t CHAR, CCHAR;
typedef uint16_t USHORT;
typedef int16_t SHORT;
typedef uint32_t ULONG, *PULONG;
typedef int32_t LONG, *PLONG;
typedef UCHAR BOOLEAN, *PBOOLEAN;
typedef void *PVOID;
typedef LONG NTSTATUS;
typedef UCHAR KIRQL, *PKIRQL;
typedef uintptr_t ULONG_PTR;
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;
typedef ULONG_PTR ERESOURCE_THREAD;

typedef struct _KLOCK_QUEUE_HANDLE KLOCK_QUEUE_HANDLE, *PKLOCK_QUEUE_HANDLE;
typedef struct _FAST_MUTEX FAST_MUTEX, *PFAST_MUTEX;
typedef struct _KGUARDED_MUTEX KGUARDED_MUTEX, *PKGUARDED_MUTEX;
typedef struct _ERESOURCE ERESOURCE, *PERESOURCE;
typedef struct _DEVICE_OBJECT DEVICE_OBJECT, *PDEVICE_OBJECT;
typedef struct _DRIVER_OBJECT DRIVER_OBJECT, *PDRIVER_OBJECT;
typedef struct _IRP IRP, *PIRP;

/* What the program under test shares with the harness (main.c). */
extern uintptr_t slic_h_args[8];
extern int64_t slic_h_return;
/* Runs the rest of the trace inside a routine whose exit the trace has
   yet to reach; returns at that exit. */
void slic_h_body(void);

#endif
