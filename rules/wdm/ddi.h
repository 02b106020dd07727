/*
 * The API catalog of the WDM rule pack: the lock DDIs the rules name, with
 * the calling conventions and types of the WDK.
 *
 * slic reads this file to check rules (arity, value types) and to write
 * wrappers with the exact prototype of each API. Drivers never include it:
 * they keep including <wdm.h> or <ntddk.h>. The typedefs at the top only
 * tell slic how wide each type is and what a pointer points to; they follow
 * the WDK for x64 (`ULONG_PTR` and pointers are 64 bits). The SAL
 * annotations say which parameters a function writes through (`_Out_`):
 * the kernel model of `slic verify` writes them.
 *
 * Each prototype carries the IRQL the WDK documents for it, as wdm.h's SAL
 * annotations write it: `_IRQL_requires_max_(L)` (at L or below),
 * `_IRQL_requires_min_(L)` (at L or above), `_IRQL_requires_(L)` (at L).
 * The IRQL rules check the same, and a test holds them to it
 * (tests/hermetic/irql_catalog.rs).
 */

#pragma once

/* Base types. */
typedef unsigned char UCHAR, *PUCHAR;
typedef char CHAR, CCHAR;
typedef unsigned short USHORT;
typedef short SHORT;
typedef unsigned long ULONG, *PULONG;
typedef long LONG, *PLONG;
typedef UCHAR BOOLEAN, *PBOOLEAN;
typedef void *PVOID;
typedef LONG NTSTATUS;
typedef UCHAR KIRQL, *PKIRQL;
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;
typedef ULONG_PTR ERESOURCE_THREAD;

/* Opaque kernel objects: slic only ever sees pointers to them. */
typedef struct _KLOCK_QUEUE_HANDLE KLOCK_QUEUE_HANDLE, *PKLOCK_QUEUE_HANDLE;
typedef struct _FAST_MUTEX FAST_MUTEX, *PFAST_MUTEX;
typedef struct _KGUARDED_MUTEX KGUARDED_MUTEX, *PKGUARDED_MUTEX;
typedef struct _ERESOURCE ERESOURCE, *PERESOURCE;
typedef struct _DEVICE_OBJECT DEVICE_OBJECT, *PDEVICE_OBJECT;
typedef struct _DRIVER_OBJECT DRIVER_OBJECT, *PDRIVER_OBJECT;
typedef struct _IRP IRP, *PIRP;

/* ---- Types of the IRQL rules' APIs. Records only slic sees pointers to
   are opaque; function pointer types are pointers. */
typedef unsigned short WCHAR;
typedef WCHAR *PWSTR, *PCWSTR;
typedef long long LONGLONG;
typedef LONG KPRIORITY;
typedef ULONG ACCESS_MASK;
typedef ULONG DEVICE_TYPE;
typedef ULONG_PTR KAFFINITY;
typedef CCHAR KPROCESSOR_MODE;
typedef PVOID HANDLE, *PHANDLE;
typedef PVOID PSECURITY_DESCRIPTOR;
typedef union _LARGE_INTEGER LARGE_INTEGER, *PLARGE_INTEGER;
typedef LARGE_INTEGER PHYSICAL_ADDRESS;
typedef struct _GUID GUID, UUID;
typedef GUID *LPCGUID;
typedef enum _POOL_TYPE POOL_TYPE;
typedef enum _EX_POOL_PRIORITY EX_POOL_PRIORITY;
typedef enum _TIMER_TYPE TIMER_TYPE;
typedef enum _KWAIT_REASON KWAIT_REASON;
typedef enum _WAIT_TYPE WAIT_TYPE;
typedef enum _KINTERRUPT_MODE KINTERRUPT_MODE;
typedef enum _CREATE_FILE_TYPE CREATE_FILE_TYPE;
typedef enum _MEMORY_CACHING_TYPE MEMORY_CACHING_TYPE;
typedef enum _KEY_INFORMATION_CLASS KEY_INFORMATION_CLASS;
typedef enum _KEY_VALUE_INFORMATION_CLASS KEY_VALUE_INFORMATION_CLASS;
typedef struct _UNICODE_STRING UNICODE_STRING, *PUNICODE_STRING, *PCUNICODE_STRING;
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
typedef PVOID PKSERVICE_ROUTINE, PDRIVER_CONTROL, PIO_TIMER_ROUTINE;
typedef PVOID PDRIVER_CANCEL;

