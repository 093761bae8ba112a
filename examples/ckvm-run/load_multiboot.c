/* SPDX-License-Identifier: MIT */
/*
 * load_multiboot.c - multiboot version 1 kernels.
 *
 * A multiboot kernel carries a small header (magic 0x1badb002, flags,
 * checksum) in its first 8 KiB. The loader places the kernel either from
 * its ELF program headers or, when header flag 16 is set, from the load
 * addresses in the header itself (the "a.out kludge"). It then writes a
 * multiboot information structure (memory sizes, command line, modules,
 * memory map, loader name) and enters the kernel in 32-bit protected mode
 * with paging off, EAX = 0x2badb002 and EBX = address of that structure.
 * The --initrd file, if any, becomes module 0.
 */
#include "vmm.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MB_HEADER_MAGIC     0x1badb002u
#define MB_BOOTLOADER_MAGIC 0x2badb002u
#define MB_SEARCH_BYTES     8192

/* Header flags: what the kernel asks for. */
#define MBH_PAGE_ALIGN  (1u << 0)  /* modules on 4 KiB boundaries */
#define MBH_MEMORY_INFO (1u << 1)  /* mem_* and mmap_* fields */
#define MBH_VIDEO_MODE  (1u << 2)  /* a graphics mode: we have no display */
#define MBH_AOUT_KLUDGE (1u << 16) /* load addresses in the header */

/* Info flags: what the loader provides. */
#define MBI_MEMORY      (1u << 0)
#define MBI_CMDLINE     (1u << 2)
#define MBI_MODS        (1u << 3)
#define MBI_MMAP        (1u << 6)
#define MBI_LOADER_NAME (1u << 9)

struct mb_header {
	uint32_t magic, flags, checksum;
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper; /* KiB below 640K, KiB from 1 MiB to the first hole */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe[6];
};

