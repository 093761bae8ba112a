/* SPDX-License-Identifier: MIT */
/*
 * load_linux.c - Linux bzImage through the x86 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst in the kernel tree).
 *
 * A bzImage is a small real-mode "setup" part followed by the
 * protected-mode kernel. Firmware-less VMMs skip the setup code entirely:
 * they copy its header (the "setup header" at 0x1f1) into a zero page
 * (struct boot_params), fill in what a boot loader would (command line,
 * initrd, memory map), load the protected-mode part at 1 MiB, and jump to
 * its 64-bit entry point, 0x200 bytes in, with RSI = zero page, paging on,
 * an identity map covering everything handed over, and a GDT with
 * __BOOT_CS = 0x10 and __BOOT_DS = 0x18.
 */
#include "vmm.h"

#include <asm/bootparam.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define SETUP_HDR_OFFSET 0x1f1
#define HDRS_MAGIC_OFFSET 0x202
#define ENTRY64_OFFSET 0x200
#define MIN_PROTOCOL 0x020c     /* 2.12: xloadflags, so the 64-bit entry is announced */
#define LOADER_TYPE_UNDEFINED 0xff

int linux_parse(const uint8_t *img, size_t size, struct linux_kernel *k, const char **why)
{
	struct setup_header h;

	memset(k, 0, sizeof(*k));
	if (size < SETUP_HDR_OFFSET + sizeof(h) || memcmp(img + HDRS_MAGIC_OFFSET, "HdrS", 4)) {
		*why = "no \"HdrS\" boot protocol header at 0x202 (not a bzImage)";
		return -EINVAL;
	}
	memcpy(&h, img + SETUP_HDR_OFFSET, sizeof(h));
	k->version = h.version;
	if (h.version < MIN_PROTOCOL) {
		*why = "boot protocol older than 2.12 (no 64-bit entry point)";
		return -EINVAL;
	}
	if (!(h.xloadflags & XLF_KERNEL_64)) {
		*why = "kernel has no 64-bit entry point (xloadflags bit 0 clear)";
		return -EINVAL;
	}
	if (!(h.loadflags & LOADED_HIGH)) {
		*why = "not a bzImage (zImage kernels load at 0x10000)";
		return -EINVAL;
	}
	/* The header ends at 0x202 + the byte at 0x201 (the jump's offset). */
	k->hdr_end = HDRS_MAGIC_OFFSET + img[0x201];
	if (k->hdr_end > SETUP_HDR_OFFSET + sizeof(h))
		k->hdr_end = SETUP_HDR_OFFSET + sizeof(h);
	k->setup_size = ((size_t)(h.setup_sects ? h.setup_sects : 4) + 1) * 512;
	if (k->setup_size >= size) {
		*why = "image ends inside its setup code";
		return -EINVAL;
	}
	k->payload_size = size - k->setup_size;
	k->loadflags = h.loadflags;
	k->xloadflags = h.xloadflags;
	k->init_size = h.init_size;
	k->cmdline_size = h.cmdline_size;
	k->initrd_addr_max = h.initrd_addr_max;
	return 0;
}

