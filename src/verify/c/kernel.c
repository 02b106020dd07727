/* The kernel model of `slic verify`: the parts of the I/O manager and the
   kernel whose effects the harness needs (devices with their extensions,
   DPCs, work items and packets queued, cancel routines set), as SDV's OS
   model had them. Static pools instead of an allocator: both analyzers
   follow each object exactly. A function is modelled only where the WDK
   header declares it and does not define it (SLIC_MODEL_<name>, set by
   slic), and is not a macro there. */

#define SLIC_KERNEL_DEVICES 4
#define SLIC_KERNEL_EXTENSION_BYTES 4096
#define SLIC_KERNEL_QUEUE 4
#define SLIC_KERNEL_POOL 4
#define SLIC_KERNEL_POOL_BYTES 4096

/* Work items: allocated, then queued with a routine and a context. */
struct slic_kernel_work_item {
    void *device;
    slic_verify_fn routine;
    void *context;
    int allocated;
    int queued;
};

/* The model's state in static locals, reached through functions: a checker
   that meets a call it cannot follow (clang's analyzer, through a function
   pointer it cannot resolve) forgets what every global holds, but not what
   static locals do. Each object the driver gets (a device, an extension, a
   work item, a pool block) is a static local of its own: a call that may
   write to one (through a pointer the driver passes to a function with no
   body) then forgets that object only, not the model's books. */
struct slic_kernel_state {
    unsigned char irql;
    unsigned char thread;
    unsigned devices;
    /* DPCs queued by KeInsertQueueDpc, and not yet run. */
    struct _KDPC *dpc[SLIC_KERNEL_QUEUE];
    unsigned dpcs;
    /* Packets started with IoStartPacket, for StartIo. */
    void *packet_device[SLIC_KERNEL_QUEUE];
    void *packet_irp[SLIC_KERNEL_QUEUE];
    unsigned packets;
    unsigned pool_used;
};

static struct slic_kernel_state *slic_kernel_state(void)
{
    static struct slic_kernel_state state;
    return &state;
}

#define slic_kernel_irql (slic_kernel_state()->irql)
#define slic_kernel_thread (slic_kernel_state()->thread)
#define slic_kernel_devices (slic_kernel_state()->devices)
#define slic_kernel_dpc (slic_kernel_state()->dpc)
#define slic_kernel_dpcs (slic_kernel_state()->dpcs)
#define slic_kernel_packet_device (slic_kernel_state()->packet_device)
#define slic_kernel_packet_irp (slic_kernel_state()->packet_irp)
#define slic_kernel_packets (slic_kernel_state()->packets)
#define slic_kernel_pool_used (slic_kernel_state()->pool_used)

/* Devices: IoCreateDevice links each into its driver object, as the I/O
   manager does; the harness sends requests to the first. */
static struct _DEVICE_OBJECT *slic_kernel_device(unsigned index)
{
    static struct _DEVICE_OBJECT d0, d1, d2, d3;
    switch (index) {
    case 0: return &d0;
    case 1: return &d1;
    case 2: return &d2;
    default: return &d3;
    }
}

static void *slic_kernel_extension(unsigned index)
{
    static unsigned long long e0[SLIC_KERNEL_EXTENSION_BYTES / 8], e1[SLIC_KERNEL_EXTENSION_BYTES / 8],
        e2[SLIC_KERNEL_EXTENSION_BYTES / 8], e3[SLIC_KERNEL_EXTENSION_BYTES / 8];
    switch (index) {
    case 0: return e0;
    case 1: return e1;
    case 2: return e2;
    default: return e3;
    }
}

/* Work items: allocated, then queued with a routine and a context. */
static struct slic_kernel_work_item *slic_kernel_work(unsigned index)
{
    static struct slic_kernel_work_item w0, w1, w2, w3;
    switch (index) {
    case 0: return &w0;
    case 1: return &w1;
    case 2: return &w2;
    default: return &w3;
    }
}

