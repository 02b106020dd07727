/*
 * The parts of the I/O manager the mock drivers' test programs need: load
 * a driver, build IRPs and send them, cancel them, deliver the DPCs and
 * run the work items the driver queued. Never woven.
 */
#ifndef SLIC_TEST_IO_MANAGER_H
#define SLIC_TEST_IO_MANAGER_H

#include "wdm.h"

/* Calls DriverEntry and returns the driver object it filled in (its
   devices are in DeviceObject). */
PDRIVER_OBJECT io_load_driver(DRIVER_INITIALIZE *entry);

/* Clears an IRP and sets up its stack location for this major function. */
VOID io_build_irp(PIRP irp, UCHAR major);

/* Sends an IRP built with io_build_irp to the device's driver. */
NTSTATUS io_send_irp(PDEVICE_OBJECT device, PIRP irp);

/* Builds an IRP with this major function and sends it. */
NTSTATUS io_call_driver(PDEVICE_OBJECT device, PIRP irp, UCHAR major);

/* Builds and sends an IRP_MJ_DEVICE_CONTROL with a buffered I/O buffer. */
NTSTATUS io_device_control(PDEVICE_OBJECT device, PIRP irp, ULONG code, PVOID buffer, ULONG in, ULONG out);

/* Whether the driver completed the IRP (IoCompleteRequest). */
BOOLEAN io_completed(PIRP irp);

/* Cancels an IRP the way the I/O manager does: it acquires the cancel
   spin lock, then calls the IRP's cancel routine, which must release it.
   Returns FALSE if the IRP had no cancel routine. */
BOOLEAN io_cancel_irp(PDEVICE_OBJECT device, PIRP irp);

/* Delivers the queued DPCs at DISPATCH_LEVEL on the calling thread;
   returns how many ran. */
ULONG io_run_dpcs(VOID);

/* Runs the queued work items at PASSIVE_LEVEL on the calling thread;
   returns how many ran. */
ULONG io_run_work_items(VOID);

/* Calls the driver's Unload routine and deletes its devices. */
VOID io_unload_driver(PDRIVER_OBJECT driver);

/* The kernel's side (wdm_user.c), for the I/O manager only. */
PKDPC wdm_user_next_dpc(void);
BOOLEAN wdm_user_run_work_item(void);
VOID wdm_user_set_irql(KIRQL irql);

/* For test programs whose driver left the cancel spin lock held (a real
   kernel would hang): frees it so that the next scenario can run. */
VOID wdm_user_reset_cancel_lock(void);

#endif
