/* SPDX-License-Identifier: MIT */
/*
 * exit.c - ckvm_exit_decode(): turn the bytes of a struct kvm_run into a
 * struct ckvm_exit.
 *
 * This is a pure function over an untrusted buffer (it is fuzzed): every
 * length or offset read from the buffer is checked against run_size before
 * a pointer is formed, and counts are clamped to their arrays.
 */
#include "internal.h"

#include <string.h>

#ifndef EHWPOISON
#define EHWPOISON 133
#endif

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static int decode_io(struct kvm_run *run, size_t run_size, struct ckvm_exit *exit)
{
	uint64_t off = run->io.data_offset;
	uint64_t len;
	uint8_t size = run->io.size;

	if (size != 1 && size != 2 && size != 4)
		return -EINVAL;
	if (run->io.direction != KVM_EXIT_IO_IN && run->io.direction != KVM_EXIT_IO_OUT)
		return -EINVAL;
	/* size <= 4 and count < 2^32: no overflow in 64 bits. */
	len = (uint64_t)size * run->io.count;
	if (off > run_size || len > run_size - off)
		return -EINVAL;
	exit->kind = run->io.direction == KVM_EXIT_IO_IN ? CKVM_EXIT_IO_IN : CKVM_EXIT_IO_OUT;
	exit->io.port = run->io.port;
	exit->io.size = size;
	exit->io.direction = run->io.direction;
	exit->io.count = run->io.count;
	exit->io.data = (uint8_t *)run + off;
	exit->io.len = (size_t)len;
	return 0;
}

static int decode_mmio(struct kvm_run *run, struct ckvm_exit *exit)
{
	uint32_t len = run->mmio.len;

	if (len == 0 || len > sizeof(run->mmio.data))
		return -EINVAL;
	exit->kind = run->mmio.is_write ? CKVM_EXIT_MMIO_WRITE : CKVM_EXIT_MMIO_READ;
	exit->mmio.gpa = run->mmio.phys_addr;
	exit->mmio.len = len;
	exit->mmio.is_write = run->mmio.is_write != 0;
	exit->mmio.data = run->mmio.data;
	return 0;
}

int ckvm_exit_decode(struct kvm_run *run, size_t run_size, int run_errno,
		     struct ckvm_exit *exit)
{
	int r = 0;

	if (!run || !exit || run_size < sizeof(struct kvm_run))
		return -EINVAL;
	memset(exit, 0, sizeof(*exit));
	exit->run = run;
	exit->reason = run->exit_reason;
	exit->kind = CKVM_EXIT_OTHER;

	if (run_errno == EINTR) {
		exit->kind = CKVM_EXIT_INTERRUPTED;
		exit->interrupted.immediate_exit =
			__atomic_load_n(&run->immediate_exit, __ATOMIC_RELAXED) != 0;
		return 0;
	}
	if (run_errno == EFAULT || run_errno == EHWPOISON) {
		const struct ckvm_memory_fault_info *mf;

		if (run->exit_reason != KVM_EXIT_MEMORY_FAULT)
			return -EINVAL;
		/* memory_fault sits at the start of the exit union. */
		mf = (const struct ckvm_memory_fault_info *)(const void *)&run->hw;
		exit->kind = CKVM_EXIT_MEMORY_FAULT;
		exit->memory_fault.flags = mf->flags;
		exit->memory_fault.gpa = mf->gpa;
		exit->memory_fault.size = mf->size;
		exit->memory_fault.error = -run_errno;
		return 0;
	}
	if (run_errno != 0)
		return -EINVAL;

