/* SPDX-License-Identifier: MIT */
/*
 * load_flat.c - a raw binary copied to --load-addr and entered at --entry
 * in the CPU mode of --cpu-mode (real, 32-bit protected or 64-bit long).
 */
#include "vmm.h"

#include <inttypes.h>
#include <stdio.h>

static const char *mode_name(enum cpu_mode m)
{
	return m == MODE_REAL ? "16-bit real mode" :
	       m == MODE_PROT32 ? "32-bit protected mode" : "64-bit long mode";
}

int load_flat(const struct load_args *a, struct boot_plan *plan)
{
	const struct vm_config *cfg = a->cfg;
	uint64_t entry = cfg->entry == UINT64_MAX ? cfg->load_addr : cfg->entry;

	if (gpa_write(a->mem, cfg->load_addr, a->kernel->data, a->kernel->size) < 0) {
		errmsg("%s: %zu bytes at 0x%" PRIx64 " do not fit in guest RAM",
		       a->kernel->path, a->kernel->size, cfg->load_addr);
		return -1;
	}
	plan->mode = cfg->flat_mode;
	plan->rip = entry;
	plan->rsp = BOOT_STACK_TOP;
	snprintf(plan->what, sizeof(plan->what), "flat binary at 0x%" PRIx64 ", %s",
		 cfg->load_addr, mode_name(plan->mode));
	return 0;
}
