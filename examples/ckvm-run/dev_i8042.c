/* SPDX-License-Identifier: MIT */
/*
 * dev_i8042.c - the PC keyboard controller, reduced to its controller:
 * no keyboard or mouse is attached.
 *
 * Why it is here: Linux's "reboot=k" (and many small kernels) reset the
 * machine by writing command 0xfe ("pulse the reset line") to port 0x64.
 * ckvm-run runs one boot, so a reset request ends the VM cleanly. The few
 * controller commands a driver uses at probe time are answered (read and
 * write the command byte, self tests), so Linux's i8042 driver finds a
 * controller at once instead of timing out.
 *
 * Ports: 0x60 data (reads return the output buffer), 0x64 status (read) /
 * command (write).
 */
#include "vmm.h"

#include <stdlib.h>
#include <string.h>

#define I8042_DATA    0x60
#define I8042_COMMAND 0x64

#define STATUS_OBF    0x01 /* output buffer full: a byte waits at 0x60 */
#define STATUS_SYS    0x04 /* system flag: self test passed */
#define STATUS_CMD    0x08 /* last write was a command */

#define CMD_READ_CTR   0x20
#define CMD_WRITE_CTR  0x60
#define CMD_AUX_TEST   0xa9
#define CMD_SELF_TEST  0xaa
#define CMD_KBD_TEST   0xab
#define CMD_READ_OUTP  0xd0
#define CMD_WRITE_OUTP 0xd1
#define CMD_RESET      0xfe
#define SELF_TEST_OK   0x55
#define OUTP_RESET     0x01 /* output port bit 0 low: reset the CPU */

struct i8042 {
	struct vmm *vmm;
	pthread_mutex_t lock;
	uint8_t status, ctr, outp, out;
	uint8_t pending;  /* command waiting for its data byte, or 0 */
};

static void i8042_output(struct i8042 *k, uint8_t v)
{
	k->out = v;
	k->status |= STATUS_OBF;
}

static void i8042_command(struct i8042 *k, uint8_t cmd)
{
	switch (cmd) {
	case CMD_READ_CTR: i8042_output(k, k->ctr); break;
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTP: k->pending = cmd; break;
	case CMD_SELF_TEST: i8042_output(k, SELF_TEST_OK); break;
	case CMD_KBD_TEST:
	case CMD_AUX_TEST: i8042_output(k, 0x00); break; /* "no error" */
	case CMD_READ_OUTP: i8042_output(k, k->outp); break;
	case CMD_RESET:
		vmm_stop(k->vmm, EXIT_OK, "guest requested a reset (i8042 command 0xfe)");
		break;
	default: break; /* enable/disable ports and the like: nothing to do */
	}
}

static void i8042_pio(void *opaque, uint16_t port, bool is_write, uint8_t *data, uint8_t size)
{
	struct i8042 *k = opaque;

	pthread_mutex_lock(&k->lock);
	if (!is_write) {
		memset(data, 0, size);
		if (port == I8042_COMMAND) {
			data[0] = k->status;
		} else {
			data[0] = k->out;
			k->status &= (uint8_t)~STATUS_OBF;
		}
	} else if (port == I8042_COMMAND) {
		k->status |= STATUS_CMD;
		i8042_command(k, data[0]);
	} else {
		k->status &= (uint8_t)~STATUS_CMD;
		if (k->pending == CMD_WRITE_CTR) {
			k->ctr = data[0];
		} else if (k->pending == CMD_WRITE_OUTP) {
			k->outp = data[0];
			if (!(data[0] & OUTP_RESET))
				vmm_stop(k->vmm, EXIT_OK,
					 "guest requested a reset (i8042 output port)");
		}
		/* Bytes for the (absent) keyboard are dropped. */
		k->pending = 0;
	}
	pthread_mutex_unlock(&k->lock);
}

int i8042_init(struct vmm *vmm)
{
	struct i8042 *k = calloc(1, sizeof(*k));

	if (!k)
		return -1;
	k->vmm = vmm;
	pthread_mutex_init(&k->lock, NULL);
	k->status = STATUS_SYS;
	k->ctr = 0x30;  /* both ports disabled, no interrupts, translation off */
	k->outp = 0x03; /* reset line high, A20 enabled */
	vmm->i8042 = k;
	int err = iobus_register(&vmm->io, I8042_DATA, 1, i8042_pio, k, "i8042");
	return err < 0 ? err : iobus_register(&vmm->io, I8042_COMMAND, 1, i8042_pio, k, "i8042");
}

void i8042_destroy(struct i8042 *k)
{
	if (!k)
		return;
	pthread_mutex_destroy(&k->lock);
	free(k);
}