	switch (run->exit_reason) {
	case KVM_EXIT_UNKNOWN:
		exit->kind = CKVM_EXIT_UNKNOWN;
		exit->unknown.hardware_exit_reason = run->hw.hardware_exit_reason;
		break;
	case KVM_EXIT_EXCEPTION:
		exit->kind = CKVM_EXIT_EXCEPTION;
		break;
	case KVM_EXIT_IO:
		r = decode_io(run, run_size, exit);
		break;
	case KVM_EXIT_HYPERCALL:
		exit->kind = CKVM_EXIT_HYPERCALL;
		exit->hypercall.nr = run->hypercall.nr;
		exit->hypercall.args = (uint64_t *)(void *)run->hypercall.args;
		exit->hypercall.ret = (uint64_t *)(void *)&run->hypercall.ret;
		exit->hypercall.longmode = run->hypercall.longmode;
		/*
		 * Newer kernels overlay a 64-bit `flags` on longmode+pad
		 * (KVM_EXIT_HYPERCALL_LONG_MODE is bit 0); its low word is longmode.
		 */
		exit->hypercall.flags = run->hypercall.longmode;
		break;
	case KVM_EXIT_DEBUG:
		exit->kind = CKVM_EXIT_DEBUG;
		exit->debug.arch = &run->debug.arch;
		break;
	case KVM_EXIT_HLT:
		exit->kind = CKVM_EXIT_HLT;
		break;
	case KVM_EXIT_MMIO:
		r = decode_mmio(run, exit);
		break;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		exit->kind = CKVM_EXIT_IRQ_WINDOW_OPEN;
		break;
	case KVM_EXIT_SHUTDOWN:
		exit->kind = CKVM_EXIT_SHUTDOWN;
		break;
	case KVM_EXIT_FAIL_ENTRY:
		exit->kind = CKVM_EXIT_FAIL_ENTRY;
		exit->fail_entry.hardware_entry_failure_reason =
			run->fail_entry.hardware_entry_failure_reason;
		exit->fail_entry.cpu = run->fail_entry.cpu;
		break;
	case KVM_EXIT_INTR:
		exit->kind = CKVM_EXIT_INTR;
		break;
	case KVM_EXIT_SET_TPR:
		exit->kind = CKVM_EXIT_SET_TPR;
		break;
	case KVM_EXIT_TPR_ACCESS:
		exit->kind = CKVM_EXIT_TPR_ACCESS;
		exit->tpr_access.rip = run->tpr_access.rip;
		exit->tpr_access.is_write = run->tpr_access.is_write;
		break;
	case KVM_EXIT_NMI:
		exit->kind = CKVM_EXIT_NMI;
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		exit->kind = CKVM_EXIT_INTERNAL_ERROR;
		exit->internal.suberror = run->internal.suberror;
		exit->internal.ndata = run->internal.ndata;
		if (exit->internal.ndata > ARRAY_LEN(run->internal.data))
			exit->internal.ndata = ARRAY_LEN(run->internal.data);
		exit->internal.data = (uint64_t *)(void *)run->internal.data;
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		exit->kind = CKVM_EXIT_SYSTEM_EVENT;
		exit->system_event.type = run->system_event.type;
		exit->system_event.ndata = run->system_event.ndata;
		if (exit->system_event.ndata > ARRAY_LEN(run->system_event.data))
			exit->system_event.ndata = ARRAY_LEN(run->system_event.data);
		exit->system_event.data = (uint64_t *)(void *)run->system_event.data;
		break;
	case KVM_EXIT_IOAPIC_EOI:
		exit->kind = CKVM_EXIT_IOAPIC_EOI;
		exit->eoi.vector = run->eoi.vector;
		break;
	case KVM_EXIT_HYPERV:
		exit->kind = CKVM_EXIT_HYPERV;
		exit->hyperv = &run->hyperv;
		break;
	case KVM_EXIT_ARM_NISV:
		exit->kind = CKVM_EXIT_ARM_NISV;
		exit->arm_nisv.esr_iss = run->arm_nisv.esr_iss;
		exit->arm_nisv.fault_ipa = run->arm_nisv.fault_ipa;
		break;
	case KVM_EXIT_X86_RDMSR:
	case KVM_EXIT_X86_WRMSR:
		exit->kind = run->exit_reason == KVM_EXIT_X86_RDMSR ? CKVM_EXIT_X86_RDMSR
								     : CKVM_EXIT_X86_WRMSR;
		exit->msr.index = run->msr.index;
		exit->msr.reason = run->msr.reason;
		exit->msr.error = &run->msr.error;
		exit->msr.data = (uint64_t *)(void *)&run->msr.data;
		break;
	case KVM_EXIT_DIRTY_RING_FULL:
		exit->kind = CKVM_EXIT_DIRTY_RING_FULL;
		break;
	case KVM_EXIT_AP_RESET_HOLD:
		exit->kind = CKVM_EXIT_AP_RESET_HOLD;
		break;
	case KVM_EXIT_X86_BUS_LOCK:
		exit->kind = CKVM_EXIT_X86_BUS_LOCK;
		break;
	case KVM_EXIT_XEN:
		exit->kind = CKVM_EXIT_XEN;
		exit->xen = &run->xen;
		break;
	case KVM_EXIT_RISCV_SBI:
		exit->kind = CKVM_EXIT_RISCV_SBI;
		exit->riscv_sbi.extension_id = run->riscv_sbi.extension_id;
		exit->riscv_sbi.function_id = run->riscv_sbi.function_id;
		exit->riscv_sbi.args = run->riscv_sbi.args;
		exit->riscv_sbi.ret = run->riscv_sbi.ret;
		break;
	case KVM_EXIT_RISCV_CSR:
		exit->kind = CKVM_EXIT_RISCV_CSR;
		exit->riscv_csr.csr_num = run->riscv_csr.csr_num;
		exit->riscv_csr.new_value = run->riscv_csr.new_value;
		exit->riscv_csr.write_mask = run->riscv_csr.write_mask;
		exit->riscv_csr.ret_value = &run->riscv_csr.ret_value;
		break;
	case KVM_EXIT_NOTIFY:
		exit->kind = CKVM_EXIT_NOTIFY;
		exit->notify.flags = run->notify.flags;
		break;
	case KVM_EXIT_MEMORY_FAULT: {
		/* Normally reported through -EFAULT; decode it when seen here too. */
		const struct ckvm_memory_fault_info *mf =
			(const struct ckvm_memory_fault_info *)(const void *)&run->hw;
		exit->kind = CKVM_EXIT_MEMORY_FAULT;
		exit->memory_fault.flags = mf->flags;
		exit->memory_fault.gpa = mf->gpa;
		exit->memory_fault.size = mf->size;
		exit->memory_fault.error = 0;
		break;
	}
	default:
		exit->kind = CKVM_EXIT_OTHER;
		break;
	}
	if (r < 0) {
		/* Malformed: keep reason and run, point at nothing. */
		memset(exit, 0, sizeof(*exit));
		exit->run = run;
		exit->reason = run->exit_reason;
		exit->kind = CKVM_EXIT_OTHER;
	}
	return r;
}