/* In-stack queued spin locks. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID FASTCALL KeAcquireInStackQueuedSpinLock(_Inout_ PKSPIN_LOCK SpinLock, _Out_ PKLOCK_QUEUE_HANDLE LockHandle);
_IRQL_requires_(DISPATCH_LEVEL)
NTKERNELAPI VOID FASTCALL KeReleaseInStackQueuedSpinLock(_In_ PKLOCK_QUEUE_HANDLE LockHandle);
_IRQL_requires_min_(DISPATCH_LEVEL)
NTKERNELAPI VOID FASTCALL KeAcquireInStackQueuedSpinLockAtDpcLevel(_Inout_ PKSPIN_LOCK SpinLock, _Out_ PKLOCK_QUEUE_HANDLE LockHandle);
_IRQL_requires_min_(DISPATCH_LEVEL)
NTKERNELAPI VOID FASTCALL KeReleaseInStackQueuedSpinLockFromDpcLevel(_In_ PKLOCK_QUEUE_HANDLE LockHandle);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeAcquireInStackQueuedSpinLockForDpc(_Inout_ PKSPIN_LOCK SpinLock, _Out_ PKLOCK_QUEUE_HANDLE LockHandle);
_IRQL_requires_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeReleaseInStackQueuedSpinLockForDpc(_In_ PKLOCK_QUEUE_HANDLE LockHandle);

/* Executive spin locks. KeAcquireSpinLock is a macro in wdm.h; drivers
   call it by this name, so rules and wrappers use this prototype. The WDK
   documents KeAcquireSpinLockAtDpcLevel and KeReleaseSpinLockFromDpcLevel at DISPATCH_LEVEL or
   above; IrqlDispatch, as Static Driver Verifier's rule, takes exactly
   DISPATCH_LEVEL (only interrupt code runs above it), and so does this
   catalog. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeAcquireSpinLock(_Inout_ PKSPIN_LOCK SpinLock, _Out_ PKIRQL OldIrql);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI KIRQL KeAcquireSpinLockRaiseToDpc(_Inout_ PKSPIN_LOCK SpinLock);
_IRQL_requires_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeReleaseSpinLock(_Inout_ PKSPIN_LOCK SpinLock, _In_ KIRQL NewIrql);
_IRQL_requires_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeAcquireSpinLockAtDpcLevel(_Inout_ PKSPIN_LOCK SpinLock);
_IRQL_requires_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeReleaseSpinLockFromDpcLevel(_Inout_ PKSPIN_LOCK SpinLock);
_IRQL_requires_min_(DISPATCH_LEVEL)
NTKERNELAPI BOOLEAN FASTCALL KeTryToAcquireSpinLockAtDpcLevel(_Inout_ PKSPIN_LOCK SpinLock);

/* The cancel spin lock. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID IoAcquireCancelSpinLock(_Out_ PKIRQL Irql);
_IRQL_requires_(DISPATCH_LEVEL)
NTKERNELAPI VOID IoReleaseCancelSpinLock(_In_ KIRQL Irql);

/* Fast and guarded mutexes. */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID FASTCALL ExAcquireFastMutex(_Inout_ PFAST_MUTEX FastMutex);
_IRQL_requires_(APC_LEVEL)
NTKERNELAPI VOID FASTCALL ExReleaseFastMutex(_Inout_ PFAST_MUTEX FastMutex);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI BOOLEAN FASTCALL ExTryToAcquireFastMutex(_Inout_ PFAST_MUTEX FastMutex);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID FASTCALL KeAcquireGuardedMutex(_Inout_ PKGUARDED_MUTEX Mutex);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID FASTCALL KeReleaseGuardedMutex(_Inout_ PKGUARDED_MUTEX Mutex);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID FASTCALL KeAcquireGuardedMutexUnsafe(PKGUARDED_MUTEX FastMutex);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID FASTCALL KeReleaseGuardedMutexUnsafe(PKGUARDED_MUTEX FastMutex);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI BOOLEAN FASTCALL KeTryToAcquireGuardedMutex(PKGUARDED_MUTEX Mutex);

