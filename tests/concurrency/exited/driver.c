/* Woven by the concurrency test (tests/it/concurrency.rs), through each
   weaver, with SpinLock, QueuedSpinLock, ExclusiveResourceAccess and
   handed_shared.slic. */
#include "driver.h"

_Use_decl_annotations_
NTSTATUS
ExitedDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PEXITED_EXTENSION extension = (PEXITED_EXTENSION)DeviceObject->DeviceExtension;
    PEXITED_OBJECTS objects = extension->Objects;
    KIRQL irql;
    ULONG pass, i;

    switch (extension->Task) {
    case TASK_TOUCH:
        for (pass = 0; pass < extension->Passes; pass++) {
            for (i = 0; i < OBJECTS; i++) {
                ULONG at = (i + extension->Start) % OBJECTS;
                KeAcquireSpinLock(&objects->Locks[at], &irql);
                KeAcquireInStackQueuedSpinLock(&objects->QueueLocks[at], &objects->Handles[at]);
                KeReleaseInStackQueuedSpinLock(&objects->Handles[at]);
                KeReleaseSpinLock(&objects->Locks[at], irql);
                ExAcquireResourceExclusiveLite(&objects->Resources[at], TRUE);
                ExReleaseResourceLite(&objects->Resources[at]);
            }
        }
        break;
    case TASK_SHARE:
        objects->SharedOwner = ExGetCurrentResourceThread();
        ExAcquireResourceSharedLite(&objects->Kept, TRUE);
        ExAcquireResourceSharedLite(&objects->Counted, TRUE);
        ExAcquireResourceSharedLite(&objects->Counted, TRUE);
        break;
    case TASK_TAKE:
        ExReleaseResourceForThreadLite(&objects->Kept, objects->SharedOwner);
        /* Returns holding it. */
        ExAcquireResourceExclusiveLite(&objects->Kept, TRUE);
        /* Returns while it has a shared owner left. */
        ExReleaseResourceForThreadLite(&objects->Counted, objects->SharedOwner);
        break;
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    return STATUS_SUCCESS;
}
