/* The lock-heavy loop: two events per iteration (the acquisition's exit
   and the release's exit), one dispatch-routine exit per call. */
#include "lockloop.h"

_Use_decl_annotations_
NTSTATUS
LoopDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLOOP_EXTENSION extension = (PLOOP_EXTENSION)DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE handle;
    ULONG i;

    for (i = 0; i < extension->Iterations; i++) {
        KeAcquireInStackQueuedSpinLock(&extension->Lock, &handle);
        extension->Counter++;
        KeReleaseInStackQueuedSpinLock(&handle);
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    return STATUS_SUCCESS;
}