/* Critical and guarded regions. */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID KeEnterCriticalRegion(VOID);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID KeLeaveCriticalRegion(VOID);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID KeEnterGuardedRegion(VOID);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID KeLeaveGuardedRegion(VOID);

/* Executive resources. */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI BOOLEAN ExAcquireResourceExclusiveLite(_Inout_ PERESOURCE Resource, _In_ BOOLEAN Wait);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI BOOLEAN ExAcquireResourceSharedLite(_Inout_ PERESOURCE Resource, _In_ BOOLEAN Wait);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI BOOLEAN ExAcquireSharedStarveExclusive(_Inout_ PERESOURCE Resource, _In_ BOOLEAN Wait);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI BOOLEAN ExAcquireSharedWaitForExclusive(_Inout_ PERESOURCE Resource, _In_ BOOLEAN Wait);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID FASTCALL ExReleaseResourceLite(_Inout_ PERESOURCE Resource);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID ExReleaseResourceForThreadLite(_Inout_ PERESOURCE Resource, _In_ ERESOURCE_THREAD ResourceThreadId);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID ExConvertExclusiveToSharedLite(PERESOURCE Resource);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI NTSTATUS ExDeleteResourceLite(PERESOURCE Resource);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI PVOID ExEnterCriticalRegionAndAcquireResourceExclusive(_Inout_ PERESOURCE Resource);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID FASTCALL ExReleaseResourceAndLeaveCriticalRegion(_Inout_ PERESOURCE Resource);

/* IRQL. KeRaiseIrql is a macro on x64; drivers call it by this name, and
   the macro calls KfRaiseIrql, which is what compiled code (LLVM IR) calls. */
_IRQL_requires_max_(HIGH_LEVEL)
NTKERNELAPI VOID KeRaiseIrql(_In_ KIRQL NewIrql, _Out_ PKIRQL OldIrql);
_IRQL_requires_max_(HIGH_LEVEL)
NTHALAPI KIRQL FASTCALL KfRaiseIrql(_In_ KIRQL NewIrql);
_IRQL_requires_max_(HIGH_LEVEL)
NTKERNELAPI VOID KeLowerIrql(_In_ KIRQL NewIrql);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI KIRQL KeRaiseIrqlToDpcLevel(VOID);

/* I/O requests. IoCompleteRequest and IoCallDriver are macros for
   IofCompleteRequest and IofCallDriver. */
_IRQL_requires_(DISPATCH_LEVEL)
NTKERNELAPI VOID IoStartNextPacket(_In_ PDEVICE_OBJECT DeviceObject, _In_ BOOLEAN Cancelable);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID IoCompleteRequest(_In_ PIRP Irp, _In_ CCHAR PriorityBoost);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID FASTCALL IofCompleteRequest(_In_ PIRP Irp, _In_ CCHAR PriorityBoost);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID IoStartPacket(PDEVICE_OBJECT DeviceObject, PIRP Irp, PULONG Key, PDRIVER_CANCEL CancelFunction);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI BOOLEAN IoCancelIrp(PIRP Irp);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI NTSTATUS IoCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI NTSTATUS FASTCALL IofCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI PIRP IoBuildDeviceIoControlRequest(ULONG IoControlCode, PDEVICE_OBJECT DeviceObject, PVOID InputBuffer,
    ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength, BOOLEAN InternalDeviceIoControl,
    PKEVENT Event, PIO_STATUS_BLOCK IoStatusBlock);