/* Nonpaged pool. */
static void *slic_kernel_pool(unsigned index)
{
    static unsigned long long p0[SLIC_KERNEL_POOL_BYTES / 8], p1[SLIC_KERNEL_POOL_BYTES / 8],
        p2[SLIC_KERNEL_POOL_BYTES / 8], p3[SLIC_KERNEL_POOL_BYTES / 8];
    switch (index) {
    case 0: return p0;
    case 1: return p1;
    case 2: return p2;
    default: return p3;
    }
}

void slic_kernel_reset(void)
{
    slic_kernel_irql = 0;
    slic_kernel_devices = 0;
    slic_kernel_dpcs = 0;
    slic_kernel_packets = 0;
    slic_kernel_pool_used = 0;
    slic_kernel_work(0)->allocated = 0;
    slic_kernel_work(0)->queued = 0;
    slic_kernel_work(1)->allocated = 0;
    slic_kernel_work(1)->queued = 0;
    slic_kernel_work(2)->allocated = 0;
    slic_kernel_work(2)->queued = 0;
    slic_kernel_work(3)->allocated = 0;
    slic_kernel_work(3)->queued = 0;
}

/* The model's books as a number, for the analyzers' partitions: states
   whose queues differ are kept apart (a DPC queued in one and not in the
   other, joined, would run on a device that is no device). */
unsigned slic_kernel_key(void)
{
    unsigned key = slic_kernel_devices;
    unsigned i;
    key = key * 5u + slic_kernel_dpcs;
    key = key * 5u + slic_kernel_packets;
    key = key * 5u + slic_kernel_pool_used;
    for (i = 0; i < SLIC_KERNEL_QUEUE; i++)
        key = key * 4u + (unsigned)slic_kernel_work(i)->allocated * 2u + (unsigned)slic_kernel_work(i)->queued;
    return key;
}

void slic_kernel_set_irql(unsigned char irql)
{
    slic_kernel_irql = irql;
}

void slic_kernel_enter_cancel(unsigned char *cancel_irql)
{
    *cancel_irql = slic_kernel_irql;
    slic_kernel_irql = 2; /* DISPATCH_LEVEL */
}

int slic_kernel_take_dpc(slic_verify_fn routine, void **dpc, void **context, void **argument1,
                         void **argument2)
{
    unsigned i;
    for (i = 0; i < slic_kernel_dpcs; i++) {
        struct _KDPC *queued = slic_kernel_dpc[i];
        if ((slic_verify_fn)queued->DeferredRoutine == routine) {
            *dpc = queued;
            *context = queued->DeferredContext;
            *argument1 = queued->SystemArgument1;
            *argument2 = queued->SystemArgument2;
            slic_kernel_dpc[i] = slic_kernel_dpc[--slic_kernel_dpcs];
            return 1;
        }
    }
    return 0;
}

int slic_kernel_take_work_item(slic_verify_fn routine, void **device, void **context)
{
    unsigned i;
    for (i = 0; i < SLIC_KERNEL_QUEUE; i++) {
        struct slic_kernel_work_item *item = slic_kernel_work(i);
        if (item->queued && item->routine == routine) {
            item->queued = 0;
            *device = item->device;
            *context = item->context;
            return 1;
        }
    }
    return 0;
}

int slic_kernel_take_packet(void **device, void **irp)
{
    unsigned i;
    if (slic_kernel_packets == 0) return 0;
    *device = slic_kernel_packet_device[0];
    *irp = slic_kernel_packet_irp[0];
    slic_kernel_packets--;
    for (i = 0; i < slic_kernel_packets; i++) {
        slic_kernel_packet_device[i] = slic_kernel_packet_device[i + 1];
        slic_kernel_packet_irp[i] = slic_kernel_packet_irp[i + 1];
    }
    return 1;
}

