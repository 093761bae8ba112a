/* SPDX-License-Identifier: MIT */
/*
 * dev_i8042.c - the smallest useful PC keyboard controller: none of the
 * keyboard, only the reset line.
 *
 * Linux's "reboot=k" (and many small kernels) reset the machine by writing
 * command 0xfe ("pulse the reset line") to port 0x64. We end the VM there:
 * ckvm-run runs one boot, so a reset request is a clean end. Status reads
 * return 0 (no data waiting, input buffer empty) so a guest polling before
 * the write never spins.
 */
#include "vmm.h"

#include <string.h>

#define I8042_DATA    0x60
#define I8042_COMMAND 0x64
#define I8042_CMD_RESET 0xfe

static void i8042_pio(void *opaque, uint16_t port, bool is_write, uint8_t *data, uint8_t size)
{
	struct vmm *vmm = opaque;

	if (!is_write) {
		memset(data, 0, size);
		return;
	}
	if (port == I8042_COMMAND && data[0] == I8042_CMD_RESET)
		vmm_stop(vmm, EXIT_OK, "guest requested a reset (i8042 command 0xfe)");
}

int i8042_init(struct vmm *vmm)
{
	int err = iobus_register(&vmm->io, I8042_DATA, 1, i8042_pio, vmm, "i8042");
	return err < 0 ? err : iobus_register(&vmm->io, I8042_COMMAND, 1, i8042_pio, vmm, "i8042");
}