/* Device objects, symbolic links, interfaces, controllers, interrupts and
   the other I/O manager routines of the IRQL rules. IoAssignArcName and
   IoDeassignArcName are macros for IoCreateSymbolicLink and
   IoDeleteSymbolicLink. */
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName,
    DEVICE_TYPE DeviceType, ULONG DeviceCharacteristics, BOOLEAN Exclusive, PDEVICE_OBJECT *DeviceObject);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID IoDeleteDevice(PDEVICE_OBJECT DeviceObject);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS IoAttachDevice(PDEVICE_OBJECT SourceDevice, PUNICODE_STRING TargetDevice,
    PDEVICE_OBJECT *AttachedDevice);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI VOID IoDetachDevice(PDEVICE_OBJECT TargetDevice);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS IoRegisterDeviceInterface(PDEVICE_OBJECT PhysicalDeviceObject, const GUID *InterfaceClassGuid,
    PUNICODE_STRING ReferenceString, PUNICODE_STRING SymbolicLinkName);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS IoSetDeviceInterfaceState(PUNICODE_STRING SymbolicLinkName, BOOLEAN Enable);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS IoCreateUnprotectedSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS IoCreateFile(_Out_ PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
    _Out_ PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes, ULONG ShareAccess,
    ULONG Disposition, ULONG CreateOptions, PVOID EaBuffer, ULONG EaLength, CREATE_FILE_TYPE CreateFileType,
    PVOID InternalParameters, ULONG Options);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI PKEVENT IoCreateNotificationEvent(PUNICODE_STRING EventName, _Out_ PHANDLE EventHandle);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI PKEVENT IoCreateSynchronizationEvent(PUNICODE_STRING EventName, _Out_ PHANDLE EventHandle);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS IoCheckShareAccess(ACCESS_MASK DesiredAccess, ULONG DesiredShareAccess, PFILE_OBJECT FileObject,
    PSHARE_ACCESS ShareAccess, BOOLEAN Update);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI VOID IoSetShareAccess(ACCESS_MASK DesiredAccess, ULONG DesiredShareAccess, PFILE_OBJECT FileObject,
    PSHARE_ACCESS ShareAccess);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI VOID IoUpdateShareAccess(PFILE_OBJECT FileObject, PSHARE_ACCESS ShareAccess);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI VOID IoRemoveShareAccess(PFILE_OBJECT FileObject, PSHARE_ACCESS ShareAccess);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS IoConnectInterrupt(PKINTERRUPT *InterruptObject, PKSERVICE_ROUTINE ServiceRoutine,
    PVOID ServiceContext, PKSPIN_LOCK SpinLock, ULONG Vector, KIRQL Irql, KIRQL SynchronizeIrql,
    KINTERRUPT_MODE InterruptMode, BOOLEAN ShareVector, KAFFINITY ProcessorEnableMask, BOOLEAN FloatingSave);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI VOID IoDisconnectInterrupt(PKINTERRUPT InterruptObject);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI PCONTROLLER_OBJECT IoCreateController(ULONG Size);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI VOID IoDeleteController(PCONTROLLER_OBJECT ControllerObject);
_IRQL_requires_(DISPATCH_LEVEL)
NTKERNELAPI VOID IoAllocateController(PCONTROLLER_OBJECT ControllerObject, PDEVICE_OBJECT DeviceObject,
    PDRIVER_CONTROL ExecutionRoutine, PVOID Context);
