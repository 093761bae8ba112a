/* SPDX-License-Identifier: MIT */
/*
 * ckvm/exit.h - struct ckvm_exit, a decoded KVM_RUN exit.
 *
 * Decoding copies nothing big: data pointers point into the vCPU's mapped
 * struct kvm_run, valid until the next ckvm_vcpu_run() on that vCPU. For an
 * I/O IN or an MMIO read the VMM writes the value through the data pointer
 * before running again; for MSR and hypercall exits it writes the reply
 * fields (error/data, ret) the same way.
 */
#ifndef CKVM_EXIT_H
#define CKVM_EXIT_H

#include <ckvm/common.h>

CKVM_BEGIN_DECLS

enum ckvm_exit_kind {
	CKVM_EXIT_OTHER = 0,      /* a reason ckvm does not decode: see .reason and the raw kvm_run */
	CKVM_EXIT_INTERRUPTED,    /* KVM_RUN returned -EINTR: .interrupted tells a kick from a signal */
	CKVM_EXIT_UNKNOWN,        /* KVM_EXIT_UNKNOWN: .unknown.hardware_exit_reason */
	CKVM_EXIT_EXCEPTION,      /* KVM_EXIT_EXCEPTION */
	CKVM_EXIT_IO_IN,          /* .io: the VMM fills io.data (size * count bytes) */
	CKVM_EXIT_IO_OUT,         /* .io: the guest's data */
	CKVM_EXIT_MMIO_READ,      /* .mmio: the VMM fills mmio.data (len bytes) */
	CKVM_EXIT_MMIO_WRITE,     /* .mmio: the guest's data */
	CKVM_EXIT_HYPERCALL,      /* .hypercall: the VMM writes *ret */
	CKVM_EXIT_DEBUG,          /* .debug: arch debug info */
	CKVM_EXIT_HLT,
	CKVM_EXIT_IRQ_WINDOW_OPEN,
	CKVM_EXIT_SHUTDOWN,       /* x86 triple fault */
	CKVM_EXIT_FAIL_ENTRY,     /* .fail_entry */
	CKVM_EXIT_INTR,           /* KVM_EXIT_INTR */
	CKVM_EXIT_SET_TPR,
	CKVM_EXIT_TPR_ACCESS,     /* .tpr_access */
	CKVM_EXIT_NMI,
	CKVM_EXIT_INTERNAL_ERROR, /* .internal: suberror and data */
	CKVM_EXIT_SYSTEM_EVENT,   /* .system_event */
	CKVM_EXIT_IOAPIC_EOI,     /* .eoi.vector (split irqchip) */
	CKVM_EXIT_HYPERV,         /* .hyperv points at kvm_run's hyperv exit */
	CKVM_EXIT_X86_RDMSR,      /* .msr: the VMM writes *data or *error = 1 */
	CKVM_EXIT_X86_WRMSR,      /* .msr: the VMM may write *error = 1 */
	CKVM_EXIT_XEN,            /* .xen points at kvm_run's xen exit */
	CKVM_EXIT_NOTIFY,         /* .notify.flags */
	CKVM_EXIT_X86_BUS_LOCK,
	CKVM_EXIT_DIRTY_RING_FULL,
	CKVM_EXIT_AP_RESET_HOLD,
	CKVM_EXIT_MEMORY_FAULT,   /* .memory_fault (KVM_RUN failed with EFAULT/EHWPOISON) */
	CKVM_EXIT_ARM_NISV,       /* .arm_nisv */
	CKVM_EXIT_RISCV_SBI,      /* .riscv_sbi: the VMM writes ret[0..1] */
	CKVM_EXIT_RISCV_CSR,      /* .riscv_csr: the VMM writes *ret_value */
	CKVM_EXIT_KIND_COUNT
};