int linux_setup(const struct guest_mem *m, const uint8_t *img, size_t size,
		const struct linux_kernel *k, const char *cmdline, const uint8_t *initrd,
		size_t initrd_size, struct boot_plan *plan, const char **why)
{
	struct boot_params *bp = gpa_ptr(m, ZERO_PAGE_ADDR, sizeof(*bp));
	uint64_t kernel_end = HIMEM_START + (k->init_size > k->payload_size ?
					     k->init_size : k->payload_size);
	size_t cmdline_len = strlen(cmdline);

	if (!bp || kernel_end > m->low_size) {
		*why = "guest RAM too small for the kernel's init_size";
		return -ENOMEM;
	}
	if (cmdline_len > k->cmdline_size || cmdline_len >= CMDLINE_MAX) {
		*why = "command line longer than the kernel's cmdline_size";
		return -E2BIG;
	}

	/* 1. The protected-mode kernel at 1 MiB. */
	if (gpa_write(m, HIMEM_START, img + k->setup_size, k->payload_size) < 0) {
		*why = "kernel does not fit in guest RAM";
		return -ENOMEM;
	}

	/* 2. The zero page: the image's setup header plus what a loader fills in. */
	memset(bp, 0, sizeof(*bp));
	memcpy((uint8_t *)bp + SETUP_HDR_OFFSET, img + SETUP_HDR_OFFSET,
	       k->hdr_end - SETUP_HDR_OFFSET);
	bp->hdr.type_of_loader = LOADER_TYPE_UNDEFINED;
	bp->hdr.loadflags |= CAN_USE_HEAP;
	bp->hdr.heap_end_ptr = 0xfe00;
	bp->hdr.vid_mode = 0xffff; /* "normal" */

	/* 3. The command line, NUL-terminated, below 4 GiB. */
	gpa_write(m, CMDLINE_ADDR, cmdline, cmdline_len + 1);
	bp->hdr.cmd_line_ptr = (uint32_t)CMDLINE_ADDR;
	bp->ext_cmd_line_ptr = 0;

	/* 4. The initrd at the highest page-aligned address it fits. */
	if (initrd && initrd_size) {
		uint64_t limit = (uint64_t)k->initrd_addr_max + 1;
		if (limit > m->low_size)
			limit = m->low_size;
		uint64_t addr = initrd_size <= limit ? (limit - initrd_size) & ~0xfffull : 0;
		if (addr < kernel_end) {
			*why = "initrd does not fit between the kernel and initrd_addr_max";
			return -ENOMEM;
		}
		gpa_write(m, addr, initrd, initrd_size);
		bp->hdr.ramdisk_image = (uint32_t)addr;
		bp->hdr.ramdisk_size = (uint32_t)initrd_size;
		bp->ext_ramdisk_image = (uint32_t)(addr >> 32);
		bp->ext_ramdisk_size = (uint32_t)((uint64_t)initrd_size >> 32);
	}

	/* 5. The memory map. */
	struct e820_entry e820[E820_MAX_ENTRIES_ZEROPAGE];
	int n = e820_build(m, e820, E820_MAX_ENTRIES_ZEROPAGE);
	if (n < 0) {
		*why = "cannot build the e820 map";
		return n;
	}
	for (int i = 0; i < n; i++) {
		bp->e820_table[i].addr = e820[i].addr;
		bp->e820_table[i].size = e820[i].size;
		bp->e820_table[i].type = e820[i].type;
	}
	bp->e820_entries = (uint8_t)n;

	/* 6. GDT and page tables for the 64-bit entry. */
	if (x86_build_gdt(m) < 0 || x86_build_identity_map(m) < 0) {
		*why = "cannot write the GDT/page tables";
		return -ENOMEM;
	}
	plan->mode = MODE_LONG64;
	plan->rip = HIMEM_START + ENTRY64_OFFSET;
	plan->rsi = ZERO_PAGE_ADDR;
	plan->rsp = BOOT_STACK_TOP;
	snprintf(plan->what, sizeof(plan->what),
		 "Linux bzImage, boot protocol %u.%02u, 64-bit entry at 0x%" PRIx64,
		 k->version >> 8, k->version & 0xff, plan->rip);
	return 0;
}

int load_linux(const struct load_args *a, struct boot_plan *plan)
{
	struct linux_kernel k;
	const char *why = "";
	const char *cmdline = a->cfg->cmdline ? a->cfg->cmdline : LINUX_DEFAULT_CMDLINE;

	if (linux_parse(a->kernel->data, a->kernel->size, &k, &why) < 0 ||
	    linux_setup(a->mem, a->kernel->data, a->kernel->size, &k, cmdline,
			a->initrd ? a->initrd->data : NULL, a->initrd ? a->initrd->size : 0,
			plan, &why) < 0) {
		errmsg("%s: %s", a->kernel->path, why);
		return -1;
	}
	return 0;
}