_IRQL_requires_(DISPATCH_LEVEL)
NTKERNELAPI VOID IoFreeController(PCONTROLLER_OBJECT ControllerObject);
_IRQL_requires_(DISPATCH_LEVEL)
NTKERNELAPI NTSTATUS IoAllocateAdapterChannel(PADAPTER_OBJECT AdapterObject, PDEVICE_OBJECT DeviceObject,
    ULONG NumberOfMapRegisters, PDRIVER_CONTROL ExecutionRoutine, PVOID Context);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI PCONFIGURATION_INFORMATION IoGetConfigurationInformation(VOID);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS IoGetDeviceObjectPointer(PUNICODE_STRING ObjectName, ACCESS_MASK DesiredAccess,
    PFILE_OBJECT *FileObject, PDEVICE_OBJECT *DeviceObject);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI PDMA_ADAPTER IoGetDmaAdapter(PDEVICE_OBJECT PhysicalDeviceObject, PDEVICE_DESCRIPTION DeviceDescription,
    PULONG NumberOfMapRegisters);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI PGENERIC_MAPPING IoGetFileObjectGenericMapping(VOID);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS IoInitializeTimer(PDEVICE_OBJECT DeviceObject, PIO_TIMER_ROUTINE TimerRoutine, PVOID Context);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI BOOLEAN IoIsWdmVersionAvailable(UCHAR MajorVersion, UCHAR MinorVersion);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI VOID IoRegisterDriverReinitialization(PDRIVER_OBJECT DriverObject,
    PDRIVER_REINITIALIZE DriverReinitializationRoutine, PVOID Context);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS IoRegisterShutdownNotification(PDEVICE_OBJECT DeviceObject);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI VOID IoUnregisterShutdownNotification(PDEVICE_OBJECT DeviceObject);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS IoWMIAllocateInstanceIds(LPCGUID Guid, ULONG InstanceCount, ULONG *FirstInstanceId);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS IoWMIRegistrationControl(PDEVICE_OBJECT DeviceObject, ULONG Action);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI PVOID IoGetInitialStack(VOID);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID IoRaiseHardError(PIRP Irp, PVPB Vpb, PDEVICE_OBJECT RealDeviceObject);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI BOOLEAN IoRaiseInformationalHardError(NTSTATUS ErrorStatus, PUNICODE_STRING String, PKTHREAD Thread);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI PDEVICE_OBJECT IoGetDeviceToVerify(PETHREAD Thread);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID IoSetDeviceToVerify(PETHREAD Thread, PDEVICE_OBJECT DeviceObject);

