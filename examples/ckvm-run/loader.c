/* SPDX-License-Identifier: MIT */
/*
 * loader.c - recognise an image and hand it to its loader.
 *
 * Detection order, most specific first:
 *   Linux bzImage   "HdrS" at offset 0x202 (the x86 boot protocol header)
 *   multiboot v1    magic 0x1badb002 + valid checksum in the first 8 KiB
 *   ELF             "\x7fELF" (ELF32 or ELF64, x86)
 *   flat            anything else (needs --format flat to be explicit)
 */
#include "vmm.h"

#include <string.h>

const char *format_name(enum image_format f)
{
	switch (f) {
	case FMT_AUTO: return "auto";
	case FMT_FLAT: return "flat";
	case FMT_ELF: return "elf";
	case FMT_MULTIBOOT: return "multiboot";
	case FMT_LINUX: return "linux";
	}
	return "?";
}

enum image_format loader_detect(const struct image *img)
{
	if (img->size >= 0x206 && memcmp(img->data + 0x202, "HdrS", 4) == 0)
		return FMT_LINUX;
	if (multiboot_find_header(img->data, img->size) >= 0)
		return FMT_MULTIBOOT;
	if (img->size >= 4 && memcmp(img->data, "\177ELF", 4) == 0)
		return FMT_ELF;
	return FMT_FLAT;
}

int load_image(const struct load_args *a, struct boot_plan *plan)
{
	enum image_format f = a->cfg->format;

	if (f == FMT_AUTO)
		f = loader_detect(a->kernel);
	if (a->initrd && (f == FMT_FLAT || f == FMT_ELF)) {
		errmsg("--initrd needs a Linux or multiboot image (this one is %s)",
		       format_name(f));
		return -1;
	}
	switch (f) {
	case FMT_LINUX: return load_linux(a, plan);
	case FMT_MULTIBOOT: return load_multiboot(a, plan);
	case FMT_ELF: return load_elf(a, plan);
	default: return load_flat(a, plan);
	}
}
