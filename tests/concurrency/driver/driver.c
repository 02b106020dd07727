/* Woven by the concurrency test (tests/it/concurrency.rs), through each
   weaver. */
#include "driver.h"

_Use_decl_annotations_
NTSTATUS
ThreadsDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PTHREADS_EXTENSION extension = (PTHREADS_EXTENSION)DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE handle;
    KIRQL irql;
    ULONG i;

    for (i = 0; i < extension->Rounds; i++) {
        KeAcquireInStackQueuedSpinLock(&extension->Shared[i % SHARED_LOCKS], &handle);
        KeReleaseInStackQueuedSpinLock(&handle);
        KeAcquireSpinLock(&extension->Shared[(i + 1) % SHARED_LOCKS], &irql);
        KeReleaseSpinLock(&extension->Shared[(i + 1) % SHARED_LOCKS], irql);
        KeAcquireSpinLock(&extension->Own, &irql);
        KeReleaseSpinLock(&extension->Own, irql);
    }
    if (extension->Seeded) {
        for (i = 0; i < BUGS_PER_THREAD; i++) {
            KeAcquireSpinLock(&extension->Bugs[i], &irql);
            KeAcquireSpinLock(&extension->Bugs[i], &irql); /* the same lock again */
        }
        /* Returns holding a queued spin lock. */
        KeAcquireInStackQueuedSpinLock(&extension->Kept, &handle);
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    return STATUS_SUCCESS;
}