#if SLIC_MODEL_IoCreateDevice && !defined(IoCreateDevice)
NTSTATUS IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName,
                        DEVICE_TYPE DeviceType, ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                        PDEVICE_OBJECT *DeviceObject)
{
    struct _DEVICE_OBJECT *device;
    (void)DeviceName;
    (void)DeviceType;
    (void)DeviceCharacteristics;
    (void)Exclusive;
    if (slic_kernel_devices == SLIC_KERNEL_DEVICES || DeviceExtensionSize > SLIC_KERNEL_EXTENSION_BYTES
        || __VERIFIER_nondet_bool())
        return (NTSTATUS)0xC000009AL; /* STATUS_INSUFFICIENT_RESOURCES */
    device = slic_kernel_device(slic_kernel_devices);
    /* The I/O manager zeroes the extension. */
    device->DeviceExtension = DeviceExtensionSize ? slic_kernel_extension(slic_kernel_devices) : 0;
    slic_kernel_devices++;
    device->DriverObject = DriverObject;
    device->NextDevice = DriverObject->DeviceObject;
    DriverObject->DeviceObject = device;
    *DeviceObject = device;
    return 0;
}
#endif

#if SLIC_MODEL_IoDeleteDevice && !defined(IoDeleteDevice)
VOID IoDeleteDevice(PDEVICE_OBJECT DeviceObject)
{
    PDRIVER_OBJECT driver = DeviceObject->DriverObject;
    if (driver && driver->DeviceObject == DeviceObject) driver->DeviceObject = DeviceObject->NextDevice;
}
#endif

#if SLIC_MODEL_KeInitializeSpinLock && !defined(KeInitializeSpinLock)
VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
    *SpinLock = 0;
}
#endif

#if SLIC_MODEL_KeInitializeDpc && !defined(KeInitializeDpc)
VOID KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
}
#endif

#if SLIC_MODEL_KeInsertQueueDpc && !defined(KeInsertQueueDpc)
BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    unsigned i;
    for (i = 0; i < slic_kernel_dpcs; i++)
        if (slic_kernel_dpc[i] == Dpc) return 0;
    if (slic_kernel_dpcs == SLIC_KERNEL_QUEUE) return 0;
    Dpc->SystemArgument1 = SystemArgument1;
    Dpc->SystemArgument2 = SystemArgument2;
    slic_kernel_dpc[slic_kernel_dpcs++] = Dpc;
    return 1;
}
#endif

#if SLIC_MODEL_KeRemoveQueueDpc && !defined(KeRemoveQueueDpc)
BOOLEAN KeRemoveQueueDpc(PRKDPC Dpc)
{
    unsigned i;
    for (i = 0; i < slic_kernel_dpcs; i++) {
        if (slic_kernel_dpc[i] == Dpc) {
            slic_kernel_dpc[i] = slic_kernel_dpc[--slic_kernel_dpcs];
            return 1;
        }
    }
    return 0;
}
#endif

#if SLIC_MODEL_IoAllocateWorkItem && !defined(IoAllocateWorkItem)
PIO_WORKITEM IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject)
{
    unsigned i;
    if (__VERIFIER_nondet_bool()) return 0;
    for (i = 0; i < SLIC_KERNEL_QUEUE; i++) {
        struct slic_kernel_work_item *item = slic_kernel_work(i);
        if (!item->allocated) {
            item->allocated = 1;
            item->queued = 0;
            item->device = DeviceObject;
            return (PIO_WORKITEM)(void *)item;
        }
    }
    return 0;
}
#endif

#if SLIC_MODEL_IoQueueWorkItem && !defined(IoQueueWorkItem)
VOID IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine, WORK_QUEUE_TYPE QueueType,
                     PVOID Context)
{
    struct slic_kernel_work_item *item = (struct slic_kernel_work_item *)(void *)IoWorkItem;
    (void)QueueType;
    item->routine = (slic_verify_fn)WorkerRoutine;
    item->context = Context;
    item->queued = 1;
}
#endif

#if SLIC_MODEL_IoFreeWorkItem && !defined(IoFreeWorkItem)
VOID IoFreeWorkItem(PIO_WORKITEM IoWorkItem)
{
    struct slic_kernel_work_item *item = (struct slic_kernel_work_item *)(void *)IoWorkItem;
    item->allocated = 0;
    item->queued = 0;
}
#endif

