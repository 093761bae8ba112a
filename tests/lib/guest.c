/* SPDX-License-Identifier: MIT */
/*
 * guest.c - the tiny-guest harness (x86_64). See guest.h.
 */
#include "guest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CHECK(expr) do { \
	long c__r = (long)(expr); \
	if (c__r < 0) fail_msg("%s:%d: %s = %ld (%s)", __FILE__, __LINE__, #expr, c__r, \
			       strerror((int)-c__r)); \
} while (0)

static void wr64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

void t_guest_create_vm(struct t_guest *g)
{
	memset(g, 0, sizeof(*g));
	g->kvm = t_require_kvm();
	CHECK(ckvm_create_vm(g->kvm, &g->vm));
	CHECK(ckvm_get_supported_cpuid(g->kvm, &g->cpuid));
}

static void write_system_tables(struct t_guest *g)
{
	uint8_t *m = g->mem;
	uint64_t idmap, pdpt_entries, i;

	/* GDT */
	wr64(m + T_GDT_GPA + 0x00, 0);
	wr64(m + T_GDT_GPA + 0x08, 0x00CF9A000000FFFFull); /* code32 */
	wr64(m + T_GDT_GPA + 0x10, 0x00CF92000000FFFFull); /* data */
	wr64(m + T_GDT_GPA + 0x18, 0x00AF9A000000FFFFull); /* code64 */
	wr64(m + T_GDT_GPA + 0x20, 0x00AFFA000000FFFFull); /* user code64 */
	wr64(m + T_GDT_GPA + 0x28, 0x00CFF2000000FFFFull); /* user data */
	/* 64-bit TSS descriptor: base T_TSS_GPA, limit 0x67, type 9 (available) */
	wr64(m + T_GDT_GPA + 0x30, 0x0000890000000067ull |
	     ((uint64_t)(T_TSS_GPA & 0xffff) << 16) |
	     ((uint64_t)((T_TSS_GPA >> 16) & 0xff) << 32) |
	     ((uint64_t)((T_TSS_GPA >> 24) & 0xff) << 56));
	wr64(m + T_GDT_GPA + 0x38, 0);
	/* TSS: rsp0, and the I/O map base beyond the limit (no bitmap) */
	wr64(m + T_TSS_GPA + 4, T_STACK_TOP);
	m[T_TSS_GPA + 0x66] = 0x68;

	/* Identity map: PML4[0] -> PDPT, PDPT[0..3] -> PDs of 2 MiB pages. */
	idmap = T_IDMAP_BYTES;
	pdpt_entries = idmap >> 30;
	wr64(m + T_PML4_GPA, T_PDPT_GPA | 0x7); /* P|RW|US */
	for (i = 0; i < pdpt_entries; i++)
		wr64(m + T_PDPT_GPA + i * 8, (T_PD_GPA + i * 0x1000) | 0x7);
	for (i = 0; i < pdpt_entries * 512; i++)
		wr64(m + T_PD_GPA + i * 8, (i << 21) | 0x87); /* P|RW|US|PS */
}

void t_guest_add_memory(struct t_guest *g, size_t mem_size, uint32_t slot_flags)
{
	struct kvm_userspace_memory_region region;
	void *p;

	if (mem_size < T_MIN_MEM)
		mem_size = T_MIN_MEM;
	mem_size = (mem_size + 0xfff) & ~(size_t)0xfff;
	p = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		fail_msg("mmap guest RAM: %s", strerror(errno));
	g->mem = p;
	g->mem_size = mem_size;
	memset(&region, 0, sizeof(region));
	region.slot = 0;
	region.flags = slot_flags;
	region.guest_phys_addr = 0;
	region.memory_size = mem_size;
	region.userspace_addr = (uint64_t)(uintptr_t)p;
	CHECK(ckvm_vm_set_user_memory_region(g->vm, &region));
	write_system_tables(g);
}

void t_guest_create(struct t_guest *g, size_t mem_size, uint32_t slot_flags)
{
	t_guest_create_vm(g);
	t_guest_add_memory(g, mem_size, slot_flags);
}

void *t_gpa(struct t_guest *g, uint64_t gpa, size_t len)
{
	if (gpa > g->mem_size || len > g->mem_size - gpa)
		fail_msg("GPA 0x%" PRIx64 "+%zu outside guest RAM (%zu bytes)", gpa, len,
			 g->mem_size);
	return g->mem + gpa;
}

void t_guest_load(struct t_guest *g, uint64_t gpa, const void *start, const void *end)
{
	size_t len = (size_t)((const uint8_t *)end - (const uint8_t *)start);

	if (gpa == T_CODE_GPA && len > T_CODE_MAX)
		fail_msg("guest code is %zu bytes, more than T_CODE_MAX", len);
	memcpy(t_gpa(g, gpa, len), start, len);
}

