/* SPDX-License-Identifier: MIT */
/*
 * guest.h - the tiny-guest harness for tests that run real guest code.
 *
 * A test creates a VM with guest RAM at GPA 0, copies guest code (written in
 * assembly, see below) to T_CODE_GPA, adds vCPUs set up for real mode, 32-bit
 * protected mode or 64-bit long mode at an entry point, and runs them,
 * talking to the guest through port-I/O or MMIO "ucalls".
 *
 * ---- writing a guest --------------------------------------------------------
 * Guests are GNU assembly .S files compiled into the test binary. Include
 * "guest_asm.h" (tests/lib/x86_64/), and wrap each guest with
 *     GUEST_BEGIN(name)  ...code...  GUEST_END(name)
 * which places it in .data between name_start and name_end. The host copies
 * those bytes to T_CODE_GPA with t_guest_load(). Relative jumps and calls
 * work as written; an absolute address (far jump target, data address in
 * real/protected mode, lgdt operand) is G(label) = label - start + T_CODE_GPA,
 * relative to a label GUEST_BEGIN places at the start. No objcopy step,
 * so this works for cross builds too.
 *
 * ---- machine layout (GPA) --------------------------------------------------
 *   0x1000 GDT (selectors below)   0x2000 IDT (empty, see t_guest_set_idt_gate)
 *   0x3000 TSS (rsp0 = T_STACK_TOP)
 *   0x4000 PML4  0x5000 PDPT  0x10000..0x13fff four PDs: identity map of
 *          the first 4 GiB (T_IDMAP_BYTES) with 2 MiB pages, all
 *          user-accessible (U/S=1) and writable; GPAs beyond RAM are MMIO
 *   0x7000..0x7fff kernel stack (RSP = T_STACK_TOP at start)
 *   0x8000 guest code (T_CODE_GPA), up to T_CODE_MAX (32 KiB)
 *   0x14000..0x1efff user stack (top T_USER_STACK, by convention)
 *   0x20000.. (T_DATA_GPA) free for guest data
 *
 * Selectors: 0x08 code32 (DPL0), 0x10 data (DPL0), 0x18 code64 (DPL0),
 *   0x23 user code64 (DPL3), 0x2b user data (DPL3), 0x30 TSS (64-bit).
 *
 * Guest CPL0 and real-mode code is emulated ~1000x slower than native on
 * this machine's PVM host: keep CPL0 parts to hundreds of instructions and
 * do heavy loops in CPL3 (GUEST_TO_USER in guest_asm.h drops to CPL3; user
 * code reports with the MMIO ucalls).
 *
 * ---- ucall convention (port I/O, any size 1/2/4; value zero-extended) ------
 *   out to T_PORT_REPORT (0x1000): report a value to the host
 *   out to T_PORT_DONE   (0x1001): guest finished successfully
 *   out to T_PORT_FAIL   (0x1002): guest-side check failed (value = code)
 *   in  from T_PORT_INPUT(0x1003): host supplies a value (t_run_ucall fills
 *                                  it from g->input)
 * The same four as MMIO at T_UCALL_MMIO + 0x00/0x08/0x10/0x18 (UCALL_M_* in
 * guest_asm.h), which is what CPL3 code must use: PVM runs guest user mode
 * with IOPL 0 whatever RFLAGS says, so port I/O from CPL3 raises #GP.
 *
 * All t_* functions fail the current cmocka test (fail_msg) on errors, so
 * callers need not check their results.
 */
#ifndef CKVM_TEST_GUEST_H
#define CKVM_TEST_GUEST_H

#include "x86_64/guest_layout.h"
#include "t.h"

#define T_GUEST_MAX_VCPUS 8

enum t_mode {
	T_MODE_REAL,   /* 16-bit real mode, CS=DS=SS=0, SP=T_STACK_TOP */
	T_MODE_PROT32, /* 32-bit flat protected mode, no paging */
	T_MODE_LONG64, /* 64-bit long mode, CPL0, identity paging */
	T_MODE_USER64, /* 64-bit long mode started directly at CPL3, RSP=T_USER_STACK */
};

struct t_guest {
	struct ckvm *kvm;
	struct ckvm_vm *vm;
	uint8_t *mem;        /* host mapping of guest RAM [0, mem_size) */
	size_t mem_size;
	struct kvm_cpuid2 *cpuid; /* supported CPUID, set on every vCPU */
	struct ckvm_vcpu *vcpu[T_GUEST_MAX_VCPUS];
	unsigned nr_vcpus;
	uint64_t input;      /* value for IN from T_PORT_INPUT / reads of T_UCALL_MMIO_INPUT */
};

