/* SPDX-License-Identifier: MIT */
/*
 * dev_exit_port.c - the "debug exit" port used by test kernels.
 *
 * Writing value v to port 0xf4 ends the VMM with exit status (v << 1) | 1,
 * the convention of QEMU's isa-debug-exit device, so one guest works under
 * both. The status is always odd: 0 is never produced by the guest, and a
 * test harness tells "the guest said v" from a VMM failure by that.
 */
#include "vmm.h"

static void exit_port_pio(void *opaque, uint16_t port, bool is_write, uint8_t *data,
			  uint8_t size)
{
	struct vmm *vmm = opaque;
	uint32_t v = 0;

	if (!is_write) {
		for (uint8_t i = 0; i < size; i++)
			data[i] = 0xff;
		return;
	}
	for (uint8_t i = 0; i < size && i < 4; i++)
		v |= (uint32_t)data[i] << (8 * i);
	int status = (int)(((v << 1) | 1) & 0xff);
	vmm_stop(vmm, status, "guest wrote 0x%x to exit port 0x%x: exit status %d",
		 v, port, status);
}

int exit_port_init(struct vmm *vmm, uint16_t port)
{
	return iobus_register(&vmm->io, port, 4, exit_port_pio, vmm, "exit-port");
}
