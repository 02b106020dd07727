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
#define NTSYSAPI
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

/* The types of the IRQL rules' APIs. A LARGE_INTEGER is a union in the
   WDK; passed by value it travels as one 64-bit integer, which is what
   the harness casts its values to. */
typedef uint16_t WCHAR;
typedef WCHAR *PWSTR, *PCWSTR;
typedef int64_t LONGLONG;
typedef uint64_t SIZE_T;
typedef LONG KPRIORITY;
typedef ULONG ACCESS_MASK;
typedef ULONG DEVICE_TYPE;
typedef ULONG_PTR KAFFINITY;
typedef CCHAR KPROCESSOR_MODE;
typedef PVOID HANDLE, *PHANDLE;
typedef PVOID PSECURITY_DESCRIPTOR;
typedef LONGLONG LARGE_INTEGER, *PLARGE_INTEGER;
typedef LARGE_INTEGER PHYSICAL_ADDRESS;
typedef struct _GUID GUID, UUID;
typedef const GUID *LPCGUID;
typedef int POOL_TYPE, EX_POOL_PRIORITY, TIMER_TYPE, KWAIT_REASON, WAIT_TYPE, KINTERRUPT_MODE;
typedef int CREATE_FILE_TYPE, MEMORY_CACHING_TYPE, KEY_INFORMATION_CLASS, KEY_VALUE_INFORMATION_CLASS;
typedef struct _UNICODE_STRING UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;
typedef struct _MDL MDL, *PMDL;
typedef struct _KEVENT KEVENT, *PKEVENT, *PRKEVENT;
typedef struct _KTIMER KTIMER, *PKTIMER;
typedef struct _KDPC KDPC, *PKDPC;
typedef struct _KMUTANT KMUTEX, *PRKMUTEX;
typedef struct _KDEVICE_QUEUE KDEVICE_QUEUE, *PKDEVICE_QUEUE;
typedef struct _KDEVICE_QUEUE_ENTRY KDEVICE_QUEUE_ENTRY, *PKDEVICE_QUEUE_ENTRY;
typedef struct _KFLOATING_SAVE KFLOATING_SAVE, *PKFLOATING_SAVE;
typedef struct _KWAIT_BLOCK KWAIT_BLOCK, *PKWAIT_BLOCK;
typedef struct _KTHREAD *PKTHREAD;
typedef struct _ETHREAD *PETHREAD;
typedef struct _KINTERRUPT *PKINTERRUPT;
typedef struct _FILE_OBJECT FILE_OBJECT, *PFILE_OBJECT;
typedef struct _SHARE_ACCESS SHARE_ACCESS, *PSHARE_ACCESS;
typedef struct _VPB *PVPB;
typedef struct _CONTROLLER_OBJECT *PCONTROLLER_OBJECT;
typedef struct _ADAPTER_OBJECT *PADAPTER_OBJECT;
typedef struct _DMA_ADAPTER *PDMA_ADAPTER;
typedef struct _DEVICE_DESCRIPTION *PDEVICE_DESCRIPTION;
typedef struct _CONFIGURATION_INFORMATION *PCONFIGURATION_INFORMATION;
typedef struct _GENERIC_MAPPING *PGENERIC_MAPPING;
typedef struct _IO_STATUS_BLOCK IO_STATUS_BLOCK, *PIO_STATUS_BLOCK;
typedef struct _OBJECT_ATTRIBUTES *POBJECT_ATTRIBUTES;
typedef struct _OBJECT_TYPE *POBJECT_TYPE;
typedef struct _OBJECT_HANDLE_INFORMATION *POBJECT_HANDLE_INFORMATION;
typedef struct _CLIENT_ID *PCLIENT_ID;
typedef struct _CALLBACK_OBJECT *PCALLBACK_OBJECT;
typedef struct _PAGED_LOOKASIDE_LIST *PPAGED_LOOKASIDE_LIST;
typedef PVOID PKSTART_ROUTINE, PCREATE_PROCESS_NOTIFY_ROUTINE, PCREATE_THREAD_NOTIFY_ROUTINE;
typedef PVOID PLOAD_IMAGE_NOTIFY_ROUTINE, PEX_CALLBACK_FUNCTION, PCALLBACK_FUNCTION;
typedef PVOID PALLOCATE_FUNCTION, PFREE_FUNCTION, PDRIVER_REINITIALIZE, PNMI_CALLBACK;
typedef PVOID PKSERVICE_ROUTINE, PDRIVER_CONTROL, PIO_TIMER_ROUTINE, PDRIVER_CANCEL;

/* What the program under test shares with the harness (main.c). */
extern uintptr_t slic_h_args[16];
extern int64_t slic_h_return;
/* Runs the rest of the trace inside a routine whose exit the trace has
   yet to reach; returns at that exit. */
void slic_h_body(void);

#endif
