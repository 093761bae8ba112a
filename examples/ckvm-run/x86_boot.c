/* SPDX-License-Identifier: MIT */
/*
 * x86_boot.c - the CPU state a loader asks for, built without firmware.
 *
 * A PC normally starts in real mode and firmware walks it into protected or
 * long mode. A VMM can skip all that: KVM lets us load the hidden part of
 * the segment registers, CR0/CR3/CR4 and EFER directly (KVM_SET_SREGS), so
 * the first guest instruction already runs in the mode the kernel expects.
 * Long mode also needs page tables and a GDT in guest memory, because the
 * guest will eventually reload its segment registers and CR3 itself.
 */
#include "vmm.h"

#include <errno.h>
#include <string.h>

/* Segment descriptor flags. */
#define DESC_G     (1ull << 55) /* limit in 4 KiB units */
#define DESC_DB    (1ull << 54) /* 32-bit default operand size */
#define DESC_L     (1ull << 53) /* 64-bit code */
#define DESC_P     (1ull << 47) /* present */
#define DESC_S     (1ull << 44) /* code/data (not system) */
#define DESC_CODE  (0xbull << 40) /* execute/read, accessed */
#define DESC_DATA  (0x3ull << 40) /* read/write, accessed */
#define DESC_LIMIT 0x000f00000000ffffull /* limit 0xfffff */

/* Page table entry bits. */
#define PTE_P  (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7) /* 2 MiB page in a page directory */

/* Control register bits. */
#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_AM (1ull << 18)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

int x86_build_gdt(const struct guest_mem *m)
{
	const uint64_t gdt[GDT_ENTRIES] = {
		0,                                                      /* null */
		DESC_G | DESC_DB | DESC_P | DESC_S | DESC_CODE | DESC_LIMIT, /* 0x08 code32 */
		DESC_G | DESC_L | DESC_P | DESC_S | DESC_CODE | DESC_LIMIT,  /* 0x10 code64 */
		DESC_G | DESC_DB | DESC_P | DESC_S | DESC_DATA | DESC_LIMIT, /* 0x18 data */
	};
	return gpa_write(m, GDT_ADDR, gdt, sizeof(gdt));
}

/*
 * Identity-map the first 4 GiB with 2 MiB pages: one PML4 entry, four PDPT
 * entries, four page directories of 512 entries. 4 GiB covers all of low
 * RAM and the LAPIC/IOAPIC. The U/S bit is left clear: these tables are
 * for the kernel; a guest that wants user mode builds its own.
 */
int x86_build_identity_map(const struct guest_mem *m)
{
	uint64_t *pml4 = gpa_ptr(m, PML4_ADDR, 4096);
	uint64_t *pdpt = gpa_ptr(m, PDPT_ADDR, 4096);
	uint64_t *pd = gpa_ptr(m, PD_ADDR, 4 * 4096);

	if (!pml4 || !pdpt || !pd)
		return -EFAULT;
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = PDPT_ADDR | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < 4; i++)
		pdpt[i] = (PD_ADDR + i * 4096) | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_PS;
	return 0;
}

static void flat_segment(struct kvm_segment *s, uint16_t sel, bool code, bool is64)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = code ? 0xb : 0x3;
	s->present = 1;
	s->dpl = 0;
	s->db = code && is64 ? 0 : 1;
	s->s = 1;
	s->l = code && is64;
	s->g = 1;
}

static void real_segment(struct kvm_segment *s, uint16_t sel, bool code)
{
	memset(s, 0, sizeof(*s));
	s->base = (uint64_t)sel << 4;
	s->limit = 0xffff;
	s->selector = sel;
	s->type = code ? 0xb : 0x3;
	s->present = 1;
	s->s = 1;
}

/*
 * s holds the vCPU's current (reset) sregs; TR, LDT, IDT and the APIC base
 * are kept, the rest is set for mode. *rip is the entry's physical address;
 * in real mode it becomes an offset from CS.
 */
int x86_setup_sregs(struct kvm_sregs *s, enum cpu_mode mode, uint64_t *rip)
{
	struct kvm_segment code, data;

	switch (mode) {
	case MODE_REAL: {
		if (*rip >= 0x100000)
			return -EINVAL;
		uint16_t sel = (uint16_t)((*rip >> 4) & 0xf000);
		real_segment(&code, sel, true);
		real_segment(&data, sel, false);
		*rip -= (uint64_t)sel << 4;
		s->cr0 = CR0_ET;
		s->cr4 = 0;
		s->efer = 0;
		break;
	}
	case MODE_PROT32:
		if (*rip > 0xffffffffull)
			return -EINVAL;
		flat_segment(&code, SEL_CODE32, true, false);
		flat_segment(&data, SEL_DATA, false, false);
		s->cr0 = CR0_PE | CR0_ET;
		s->cr4 = 0;
		s->efer = 0;
		break;
	case MODE_LONG64:
		flat_segment(&code, SEL_CODE64, true, true);
		flat_segment(&data, SEL_DATA, false, false);
		s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
		s->cr3 = PML4_ADDR;
		s->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
		s->efer = EFER_LME | EFER_LMA;
		break;
	default:
		return -EINVAL;
	}
	s->cs = code;
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	if (mode != MODE_REAL) {
		s->gdt.base = GDT_ADDR;
		s->gdt.limit = GDT_ENTRIES * 8 - 1;
	}
	return 0;
}