#if SLIC_MODEL_IoStartPacket && !defined(IoStartPacket)
VOID IoStartPacket(PDEVICE_OBJECT DeviceObject, PIRP Irp, PULONG Key, PDRIVER_CANCEL CancelFunction)
{
    (void)Key;
    if (CancelFunction) Irp->CancelRoutine = CancelFunction;
    if (slic_kernel_packets == SLIC_KERNEL_QUEUE) return;
    slic_kernel_packet_device[slic_kernel_packets] = DeviceObject;
    slic_kernel_packet_irp[slic_kernel_packets] = Irp;
    slic_kernel_packets++;
}
#endif

#if SLIC_MODEL_IoSetCancelRoutine && !defined(IoSetCancelRoutine)
PDRIVER_CANCEL IoSetCancelRoutine(PIRP Irp, PDRIVER_CANCEL CancelRoutine)
{
    PDRIVER_CANCEL old = Irp->CancelRoutine;
    Irp->CancelRoutine = CancelRoutine;
    return old;
}
#endif

#if SLIC_MODEL_IoCancelIrp && !defined(IoCancelIrp)
BOOLEAN IoCancelIrp(PIRP Irp)
{
    Irp->Cancel = 1;
    return __VERIFIER_nondet_bool();
}
#endif

#if SLIC_MODEL_ExAllocatePoolWithTag && !defined(ExAllocatePoolWithTag)
PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    (void)PoolType;
    (void)Tag;
    if (slic_kernel_pool_used == SLIC_KERNEL_POOL || NumberOfBytes > SLIC_KERNEL_POOL_BYTES
        || __VERIFIER_nondet_bool())
        return 0;
    slic_havoc(slic_kernel_pool(slic_kernel_pool_used), SLIC_KERNEL_POOL_BYTES);
    return slic_kernel_pool(slic_kernel_pool_used++);
}
#endif

#if SLIC_MODEL_ExFreePoolWithTag && !defined(ExFreePoolWithTag)
VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    (void)P;
    (void)Tag;
}
#endif

#if SLIC_MODEL_KeGetCurrentThread && !defined(KeGetCurrentThread)
PKTHREAD KeGetCurrentThread(VOID)
{
    return (PKTHREAD)(void *)&slic_kernel_thread;
}
#endif

#if SLIC_MODEL_KeGetCurrentIrql && !defined(KeGetCurrentIrql)
KIRQL KeGetCurrentIrql(VOID)
{
    return slic_kernel_irql;
}
#endif

#if SLIC_MODEL_InterlockedIncrement && !defined(InterlockedIncrement)
/* The processor's increment wraps: no signed overflow for an analyzer to
   flag when the count (a field of a fresh object) holds LONG's maximum. */
LONG FASTCALL InterlockedIncrement(volatile LONG *Addend)
{
    *Addend = (LONG)((ULONG)*Addend + 1u);
    return *Addend;
}
#endif

#if SLIC_MODEL_InterlockedDecrement && !defined(InterlockedDecrement)
LONG FASTCALL InterlockedDecrement(volatile LONG *Addend)
{
    *Addend = (LONG)((ULONG)*Addend - 1u);
    return *Addend;
}
#endif

#if SLIC_MODEL_DbgPrint && !defined(DbgPrint)
ULONG DbgPrint(PCSTR Format, ...)
{
    (void)Format;
    return 0;
}
#endif

/* IRQL: the model tracks the current one, as the kernel does, so that rules
   on IRQL see old values that the calls really return. */
#if SLIC_MODEL_KeRaiseIrql && !defined(KeRaiseIrql)
VOID KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql)
{
    *OldIrql = slic_kernel_irql;
    slic_kernel_irql = NewIrql;
}
#endif

#if SLIC_MODEL_KfRaiseIrql && !defined(KfRaiseIrql)
KIRQL FASTCALL KfRaiseIrql(KIRQL NewIrql)
{
    KIRQL old = slic_kernel_irql;
    slic_kernel_irql = NewIrql;
    return old;
}
#endif