struct mb_mmap_entry {
	uint32_t size; /* of the rest of the entry: 20 */
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

struct mb_module {
	uint32_t mod_start, mod_end, string, reserved;
};

/* Where the pieces go, inside the 64 KiB at MB_INFO_ADDR. */
#define MB_MMAP_ADDR   (MB_INFO_ADDR + 0x100)
#define MB_MODS_ADDR   (MB_INFO_ADDR + 0x200)
#define MB_NAME_ADDR   (MB_INFO_ADDR + 0x300)
#define MB_MODSTR_ADDR (MB_INFO_ADDR + 0x400)
#define MB_MODSTR_MAX  0xc00

long multiboot_find_header(const uint8_t *data, size_t size)
{
	size_t limit = size < MB_SEARCH_BYTES ? size : MB_SEARCH_BYTES;

	for (size_t off = 0; off + 12 <= limit; off += 4) {
		uint32_t w[3];
		memcpy(w, data + off, sizeof(w));
		if (w[0] == MB_HEADER_MAGIC && (uint32_t)(w[0] + w[1] + w[2]) == 0)
			return (long)off;
	}
	return -1;
}

/* Header flag 16: copy [load_addr, load_end_addr) from the file, zero the bss. */
static int load_aout_kludge(const struct load_args *a, const struct mb_header *h, long hoff,
			    uint64_t *entry, uint64_t *end)
{
	const struct image *img = a->kernel;

	if (h->load_addr > h->header_addr || h->header_addr - h->load_addr > (uint64_t)hoff) {
		errmsg("%s: multiboot header addresses are inconsistent", img->path);
		return -1;
	}
	uint64_t file_off = (uint64_t)hoff - (h->header_addr - h->load_addr);
	if (h->load_end_addr && h->load_end_addr < h->load_addr) {
		errmsg("%s: multiboot load_end_addr is below load_addr", img->path);
		return -1;
	}
	/* load_end_addr 0: up to the end of the file; bss_end_addr 0: no bss. */
	uint64_t len = h->load_end_addr ? (uint64_t)h->load_end_addr - h->load_addr
					: img->size - file_off;
	uint64_t bss_end = h->bss_end_addr ? h->bss_end_addr : h->load_addr + len;
	if (len > img->size - file_off || bss_end < h->load_addr + len) {
		errmsg("%s: multiboot load range is outside the file", img->path);
		return -1;
	}
	uint8_t *dst = gpa_ptr(a->mem, h->load_addr, bss_end - h->load_addr);
	if (!dst) {
		errmsg("%s: multiboot load range 0x%x-0x%" PRIx64 " is outside guest RAM",
		       img->path, h->load_addr, bss_end);
		return -1;
	}
	memcpy(dst, img->data + file_off, len);
	memset(dst + len, 0, bss_end - h->load_addr - len);
	*entry = h->entry_addr;
	*end = bss_end;
	return 0;
}

int load_multiboot(const struct load_args *a, struct boot_plan *plan)
{
	const struct image *img = a->kernel;
	const struct guest_mem *m = a->mem;
	long hoff = multiboot_find_header(img->data, img->size);
	struct mb_header h = { 0 };
	uint64_t entry, end;

	if (hoff < 0) {
		errmsg("%s: no multiboot header in the first 8 KiB", img->path);
		return -1;
	}
	memcpy(&h, img->data + hoff, img->size - (size_t)hoff < sizeof(h) ?
	       img->size - (size_t)hoff : sizeof(h));
	/* The spec: fail on any requirement (bits 0-15) we cannot meet. */
	if (h.flags & 0xffff & ~(MBH_PAGE_ALIGN | MBH_MEMORY_INFO)) {
		errmsg("%s: multiboot header asks for %s (flags 0x%x), which ckvm-run cannot provide",
		       img->path, h.flags & MBH_VIDEO_MODE ? "a video mode" : "unknown features",
		       h.flags);
		return -1;
	}
	if (h.flags & MBH_AOUT_KLUDGE) {
		if ((size_t)hoff + sizeof(h) > img->size) {
			errmsg("%s: truncated multiboot header", img->path);
			return -1;
		}
		if (load_aout_kludge(a, &h, hoff, &entry, &end) < 0)
			return -1;
	} else {
		bool is64;
		if (elf_load_segments(m, img, &entry, &end, &is64) < 0)
			return -1;
	}
	if (entry > 0xffffffffull) {
		errmsg("%s: multiboot entry point above 4 GiB", img->path);
		return -1;
	}

	struct mb_info info = { 0 };
	info.flags = MBI_MEMORY | MBI_CMDLINE | MBI_MMAP | MBI_LOADER_NAME;
	info.mem_lower = (uint32_t)(EBDA_START / 1024);
	info.mem_upper = (uint32_t)((m->low_size - HIMEM_START) / 1024);

	/* Command line: "<image> <args>", as GRUB and QEMU pass it. */
	char *cmd = gpa_ptr(m, CMDLINE_ADDR, CMDLINE_MAX);
	int n = snprintf(cmd, CMDLINE_MAX, "%s%s%s", img->path,
			 a->cfg->cmdline ? " " : "", a->cfg->cmdline ? a->cfg->cmdline : "");
	if (n < 0 || (uint64_t)n >= CMDLINE_MAX) {
		errmsg("command line too long (max %llu bytes)", CMDLINE_MAX - 1);
		return -1;
	}
	info.cmdline = CMDLINE_ADDR;

	/* Memory map from the same e820 table Linux gets. */
	struct e820_entry e820[8];
	int ne = e820_build(m, e820, 8);
	struct mb_mmap_entry *mm = gpa_ptr(m, MB_MMAP_ADDR, sizeof(*mm) * (size_t)ne);
	for (int i = 0; i < ne; i++)
		mm[i] = (struct mb_mmap_entry){ 20, e820[i].addr, e820[i].size, e820[i].type };
	info.mmap_addr = MB_MMAP_ADDR;
	info.mmap_length = (uint32_t)(sizeof(*mm) * (size_t)ne);

	strcpy(gpa_ptr(m, MB_NAME_ADDR, 32), PROGRAM_NAME " " CKVM_VERSION_STRING);
	info.boot_loader_name = MB_NAME_ADDR;

	/* The initrd becomes module 0, page-aligned after the kernel. */
	if (a->initrd) {
		uint64_t start = (end + 0xfff) & ~0xfffull;
		if (gpa_write(m, start, a->initrd->data, a->initrd->size) < 0 ||
		    start + a->initrd->size > 0xffffffffull) {
			errmsg("%s: module (%zu bytes) does not fit in guest RAM after the kernel",
			       a->initrd->path, a->initrd->size);
			return -1;
		}
		struct mb_module mod = {
			.mod_start = (uint32_t)start,
			.mod_end = (uint32_t)(start + a->initrd->size),
			.string = MB_MODSTR_ADDR,
		};
		snprintf(gpa_ptr(m, MB_MODSTR_ADDR, MB_MODSTR_MAX), MB_MODSTR_MAX, "%s",
			 a->initrd->path);
		gpa_write(m, MB_MODS_ADDR, &mod, sizeof(mod));
		info.flags |= MBI_MODS;
		info.mods_count = 1;
		info.mods_addr = MB_MODS_ADDR;
	}
	gpa_write(m, MB_INFO_ADDR, &info, sizeof(info));

	plan->mode = MODE_PROT32;
	plan->rip = entry;
	plan->rsp = BOOT_STACK_TOP;
	plan->rax = MB_BOOTLOADER_MAGIC;
	plan->rbx = MB_INFO_ADDR;
	snprintf(plan->what, sizeof(plan->what), "multiboot kernel (%s), entry 0x%" PRIx64,
		 h.flags & MBH_AOUT_KLUDGE ? "a.out kludge" : "ELF", entry);
	return 0;
}