/* Kernel dispatcher objects, timers, device queues and waits.
   KeWaitForMutexObject is a macro for KeWaitForSingleObject, and
   KeFlushIoBuffers is a macro that does nothing on x86 and x64. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI BOOLEAN KeCancelTimer(PKTIMER Timer);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeInitializeTimer(PKTIMER Timer);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI BOOLEAN KeReadStateTimer(PKTIMER Timer);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI BOOLEAN KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeClearEvent(PRKEVENT Event);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI LONG KeResetEvent(PRKEVENT Event);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI LONG KeReadStateEvent(PRKEVENT Event);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI LONG KePulseEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI LONG KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeFlushIoBuffers(PMDL Mdl, BOOLEAN ReadOperation, BOOLEAN DmaOperation);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI NTSTATUS KeSaveFloatingPointState(_Out_ PKFLOATING_SAVE FloatSave);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeInitializeDeviceQueue(PKDEVICE_QUEUE DeviceQueue);
_IRQL_requires_(DISPATCH_LEVEL)
NTKERNELAPI BOOLEAN KeInsertDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry);
_IRQL_requires_(DISPATCH_LEVEL)
NTKERNELAPI BOOLEAN KeInsertByKeyDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry,
    ULONG SortKey);
_IRQL_requires_(DISPATCH_LEVEL)
NTKERNELAPI PKDEVICE_QUEUE_ENTRY KeRemoveDeviceQueue(PKDEVICE_QUEUE DeviceQueue);
_IRQL_requires_(DISPATCH_LEVEL)
NTKERNELAPI PKDEVICE_QUEUE_ENTRY KeRemoveByKeyDeviceQueue(PKDEVICE_QUEUE DeviceQueue, ULONG SortKey);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI BOOLEAN KeRemoveEntryDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Interval);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI KAFFINITY KeQueryActiveProcessors(VOID);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI PVOID KeRegisterNmiCallback(PNMI_CALLBACK CallbackRoutine, PVOID Context);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI NTSTATUS KeDeregisterNmiCallback(PVOID Handle);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
    BOOLEAN Alertable, PLARGE_INTEGER Timeout);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI NTSTATUS KeWaitForMutexObject(PVOID Mutex, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
    BOOLEAN Alertable, PLARGE_INTEGER Timeout);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI NTSTATUS KeWaitForMultipleObjects(ULONG Count, PVOID *Object, WAIT_TYPE WaitType,
    KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Timeout,
    PKWAIT_BLOCK WaitBlockArray);

/* Executive support: pool, lookaside lists, callbacks, probing, raising
   exceptions. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI PVOID ExAllocatePoolWithTagPriority(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
    EX_POOL_PRIORITY Priority);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI PVOID ExAllocatePoolWithQuota(POOL_TYPE PoolType, SIZE_T NumberOfBytes);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI PVOID ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID ExFreePool(PVOID P);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID ExFreePoolWithTag(PVOID P, ULONG Tag);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
    PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID ExDeletePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI PVOID ExAllocateFromPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID ExFreeToPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS ExCreateCallback(PCALLBACK_OBJECT *CallbackObject, POBJECT_ATTRIBUTES ObjectAttributes,
    BOOLEAN Create, BOOLEAN AllowMultipleCallbacks);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI PVOID ExRegisterCallback(PCALLBACK_OBJECT CallbackObject, PCALLBACK_FUNCTION CallbackFunction,
    PVOID CallbackContext);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID ExUnregisterCallback(PVOID CallbackRegistration);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI ULONG ExSetTimerResolution(ULONG DesiredTime, BOOLEAN SetResolution);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI BOOLEAN ExIsProcessorFeaturePresent(ULONG ProcessorFeature);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS ExUuidCreate(UUID *Uuid);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI VOID ExRaiseAccessViolation(VOID);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI VOID ExRaiseDatatypeMisalignment(VOID);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID ExRaiseStatus(NTSTATUS Status);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID ProbeForRead(const volatile VOID *Address, SIZE_T Length, ULONG Alignment);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID ProbeForWrite(volatile VOID *Address, SIZE_T Length, ULONG Alignment);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI NTSTATUS CmRegisterCallback(PEX_CALLBACK_FUNCTION Function, PVOID Context, PLARGE_INTEGER Cookie);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI NTSTATUS CmRegisterCallbackEx(PEX_CALLBACK_FUNCTION Function, PCUNICODE_STRING Altitude, PVOID Driver,
    PVOID Context, PLARGE_INTEGER Cookie, PVOID Reserved);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI NTSTATUS CmUnRegisterCallback(LARGE_INTEGER Cookie);

/* Memory manager. MmLockPagableCodeSection is a macro for
   MmLockPagableDataSection. */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI PVOID MmAllocateNonCachedMemory(SIZE_T NumberOfBytes);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID MmFreeNonCachedMemory(PVOID BaseAddress, SIZE_T NumberOfBytes);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI PMDL MmAllocatePagesForMdl(PHYSICAL_ADDRESS LowAddress, PHYSICAL_ADDRESS HighAddress,
    PHYSICAL_ADDRESS SkipBytes, SIZE_T TotalBytes);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI PMDL MmAllocatePagesForMdlEx(PHYSICAL_ADDRESS LowAddress, PHYSICAL_ADDRESS HighAddress,
    PHYSICAL_ADDRESS SkipBytes, SIZE_T TotalBytes, MEMORY_CACHING_TYPE CacheType, ULONG Flags);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID MmFreePagesFromMdl(PMDL MemoryDescriptorList);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI PVOID MmLockPagableDataSection(PVOID AddressWithinSection);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID MmLockPagableSectionByHandle(PVOID ImageSectionHandle);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID MmUnlockPagableImageSection(PVOID ImageSectionHandle);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI PVOID MmPageEntireDriver(PVOID AddressWithinSection);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID MmResetDriverPaging(PVOID AddressWithinSection);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI HANDLE MmSecureVirtualMemory(PVOID Address, SIZE_T Size, ULONG ProbeMode);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID MmUnsecureVirtualMemory(HANDLE SecureHandle);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID MmFreeContiguousMemory(PVOID BaseAddress);