#if SLIC_MODEL_KeRaiseIrqlToDpcLevel && !defined(KeRaiseIrqlToDpcLevel)
KIRQL KeRaiseIrqlToDpcLevel(VOID)
{
    KIRQL old = slic_kernel_irql;
    slic_kernel_irql = 2;
    return old;
}
#endif

#if SLIC_MODEL_KeLowerIrql && !defined(KeLowerIrql)
VOID KeLowerIrql(KIRQL NewIrql)
{
    slic_kernel_irql = NewIrql;
}
#endif

#if SLIC_MODEL_KeAcquireSpinLockRaiseToDpc && !defined(KeAcquireSpinLockRaiseToDpc)
KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock)
{
    KIRQL old = slic_kernel_irql;
    (void)SpinLock;
    slic_kernel_irql = 2;
    return old;
}
#endif

#if SLIC_MODEL_KeAcquireSpinLock && !defined(KeAcquireSpinLock)
VOID KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql)
{
    (void)SpinLock;
    *OldIrql = slic_kernel_irql;
    slic_kernel_irql = 2;
}
#endif

#if SLIC_MODEL_KeReleaseSpinLock && !defined(KeReleaseSpinLock)
VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    (void)SpinLock;
    slic_kernel_irql = NewIrql;
}
#endif

#if SLIC_MODEL_KeAcquireInStackQueuedSpinLock && !defined(KeAcquireInStackQueuedSpinLock)
VOID FASTCALL KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    slic_havoc(LockHandle, sizeof *LockHandle);
    (void)SpinLock;
    LockHandle->OldIrql = slic_kernel_irql;
    slic_kernel_irql = 2;
}
#endif

#if SLIC_MODEL_KeReleaseInStackQueuedSpinLock && !defined(KeReleaseInStackQueuedSpinLock)
VOID FASTCALL KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle)
{
    slic_kernel_irql = LockHandle->OldIrql;
}
#endif

#if SLIC_MODEL_IoAcquireCancelSpinLock && !defined(IoAcquireCancelSpinLock)
VOID IoAcquireCancelSpinLock(PKIRQL Irql)
{
    *Irql = slic_kernel_irql;
    slic_kernel_irql = 2;
}
#endif

#if SLIC_MODEL_IoReleaseCancelSpinLock && !defined(IoReleaseCancelSpinLock)
VOID IoReleaseCancelSpinLock(KIRQL Irql)
{
    slic_kernel_irql = Irql;
}
#endif

/* Executive resources: with Wait, an acquisition waits until it succeeds. */
#if SLIC_MODEL_ExAcquireResourceExclusiveLite && !defined(ExAcquireResourceExclusiveLite)
BOOLEAN ExAcquireResourceExclusiveLite(PERESOURCE Resource, BOOLEAN Wait)
{
    (void)Resource;
    if (Wait || __VERIFIER_nondet_bool()) return 1;
    return 0;
}
#endif

#if SLIC_MODEL_ExAcquireResourceSharedLite && !defined(ExAcquireResourceSharedLite)
BOOLEAN ExAcquireResourceSharedLite(PERESOURCE Resource, BOOLEAN Wait)
{
    (void)Resource;
    if (Wait || __VERIFIER_nondet_bool()) return 1;
    return 0;
}
#endif

#if SLIC_MODEL_ExAcquireSharedStarveExclusive && !defined(ExAcquireSharedStarveExclusive)
BOOLEAN ExAcquireSharedStarveExclusive(PERESOURCE Resource, BOOLEAN Wait)
{
    (void)Resource;
    if (Wait || __VERIFIER_nondet_bool()) return 1;
    return 0;
}
#endif

#if SLIC_MODEL_ExAcquireSharedWaitForExclusive && !defined(ExAcquireSharedWaitForExclusive)
BOOLEAN ExAcquireSharedWaitForExclusive(PERESOURCE Resource, BOOLEAN Wait)
{
    (void)Resource;
    if (Wait || __VERIFIER_nondet_bool()) return 1;
    return 0;
}
#endif