void t_guest_set_idt_gate(struct t_guest *g, uint8_t vector, uint64_t handler, uint8_t dpl)
{
	uint8_t *e = t_gpa(g, T_IDT_GPA + (uint64_t)vector * 16, 16);
	uint64_t lo, hi;

	/* 64-bit interrupt gate: selector code64, type 0xE, present, IST 0. */
	lo = (handler & 0xffff) | ((uint64_t)T_SEL_CODE64 << 16) |
	     ((uint64_t)(0x8e | ((dpl & 3) << 5)) << 40) | (((handler >> 16) & 0xffff) << 48);
	hi = handler >> 32;
	wr64(e, lo);
	wr64(e + 8, hi);
}

void t_guest_set_idt_gate32(struct t_guest *g, uint8_t vector, uint32_t handler)
{
	uint8_t *e = t_gpa(g, T_IDT_GPA + (uint64_t)vector * 8, 8);

	/* 32-bit interrupt gate: selector code32, type 0xE, present. */
	wr64(e, (handler & 0xffff) | ((uint64_t)T_SEL_CODE32 << 16) | (0x8eull << 40) |
		((uint64_t)(handler >> 16) << 48));
}

void t_guest_set_ivt(struct t_guest *g, uint8_t vector, uint16_t seg, uint16_t off)
{
	uint8_t *e = t_gpa(g, (uint64_t)vector * 4, 4);

	memcpy(e, &off, 2);
	memcpy(e + 2, &seg, 2);
}

static struct kvm_segment seg(uint16_t sel, uint8_t type, uint8_t dpl, bool l, bool db)
{
	struct kvm_segment s;

	memset(&s, 0, sizeof(s));
	s.base = 0;
	s.limit = 0xffffffff;
	s.selector = sel;
	s.type = type;
	s.present = 1;
	s.dpl = dpl;
	s.db = db;
	s.s = 1;
	s.l = l;
	s.g = 1;
	return s;
}

void t_vcpu_setup(struct t_guest *g, struct ckvm_vcpu *vcpu, enum t_mode mode, uint64_t entry)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	(void)g;
	CHECK(ckvm_vcpu_get_sregs(vcpu, &sregs));
	memset(&regs, 0, sizeof(regs));
	regs.rip = entry;
	regs.rsp = T_STACK_TOP;
	regs.rflags = 0x2;

	if (mode == T_MODE_REAL) {
		struct kvm_segment *segs[] = { &sregs.cs, &sregs.ds, &sregs.es, &sregs.fs,
					       &sregs.gs, &sregs.ss };
		for (size_t i = 0; i < sizeof(segs) / sizeof(segs[0]); i++) {
			segs[i]->base = 0;
			segs[i]->selector = 0;
			segs[i]->limit = 0xffff;
		}
	} else {
		sregs.gdt.base = T_GDT_GPA;
		sregs.gdt.limit = 0x3f;
		sregs.idt.base = T_IDT_GPA;
		sregs.idt.limit = mode == T_MODE_PROT32 ? 0x7ff : 0xfff;
		memset(&sregs.tr, 0, sizeof(sregs.tr));
		sregs.tr.base = T_TSS_GPA;
		sregs.tr.limit = 0x67;
		sregs.tr.selector = T_SEL_TSS;
		sregs.tr.type = 11; /* busy TSS */
		sregs.tr.present = 1;
		memset(&sregs.ldt, 0, sizeof(sregs.ldt));
		sregs.ldt.type = 2;
		sregs.ldt.unusable = 1;

		if (mode == T_MODE_PROT32) {
			sregs.cr0 = 0x00000031; /* PE|ET|NE */
			sregs.cr4 = 0;
			sregs.efer = 0;
			sregs.cs = seg(T_SEL_CODE32, 11, 0, false, true);
			sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss =
				seg(T_SEL_DATA, 3, 0, false, true);
		} else {
			bool user = mode == T_MODE_USER64;

			sregs.cr0 = 0x80050033; /* PG|AM|WP|NE|ET|MP|PE */
			sregs.cr3 = T_PML4_GPA;
			sregs.cr4 = 0x620;      /* OSXMMEXCPT|OSFXSR|PAE */
			sregs.efer = 0x500;     /* LMA|LME */
			sregs.cs = seg(user ? T_SEL_UCODE64 : T_SEL_CODE64, 11, user ? 3 : 0, true,
				       false);
			sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss =
				seg(user ? T_SEL_UDATA : T_SEL_DATA, 3, user ? 3 : 0, false, true);
			regs.rflags = T_RFLAGS_IOPL3;
			if (user)
				regs.rsp = T_USER_STACK;
		}
	}
	CHECK(ckvm_vcpu_set_sregs(vcpu, &sregs));
	CHECK(ckvm_vcpu_set_regs(vcpu, &regs));
}

