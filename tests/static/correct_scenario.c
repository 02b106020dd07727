/* The same driver without flush requests: nothing to find. */
#include <string.h>

#include "wdm.h"

extern _Bool __VERIFIER_nondet_bool(void);
DRIVER_DISPATCH DispatchRead;
DRIVER_DISPATCH DispatchWrite;

extern KSPIN_LOCK DataLock;
extern KSPIN_LOCK StatsLock;

void scenario(void)
{
    int i;
    DEVICE_OBJECT device;
    IRP irp;
    memset(&device, 0, sizeof device);
    memset(&irp, 0, sizeof irp);
    DataLock = 0;
    StatsLock = 0;
    for (i = 0; i < 3; i++) {
        if (__VERIFIER_nondet_bool()) {
            DispatchRead(&device, &irp);
        } else {
            DispatchWrite(&device, &irp);
        }
    }
}
