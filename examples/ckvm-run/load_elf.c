/* SPDX-License-Identifier: MIT */
/*
 * load_elf.c - ELF32 and ELF64 x86 executables.
 *
 * Every PT_LOAD segment is copied to its physical address (p_paddr) and the
 * rest of its memory size is zeroed (.bss). A kernel linked at a high
 * virtual address (p_vaddr != p_paddr) works too: the entry point is
 * translated through the segment that contains it. An ELF64 image is
 * entered in 64-bit mode on the VMM's identity map; an ELF32 image in
 * 32-bit protected mode with paging off.
 */
#include "vmm.h"

#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* A format-independent view of one program header. */
struct seg {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

static int get_seg(const struct image *img, bool is64, uint64_t phoff, uint16_t phentsize,
		   unsigned i, struct seg *s)
{
	uint64_t off = phoff + (uint64_t)i * phentsize;

	if (is64) {
		Elf64_Phdr p;
		if (phentsize < sizeof(p) || off > img->size || img->size - off < sizeof(p))
			return -1;
		memcpy(&p, img->data + off, sizeof(p));
		*s = (struct seg){ p.p_type, p.p_offset, p.p_vaddr, p.p_paddr, p.p_filesz, p.p_memsz };
	} else {
		Elf32_Phdr p;
		if (phentsize < sizeof(p) || off > img->size || img->size - off < sizeof(p))
			return -1;
		memcpy(&p, img->data + off, sizeof(p));
		*s = (struct seg){ p.p_type, p.p_offset, p.p_vaddr, p.p_paddr, p.p_filesz, p.p_memsz };
	}
	return 0;
}

int elf_load_segments(const struct guest_mem *m, const struct image *img,
		      uint64_t *entry, uint64_t *end, bool *is64)
{
	const uint8_t *d = img->data;
	uint64_t phoff, e_entry;
	uint16_t phentsize, phnum, machine, type;

	if (img->size < EI_NIDENT || memcmp(d, ELFMAG, SELFMAG) != 0) {
		errmsg("%s: not an ELF file", img->path);
		return -1;
	}
	*is64 = d[EI_CLASS] == ELFCLASS64;
	if ((d[EI_CLASS] != ELFCLASS32 && !*is64) || d[EI_DATA] != ELFDATA2LSB) {
		errmsg("%s: not a little-endian ELF32/ELF64 file", img->path);
		return -1;
	}
	if (*is64) {
		Elf64_Ehdr h;
		if (img->size < sizeof(h))
			goto truncated;
		memcpy(&h, d, sizeof(h));
		phoff = h.e_phoff, phentsize = h.e_phentsize, phnum = h.e_phnum;
		machine = h.e_machine, type = h.e_type, e_entry = h.e_entry;
	} else {
		Elf32_Ehdr h;
		if (img->size < sizeof(h))
			goto truncated;
		memcpy(&h, d, sizeof(h));
		phoff = h.e_phoff, phentsize = h.e_phentsize, phnum = h.e_phnum;
		machine = h.e_machine, type = h.e_type, e_entry = h.e_entry;
	}
	if (machine != (*is64 ? EM_X86_64 : EM_386) || type != ET_EXEC) {
		errmsg("%s: not an x86 executable (e_machine %u, e_type %u)", img->path,
		       machine, type);
		return -1;
	}

	bool entry_found = false;
	unsigned loaded = 0;
	*end = 0;
	for (unsigned i = 0; i < phnum; i++) {
		struct seg s;
		if (get_seg(img, *is64, phoff, phentsize, i, &s) < 0)
			goto truncated;
		if (s.type != PT_LOAD || s.memsz == 0)
			continue;
		if (s.filesz > s.memsz || s.offset > img->size || img->size - s.offset < s.filesz)
			goto truncated;
		uint8_t *dst = gpa_ptr(m, s.paddr, s.memsz);
		if (!dst) {
			errmsg("%s: segment %u (0x%" PRIx64 "+0x%" PRIx64 ") is outside guest RAM",
			       img->path, i, s.paddr, s.memsz);
			return -1;
		}
		memcpy(dst, d + s.offset, s.filesz);
		memset(dst + s.filesz, 0, s.memsz - s.filesz);
		if (s.paddr + s.memsz > *end)
			*end = s.paddr + s.memsz;
		if (!entry_found && e_entry >= s.vaddr && e_entry - s.vaddr < s.memsz) {
			*entry = e_entry - s.vaddr + s.paddr;
			entry_found = true;
		}
		loaded++;
	}
	if (!loaded) {
		errmsg("%s: no loadable segment", img->path);
		return -1;
	}
	if (!entry_found) {
		errmsg("%s: entry point 0x%" PRIx64 " is in no loaded segment", img->path, e_entry);
		return -1;
	}
	return 0;
truncated:
	errmsg("%s: truncated or corrupt ELF file", img->path);
	return -1;
}

int load_elf(const struct load_args *a, struct boot_plan *plan)
{
	uint64_t entry, end;
	bool is64;

	if (elf_load_segments(a->mem, a->kernel, &entry, &end, &is64) < 0)
		return -1;
	plan->mode = is64 ? MODE_LONG64 : MODE_PROT32;
	plan->rip = entry;
	plan->rsp = BOOT_STACK_TOP;
	snprintf(plan->what, sizeof(plan->what), "ELF%d, entry 0x%" PRIx64 " in %s",
		 is64 ? 64 : 32, entry, is64 ? "64-bit long mode" : "32-bit protected mode");
	return 0;
}