struct ckvm_vcpu *t_guest_add_vcpu(struct t_guest *g, enum t_mode mode, uint64_t entry)
{
	struct ckvm_vcpu *v = NULL;

	if (g->nr_vcpus >= T_GUEST_MAX_VCPUS)
		fail_msg("too many vCPUs");
	CHECK(ckvm_vm_create_vcpu(g->vm, g->nr_vcpus, &v));
	CHECK(ckvm_vcpu_set_cpuid2(v, g->cpuid));
	t_vcpu_setup(g, v, mode, entry);
	g->vcpu[g->nr_vcpus++] = v;
	return v;
}

bool t_host_is_pvm(void)
{
	return access("/sys/module/kvm_pvm", F_OK) == 0;
}

void t_guest_destroy(struct t_guest *g)
{
	for (unsigned i = 0; i < g->nr_vcpus; i++)
		ckvm_vcpu_close(g->vcpu[i]);
	ckvm_vm_close(g->vm);
	if (g->mem)
		munmap(g->mem, g->mem_size);
	ckvm_cpuid2_free(g->cpuid);
	ckvm_close(g->kvm);
	memset(g, 0, sizeof(*g));
}

/* ---- running ---------------------------------------------------------------- */

static const char *kind_names[CKVM_EXIT_KIND_COUNT] = {
	[CKVM_EXIT_OTHER] = "OTHER", [CKVM_EXIT_INTERRUPTED] = "INTERRUPTED",
	[CKVM_EXIT_UNKNOWN] = "UNKNOWN", [CKVM_EXIT_EXCEPTION] = "EXCEPTION",
	[CKVM_EXIT_IO_IN] = "IO_IN", [CKVM_EXIT_IO_OUT] = "IO_OUT",
	[CKVM_EXIT_MMIO_READ] = "MMIO_READ", [CKVM_EXIT_MMIO_WRITE] = "MMIO_WRITE",
	[CKVM_EXIT_HYPERCALL] = "HYPERCALL", [CKVM_EXIT_DEBUG] = "DEBUG",
	[CKVM_EXIT_HLT] = "HLT", [CKVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
	[CKVM_EXIT_SHUTDOWN] = "SHUTDOWN", [CKVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
	[CKVM_EXIT_INTR] = "INTR", [CKVM_EXIT_SET_TPR] = "SET_TPR",
	[CKVM_EXIT_TPR_ACCESS] = "TPR_ACCESS", [CKVM_EXIT_NMI] = "NMI",
	[CKVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR", [CKVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
	[CKVM_EXIT_IOAPIC_EOI] = "IOAPIC_EOI", [CKVM_EXIT_HYPERV] = "HYPERV",
	[CKVM_EXIT_X86_RDMSR] = "X86_RDMSR", [CKVM_EXIT_X86_WRMSR] = "X86_WRMSR",
	[CKVM_EXIT_XEN] = "XEN", [CKVM_EXIT_NOTIFY] = "NOTIFY",
	[CKVM_EXIT_X86_BUS_LOCK] = "X86_BUS_LOCK", [CKVM_EXIT_DIRTY_RING_FULL] = "DIRTY_RING_FULL",
	[CKVM_EXIT_AP_RESET_HOLD] = "AP_RESET_HOLD", [CKVM_EXIT_MEMORY_FAULT] = "MEMORY_FAULT",
	[CKVM_EXIT_ARM_NISV] = "ARM_NISV", [CKVM_EXIT_RISCV_SBI] = "RISCV_SBI",
	[CKVM_EXIT_RISCV_CSR] = "RISCV_CSR",
};

const char *t_exit_str(const struct ckvm_exit *e)
{
	static char buf[256];
	const char *k = (unsigned)e->kind < CKVM_EXIT_KIND_COUNT && kind_names[e->kind] ?
				kind_names[e->kind] : "?";

	switch (e->kind) {
	case CKVM_EXIT_IO_IN:
	case CKVM_EXIT_IO_OUT:
		snprintf(buf, sizeof(buf), "%s port 0x%x size %u count %u", k, e->io.port,
			 e->io.size, e->io.count);
		break;
	case CKVM_EXIT_MMIO_READ:
	case CKVM_EXIT_MMIO_WRITE:
		snprintf(buf, sizeof(buf), "%s gpa 0x%" PRIx64 " len %u", k, e->mmio.gpa,
			 e->mmio.len);
		break;
	case CKVM_EXIT_INTERNAL_ERROR:
		snprintf(buf, sizeof(buf), "%s suberror %u ndata %u data0 0x%" PRIx64, k,
			 e->internal.suberror, e->internal.ndata,
			 e->internal.ndata ? e->internal.data[0] : 0);
		break;
	case CKVM_EXIT_FAIL_ENTRY:
		snprintf(buf, sizeof(buf), "%s reason 0x%" PRIx64, k,
			 e->fail_entry.hardware_entry_failure_reason);
		break;
	default:
		snprintf(buf, sizeof(buf), "%s (reason %u)", k, e->reason);
		break;
	}
	return buf;
}

static uint64_t io_value(const struct ckvm_exit *e)
{
	uint32_t v = 0;

	memcpy(&v, e->io.data, e->io.size < 4 ? e->io.size : 4);
	return v;
}

enum t_ucall t_run_ucall(struct t_guest *g, struct ckvm_vcpu *vcpu, struct ckvm_exit *exit,
			 uint64_t *value)
{
	struct ckvm_exit scratch;

	if (!exit)
		exit = &scratch;
	for (;;) {
		CHECK(ckvm_vcpu_run(vcpu, exit));
		if (exit->kind == CKVM_EXIT_IO_OUT && exit->io.count == 1) {
			enum t_ucall u = T_UCALL_NONE;

			switch (exit->io.port) {
			case T_PORT_REPORT: u = T_UCALL_REPORT; break;
			case T_PORT_DONE: u = T_UCALL_DONE; break;
			case T_PORT_FAIL: u = T_UCALL_FAIL; break;
			default: break;
			}
			if (u != T_UCALL_NONE) {
				if (value)
					*value = io_value(exit);
				return u;
			}
		}
		if (exit->kind == CKVM_EXIT_IO_IN && exit->io.port == T_PORT_INPUT &&
		    exit->io.count == 1) {
			memcpy(exit->io.data, &g->input, exit->io.size);
			continue;
		}
		if (exit->kind == CKVM_EXIT_MMIO_WRITE && exit->mmio.gpa >= T_UCALL_MMIO &&
		    exit->mmio.gpa < T_UCALL_MMIO_INPUT && (exit->mmio.gpa & 7) == 0) {
			uint64_t v = 0;

			memcpy(&v, exit->mmio.data, exit->mmio.len);
			if (value)
				*value = v;
			switch (exit->mmio.gpa) {
			case T_UCALL_MMIO_REPORT: return T_UCALL_REPORT;
			case T_UCALL_MMIO_DONE: return T_UCALL_DONE;
			default: return T_UCALL_FAIL;
			}
		}
		if (exit->kind == CKVM_EXIT_MMIO_READ && exit->mmio.gpa == T_UCALL_MMIO_INPUT) {
			uint64_t in = g->input;

			memcpy(exit->mmio.data, &in, exit->mmio.len);
			continue;
		}
		return T_UCALL_NONE;
	}
}

static void unexpected(struct ckvm_vcpu *vcpu, enum t_ucall u, const struct ckvm_exit *e,
		       uint64_t value, const char *wanted)
{
	struct kvm_regs regs;
	uint64_t rip = 0;

	if (ckvm_vcpu_get_regs(vcpu, &regs) == 0)
		rip = regs.rip;
	if (u == T_UCALL_FAIL)
		fail_msg("expected %s, guest reported FAIL code %" PRIu64 " (rip 0x%" PRIx64 ")",
			 wanted, value, rip);
	if (u == T_UCALL_NONE)
		fail_msg("expected %s, got exit %s (rip 0x%" PRIx64 ")", wanted, t_exit_str(e), rip);
	fail_msg("expected %s, got ucall %s value %" PRIu64 " (rip 0x%" PRIx64 ")", wanted,
		 u == T_UCALL_REPORT ? "REPORT" : "DONE", value, rip);
}

uint64_t t_expect_report(struct t_guest *g, struct ckvm_vcpu *vcpu)
{
	struct ckvm_exit e;
	uint64_t v = 0;
	enum t_ucall u = t_run_ucall(g, vcpu, &e, &v);

	if (u != T_UCALL_REPORT)
		unexpected(vcpu, u, &e, v, "REPORT");
	return v;
}

void t_expect_done(struct t_guest *g, struct ckvm_vcpu *vcpu)
{
	struct ckvm_exit e;
	uint64_t v = 0;
	enum t_ucall u = t_run_ucall(g, vcpu, &e, &v);

	if (u != T_UCALL_DONE)
		unexpected(vcpu, u, &e, v, "DONE");
}

void t_expect_exit(struct t_guest *g, struct ckvm_vcpu *vcpu, enum ckvm_exit_kind kind,
		   struct ckvm_exit *exit)
{
	uint64_t v = 0;
	enum t_ucall u = t_run_ucall(g, vcpu, exit, &v);

	if (u != T_UCALL_NONE || exit->kind != kind) {
		char want[64];
		snprintf(want, sizeof(want), "exit %s",
			 (unsigned)kind < CKVM_EXIT_KIND_COUNT && kind_names[kind] ? kind_names[kind] : "?");
		unexpected(vcpu, u, exit, v, want);
	}
}