/* Object manager and security. */
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
    KPROCESSOR_MODE AccessMode, _Out_ PVOID *Object, POBJECT_HANDLE_INFORMATION HandleInformation);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI NTSTATUS ObGetObjectSecurity(PVOID Object, PSECURITY_DESCRIPTOR *SecurityDescriptor,
    PBOOLEAN MemoryAllocated);
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID ObReleaseObjectSecurity(PSECURITY_DESCRIPTOR SecurityDescriptor, BOOLEAN MemoryAllocated);

/* Processes and threads. */
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS PsCreateSystemThread(_Out_ PHANDLE ThreadHandle, ULONG DesiredAccess,
    POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle, PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine,
    PVOID StartContext);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS PsTerminateSystemThread(NTSTATUS ExitStatus);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI BOOLEAN PsGetVersion(PULONG MajorVersion, PULONG MinorVersion, PULONG BuildNumber,
    PUNICODE_STRING CSDVersion);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS PsSetCreateProcessNotifyRoutine(PCREATE_PROCESS_NOTIFY_ROUTINE NotifyRoutine, BOOLEAN Remove);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS PsSetCreateThreadNotifyRoutine(PCREATE_THREAD_NOTIFY_ROUTINE NotifyRoutine);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS PsSetLoadImageNotifyRoutine(PLOAD_IMAGE_NOTIFY_ROUTINE NotifyRoutine);

/* Run-time library and the Zw routines of the registry and handles. */
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSYSAPI NTSTATUS RtlDeleteRegistryValue(ULONG RelativeTo, PCWSTR Path, PCWSTR ValueName);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSYSAPI NTSTATUS ZwClose(HANDLE Handle);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSYSAPI NTSTATUS ZwCreateKey(_Out_ PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
    ULONG TitleIndex, PUNICODE_STRING Class, ULONG CreateOptions, PULONG Disposition);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSYSAPI NTSTATUS ZwOpenKey(_Out_ PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSYSAPI NTSTATUS ZwDeleteKey(HANDLE KeyHandle);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSYSAPI NTSTATUS ZwFlushKey(HANDLE KeyHandle);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSYSAPI NTSTATUS ZwEnumerateKey(HANDLE KeyHandle, ULONG Index, KEY_INFORMATION_CLASS KeyInformationClass,
    PVOID KeyInformation, ULONG Length, PULONG ResultLength);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSYSAPI NTSTATUS ZwEnumerateValueKey(HANDLE KeyHandle, ULONG Index,
    KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass, PVOID KeyValueInformation, ULONG Length,
    PULONG ResultLength);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSYSAPI NTSTATUS ZwQueryKey(HANDLE KeyHandle, KEY_INFORMATION_CLASS KeyInformationClass, PVOID KeyInformation,
    ULONG Length, PULONG ResultLength);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSYSAPI NTSTATUS ZwQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName,
    KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass, PVOID KeyValueInformation, ULONG Length,
    PULONG ResultLength);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSYSAPI NTSTATUS ZwSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex, ULONG Type,
    PVOID Data, ULONG DataSize);
