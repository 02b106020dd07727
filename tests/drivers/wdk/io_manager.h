/*
 * The parts of the I/O manager the mock drivers' test programs need: load
 * a driver, send it IRPs, cancel them. Never woven.
 */
#ifndef SLIC_TEST_IO_MANAGER_H
#define SLIC_TEST_IO_MANAGER_H

#include "wdm.h"

/* Calls DriverEntry and returns the driver object it filled in. */
PDRIVER_OBJECT io_load_driver(DRIVER_INITIALIZE *entry, PDEVICE_OBJECT device);

/* Sends an IRP with this major function to the driver's dispatch routine. */
NTSTATUS io_call_driver(PDRIVER_OBJECT driver, PDEVICE_OBJECT device, PIRP irp, UCHAR major);

/* Cancels an IRP the way the I/O manager does: it acquires the cancel
   spin lock, then calls the IRP's cancel routine, which must release it. */
BOOLEAN io_cancel_irp(PDEVICE_OBJECT device, PIRP irp);

/* Unloads the driver. */
VOID io_unload_driver(PDRIVER_OBJECT driver);

#endif