struct ckvm_exit {
	enum ckvm_exit_kind kind;
	uint32_t reason;          /* raw kvm_run.exit_reason (undefined for INTERRUPTED) */
	struct kvm_run *run;      /* the raw run structure this exit points into */
	union {
		struct {
			/*
			 * true: immediate_exit was set (ckvm_vcpu_kick() or
			 * ckvm_vcpu_set_immediate_exit()); false: only a signal
			 * interrupted KVM_RUN. ckvm_vcpu_run() has cleared it.
			 */
			bool immediate_exit;
		} interrupted;
		struct {
			uint16_t port;
			uint8_t size;     /* bytes per element: 1, 2 or 4 */
			uint8_t direction;/* KVM_EXIT_IO_IN / KVM_EXIT_IO_OUT */
			uint32_t count;   /* elements (> 1 for string I/O) */
			uint8_t *data;    /* size * count bytes inside kvm_run */
			size_t len;       /* size * count */
		} io;
		struct {
			uint64_t gpa;
			uint32_t len;     /* 1..8 */
			bool is_write;
			uint8_t *data;
		} mmio;
		struct {
			uint64_t nr;
			uint64_t *args;   /* 6 arguments */
			uint64_t *ret;
			uint32_t longmode;
			uint32_t flags;
		} hypercall;
		struct {
			void *arch;       /* struct kvm_debug_exit_arch * */
		} debug;
		struct {
			uint64_t hardware_exit_reason;
		} unknown;
		struct {
			uint64_t hardware_entry_failure_reason;
			uint32_t cpu;
		} fail_entry;
		struct {
			uint32_t suberror;
			uint32_t ndata;   /* clamped to the array size */
			uint64_t *data;
		} internal;
		struct {
			uint32_t type;    /* KVM_SYSTEM_EVENT_* */
			uint32_t ndata;   /* clamped to 16 */
			uint64_t *data;
		} system_event;
		struct {
			uint64_t rip;
			uint32_t is_write;
		} tpr_access;
		struct {
			uint8_t vector;
		} eoi;
		struct {
			uint32_t index;
			uint32_t reason;  /* KVM_MSR_EXIT_REASON_* */
			uint8_t *error;   /* write 1 to inject #GP */
			uint64_t *data;   /* RDMSR: write the value; WRMSR: the guest's value */
		} msr;
		struct {
			uint32_t flags;
		} notify;
		struct {
			uint64_t flags;   /* KVM_MEMORY_EXIT_FLAG_* */
			uint64_t gpa;
			uint64_t size;
			int error;        /* -EFAULT or -EHWPOISON */
		} memory_fault;
		struct {
			uint64_t esr_iss;
			uint64_t fault_ipa;
		} arm_nisv;
		struct {
			unsigned long extension_id;
			unsigned long function_id;
			unsigned long *args;  /* 6 */
			unsigned long *ret;   /* 2: the VMM writes error and value */
		} riscv_sbi;
		struct {
			unsigned long csr_num;
			unsigned long new_value;
			unsigned long write_mask;
			unsigned long *ret_value;
		} riscv_csr;
		void *hyperv;     /* struct kvm_hyperv_exit * */
		void *xen;        /* struct kvm_xen_exit * */
	};
};

/*
 * Decode run into exit. run_errno is 0 when KVM_RUN succeeded, or the
 * positive errno it failed with (only EINTR, EFAULT and EHWPOISON decode to
 * something; anything else gives -EINVAL). A pure function over the bytes
 * of run: it never touches the vCPU and is safe on any buffer of
 * run_size >= sizeof(struct kvm_run) bytes. Unknown reasons decode to
 * CKVM_EXIT_OTHER with .reason kept. Returns 0 or -EINVAL (a malformed
 * exit: kind CKVM_EXIT_OTHER, .reason and .run kept, no data pointers).
 * For EINTR, .interrupted.immediate_exit is read from run->immediate_exit.
 *
 * Thread rules: pure; any thread, as long as nobody runs the vCPU whose
 * run page is being decoded.
 */
CKVM_API int ckvm_exit_decode(struct kvm_run *run, size_t run_size, int run_errno,
			      struct ckvm_exit *exit);

CKVM_END_DECLS

#endif
