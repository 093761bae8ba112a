/* SPDX-License-Identifier: MIT */
/*
 * iobus.c - x86 port I/O dispatch.
 *
 * A KVM_EXIT_IO carries `count` elements of `size` bytes (count > 1 for
 * string instructions such as rep outsb). Each element goes to the device
 * whose port range holds the port. The table is filled before any vCPU
 * runs and is read-only afterwards, so dispatch needs no lock; each device
 * locks its own state.
 */
#include "vmm.h"

#include <errno.h>
#include <string.h>

int iobus_register(struct iobus *bus, uint16_t base, uint16_t len, pio_handler fn,
		   void *opaque, const char *name)
{
	if (bus->n == IOBUS_MAX || len == 0)
		return -ENOSPC;
	struct pio_range *r = &bus->r[bus->n++];
	r->base = base;
	r->len = len;
	r->fn = fn;
	r->opaque = opaque;
	r->name = name;
	atomic_init(&r->count, 0);
	return 0;
}

void iobus_dispatch(struct iobus *bus, uint16_t port, bool is_write, uint8_t *data,
		    uint8_t size, uint32_t count)
{
	for (int i = 0; i < bus->n; i++) {
		struct pio_range *r = &bus->r[i];
		if (port < r->base || port - r->base >= r->len)
			continue;
		atomic_fetch_add_explicit(&r->count, count, memory_order_relaxed);
		for (uint32_t k = 0; k < count; k++)
			r->fn(r->opaque, port, is_write, data + (size_t)k * size, size);
		return;
	}
	/* Nothing there: reads float high (all ones), writes are dropped. */
	atomic_fetch_add_explicit(&bus->unhandled, count, memory_order_relaxed);
	if (!is_write)
		memset(data, 0xff, (size_t)size * count);
}