/*
 * Open /dev/kvm (skip if absent), create a VM, read the supported CPUID,
 * and add mem_size bytes of anonymous RAM (at least T_MIN_MEM, rounded up
 * to 4 KiB) at GPA 0 in slot 0 with slot_flags (e.g.
 * KVM_MEM_LOG_DIRTY_PAGES), with the system structures above written.
 * To do something between VM creation and memory/vCPUs (enable the dirty
 * ring, split irqchip, ...), call t_guest_create_vm(), then your setup,
 * then t_guest_add_memory().
 */
void t_guest_create(struct t_guest *g, size_t mem_size, uint32_t slot_flags);
/* Two-step variant: VM only (no memory yet), then the memory. */
void t_guest_create_vm(struct t_guest *g);
void t_guest_add_memory(struct t_guest *g, size_t mem_size, uint32_t slot_flags);

/* Copy [start, end) to GPA gpa (bounds-checked against guest RAM). */
void t_guest_load(struct t_guest *g, uint64_t gpa, const void *start, const void *end);
/* Shortcut for the GUEST_BEGIN/END symbol pair: t_guest_load_code(g, name). */
#define t_guest_load_code(g, name) do { \
	extern const unsigned char name##_start[], name##_end[]; \
	t_guest_load((g), T_CODE_GPA, name##_start, name##_end); \
} while (0)

/* Host pointer to guest RAM at gpa (len bytes must be inside RAM). */
void *t_gpa(struct t_guest *g, uint64_t gpa, size_t len);

/*
 * Create the next vCPU (id = g->nr_vcpus) with CPUID set, in `mode`, with
 * RIP = entry, RSP = T_STACK_TOP (T_USER_STACK for T_MODE_USER64), RFLAGS
 * bit 1 plus IOPL=3 in the 64-bit modes. Returns it (also in g->vcpu[]).
 */
struct ckvm_vcpu *t_guest_add_vcpu(struct t_guest *g, enum t_mode mode, uint64_t entry);
/* Put an existing vCPU into `mode` at entry (regs + sregs). */
void t_vcpu_setup(struct t_guest *g, struct ckvm_vcpu *vcpu, enum t_mode mode, uint64_t entry);

/*
 * Interrupt handlers. The IDT at T_IDT_GPA starts empty (limit 0xfff in long
 * mode, 0x7ff in protected mode), so an unhandled exception triple-faults
 * (CKVM_EXIT_SHUTDOWN). These install a 64-bit interrupt gate (code64
 * selector, gate DPL dpl), a 32-bit interrupt gate, or a real-mode IVT entry.
 */
void t_guest_set_idt_gate(struct t_guest *g, uint8_t vector, uint64_t handler, uint8_t dpl);
void t_guest_set_idt_gate32(struct t_guest *g, uint8_t vector, uint32_t handler);
void t_guest_set_ivt(struct t_guest *g, uint8_t vector, uint16_t seg, uint16_t off);
/* The GPA of symbol sym of the guest `name` loaded at T_CODE_GPA. */
#define T_GUEST_ADDR(name, sym) ({ \
	extern const unsigned char name##_start[], sym[]; \
	(uint64_t)(T_CODE_GPA + (uint64_t)(sym - name##_start)); })

/*
 * true when /dev/kvm is PVM (module kvm_pvm loaded). Tests use it only to
 * state, explicitly, where PVM deviates from what api.rst documents.
 */
bool t_host_is_pvm(void);

/* Close vCPUs, VM, memory and /dev/kvm. Safe on a zeroed struct. */
void t_guest_destroy(struct t_guest *g);

/* ---- running --------------------------------------------------------------- */
enum t_ucall {
	T_UCALL_REPORT = 1,
	T_UCALL_DONE,
	T_UCALL_FAIL,
	T_UCALL_NONE,  /* any other exit: see *exit */
};

/*
 * KVM_RUN (asserting it returns 0) and decode. ucall ports are handled:
 * REPORT/DONE/FAIL return their kind with *value; INPUT is answered with
 * g->input and the guest is resumed. Any other exit returns T_UCALL_NONE
 * with *exit filled. exit and value may be NULL.
 */
enum t_ucall t_run_ucall(struct t_guest *g, struct ckvm_vcpu *vcpu, struct ckvm_exit *exit,
			 uint64_t *value);
/* Run and require a REPORT; return its value. A FAIL or other exit fails the test. */
uint64_t t_expect_report(struct t_guest *g, struct ckvm_vcpu *vcpu);
/* Run and require DONE. */
void t_expect_done(struct t_guest *g, struct ckvm_vcpu *vcpu);
/* Run and require a non-ucall exit of `kind`; returns the decoded exit in *exit. */
void t_expect_exit(struct t_guest *g, struct ckvm_vcpu *vcpu, enum ckvm_exit_kind kind,
		   struct ckvm_exit *exit);
/* Human-readable exit description for failure messages (static buffer). */
const char *t_exit_str(const struct ckvm_exit *exit);

#endif
