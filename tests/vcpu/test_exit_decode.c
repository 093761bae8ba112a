/* SPDX-License-Identifier: MIT */
/*
 * test_exit_decode.c - ckvm_exit_decode() over synthetic kvm_run buffers
 * (unit suite, no /dev/kvm): every exit kind, including those this host
 * cannot produce (Hyper-V, Xen, notify, bus lock, AP reset hold, dirty ring
 * full, arm NISV, riscv SBI/CSR, memory fault), and the bounds checks.
 */
#include "t.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifndef EHWPOISON
#define EHWPOISON 133
#endif

#define RUN_SIZE 12288

static union {
	struct kvm_run run;
	uint8_t bytes[RUN_SIZE];
	uint64_t align;
} buf;

static struct kvm_run *fresh(uint32_t reason)
{
	memset(&buf, 0, sizeof(buf));
	buf.run.exit_reason = reason;
	return &buf.run;
}

static struct ckvm_exit decode_ok(struct kvm_run *run, enum ckvm_exit_kind kind)
{
	struct ckvm_exit e;

	t_assert_ok(ckvm_exit_decode(run, RUN_SIZE, 0, &e));
	assert_int_equal(e.kind, kind);
	assert_int_equal(e.reason, run->exit_reason);
	assert_ptr_equal(e.run, run);
	return e;
}

static void test_args(void **state)
{
	struct ckvm_exit e;
	struct kvm_run *run = fresh(KVM_EXIT_HLT);
	(void)state;

	t_assert_err(ckvm_exit_decode(NULL, RUN_SIZE, 0, &e), EINVAL);
	t_assert_err(ckvm_exit_decode(run, RUN_SIZE, 0, NULL), EINVAL);
	t_assert_err(ckvm_exit_decode(run, sizeof(struct kvm_run) - 1, 0, &e), EINVAL);
	t_assert_ok(ckvm_exit_decode(run, sizeof(struct kvm_run), 0, &e));
	assert_int_equal(e.kind, CKVM_EXIT_HLT);
	/* errno values other than EINTR/EFAULT/EHWPOISON decode to nothing */
	t_assert_err(ckvm_exit_decode(run, RUN_SIZE, EINVAL, &e), EINVAL);
	t_assert_err(ckvm_exit_decode(run, RUN_SIZE, ENOMEM, &e), EINVAL);
}

static void test_io(void **state)
{
	struct kvm_run *run = fresh(KVM_EXIT_IO);
	struct ckvm_exit e;
	(void)state;

	run->io.direction = KVM_EXIT_IO_OUT;
	run->io.size = 2;
	run->io.port = 0x3f8;
	run->io.count = 3;
	run->io.data_offset = 4096;
	e = decode_ok(run, CKVM_EXIT_IO_OUT);
	assert_int_equal(e.io.port, 0x3f8);
	assert_int_equal(e.io.size, 2);
	assert_int_equal(e.io.count, 3);
	assert_int_equal(e.io.len, 6);
	assert_int_equal(e.io.direction, KVM_EXIT_IO_OUT);
	assert_ptr_equal(e.io.data, buf.bytes + 4096);

	run->io.direction = KVM_EXIT_IO_IN;
	run->io.size = 4;
	run->io.count = 1;
	e = decode_ok(run, CKVM_EXIT_IO_IN);
	assert_int_equal(e.io.len, 4);

	/* exactly at the end of the mapping: fine */
	run->io.data_offset = RUN_SIZE - 4;
	e = decode_ok(run, CKVM_EXIT_IO_IN);
	assert_ptr_equal(e.io.data, buf.bytes + RUN_SIZE - 4);
	/* one byte past: rejected, nothing points anywhere */
	run->io.data_offset = RUN_SIZE - 3;
	t_assert_err(ckvm_exit_decode(run, RUN_SIZE, 0, &e), EINVAL);
	assert_int_equal(e.kind, CKVM_EXIT_OTHER);
	assert_null(e.io.data);
	assert_int_equal(e.reason, KVM_EXIT_IO);
	/* huge offset, huge count: no overflow */
	run->io.data_offset = UINT64_MAX - 1;
	t_assert_err(ckvm_exit_decode(run, RUN_SIZE, 0, &e), EINVAL);
	run->io.data_offset = 4096;
	run->io.count = UINT32_MAX;
	t_assert_err(ckvm_exit_decode(run, RUN_SIZE, 0, &e), EINVAL);
	/* bad element size and direction */
	run->io.count = 1;
	run->io.size = 3;
	t_assert_err(ckvm_exit_decode(run, RUN_SIZE, 0, &e), EINVAL);
	run->io.size = 8;
	t_assert_err(ckvm_exit_decode(run, RUN_SIZE, 0, &e), EINVAL);
	run->io.size = 1;
	run->io.direction = 2;
	t_assert_err(ckvm_exit_decode(run, RUN_SIZE, 0, &e), EINVAL);
	/* a smaller run_size is honoured */
	run->io.direction = KVM_EXIT_IO_OUT;
	run->io.data_offset = sizeof(struct kvm_run);
	t_assert_err(ckvm_exit_decode(run, sizeof(struct kvm_run), 0, &e), EINVAL);
	t_assert_ok(ckvm_exit_decode(run, sizeof(struct kvm_run) + 1, 0, &e));
}

static void test_mmio(void **state)
{
	struct kvm_run *run = fresh(KVM_EXIT_MMIO);
	struct ckvm_exit e;
	(void)state;

	run->mmio.phys_addr = 0xfebf0000;
	run->mmio.len = 8;
	run->mmio.is_write = 1;
	e = decode_ok(run, CKVM_EXIT_MMIO_WRITE);
	assert_int_equal(e.mmio.gpa, 0xfebf0000);
	assert_int_equal(e.mmio.len, 8);
	assert_true(e.mmio.is_write);
	assert_ptr_equal(e.mmio.data, run->mmio.data);
	run->mmio.is_write = 0;
	run->mmio.len = 1;
	e = decode_ok(run, CKVM_EXIT_MMIO_READ);
	assert_false(e.mmio.is_write);
	run->mmio.len = 9;
	t_assert_err(ckvm_exit_decode(run, RUN_SIZE, 0, &e), EINVAL);
	run->mmio.len = 0;
	t_assert_err(ckvm_exit_decode(run, RUN_SIZE, 0, &e), EINVAL);
	run->mmio.len = UINT32_MAX;
	t_assert_err(ckvm_exit_decode(run, RUN_SIZE, 0, &e), EINVAL);
	assert_null(e.mmio.data);
}

static void test_simple_kinds(void **state)
{
	static const struct { uint32_t reason; enum ckvm_exit_kind kind; } m[] = {
		{ KVM_EXIT_EXCEPTION, CKVM_EXIT_EXCEPTION },
		{ KVM_EXIT_HLT, CKVM_EXIT_HLT },
		{ KVM_EXIT_IRQ_WINDOW_OPEN, CKVM_EXIT_IRQ_WINDOW_OPEN },
		{ KVM_EXIT_SHUTDOWN, CKVM_EXIT_SHUTDOWN },
		{ KVM_EXIT_INTR, CKVM_EXIT_INTR },
		{ KVM_EXIT_SET_TPR, CKVM_EXIT_SET_TPR },
		{ KVM_EXIT_NMI, CKVM_EXIT_NMI },
		{ KVM_EXIT_X86_BUS_LOCK, CKVM_EXIT_X86_BUS_LOCK },
		{ KVM_EXIT_DIRTY_RING_FULL, CKVM_EXIT_DIRTY_RING_FULL },
		{ KVM_EXIT_AP_RESET_HOLD, CKVM_EXIT_AP_RESET_HOLD },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		decode_ok(fresh(m[i].reason), m[i].kind);
}

static void test_unknown_other(void **state)
{
	struct kvm_run *run = fresh(KVM_EXIT_UNKNOWN);
	struct ckvm_exit e;
	(void)state;

	run->hw.hardware_exit_reason = 0x1234;
	e = decode_ok(run, CKVM_EXIT_UNKNOWN);
	assert_int_equal(e.unknown.hardware_exit_reason, 0x1234);

	/* s390/ppc reasons, TDX, LoongArch and future numbers pass through */
	static const uint32_t other[] = { KVM_EXIT_S390_SIEIC, KVM_EXIT_DCR, KVM_EXIT_OSI,
					  KVM_EXIT_PAPR_HCALL, KVM_EXIT_WATCHDOG, KVM_EXIT_EPR,
					  KVM_EXIT_S390_STSI, KVM_EXIT_LOONGARCH_IOCSR,
					  KVM_EXIT_TDX, 41, 1000, UINT32_MAX };
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		e = decode_ok(fresh(other[i]), CKVM_EXIT_OTHER);
		assert_int_equal(e.reason, other[i]);
	}
}

static void test_hypercall(void **state)
{
	struct kvm_run *run = fresh(KVM_EXIT_HYPERCALL);
	struct ckvm_exit e;
	(void)state;

	run->hypercall.nr = 12;
	for (int i = 0; i < 6; i++)
		run->hypercall.args[i] = 100 + i;
	run->hypercall.longmode = 1;
	e = decode_ok(run, CKVM_EXIT_HYPERCALL);
	assert_int_equal(e.hypercall.nr, 12);
	assert_int_equal(e.hypercall.args[5], 105);
	assert_int_equal(e.hypercall.longmode, 1);
	assert_int_equal(e.hypercall.flags, 1);
	*e.hypercall.ret = 77;
	assert_int_equal(run->hypercall.ret, 77);
}

static void test_debug_fail_entry_tpr_eoi(void **state)
{
	struct kvm_run *run = fresh(KVM_EXIT_DEBUG);
	struct ckvm_exit e;
	(void)state;

	e = decode_ok(run, CKVM_EXIT_DEBUG);
	assert_ptr_equal(e.debug.arch, &run->debug.arch);

	run = fresh(KVM_EXIT_FAIL_ENTRY);
	run->fail_entry.hardware_entry_failure_reason = 0x80000021;
	run->fail_entry.cpu = 3;
	e = decode_ok(run, CKVM_EXIT_FAIL_ENTRY);
	assert_int_equal(e.fail_entry.hardware_entry_failure_reason, 0x80000021);
	assert_int_equal(e.fail_entry.cpu, 3);

	run = fresh(KVM_EXIT_TPR_ACCESS);
	run->tpr_access.rip = 0xffff1234;
	run->tpr_access.is_write = 1;
	e = decode_ok(run, CKVM_EXIT_TPR_ACCESS);
	assert_int_equal(e.tpr_access.rip, 0xffff1234);
	assert_int_equal(e.tpr_access.is_write, 1);

	run = fresh(KVM_EXIT_IOAPIC_EOI);
	run->eoi.vector = 0x41;
	e = decode_ok(run, CKVM_EXIT_IOAPIC_EOI);
	assert_int_equal(e.eoi.vector, 0x41);
}

static void test_internal_and_system_event(void **state)
{
	struct kvm_run *run = fresh(KVM_EXIT_INTERNAL_ERROR);
	struct ckvm_exit e;
	(void)state;

	run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run->internal.ndata = 3;
	run->internal.data[2] = 0xabc;
	e = decode_ok(run, CKVM_EXIT_INTERNAL_ERROR);
	assert_int_equal(e.internal.suberror, KVM_INTERNAL_ERROR_EMULATION);
	assert_int_equal(e.internal.ndata, 3);
	assert_int_equal(e.internal.data[2], 0xabc);
	run->internal.ndata = 1000; /* clamped */
	e = decode_ok(run, CKVM_EXIT_INTERNAL_ERROR);
	assert_int_equal(e.internal.ndata, 16);

	run = fresh(KVM_EXIT_SYSTEM_EVENT);
	run->system_event.type = KVM_SYSTEM_EVENT_RESET;
	run->system_event.ndata = 2;
	run->system_event.data[1] = 9;
	e = decode_ok(run, CKVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(e.system_event.type, KVM_SYSTEM_EVENT_RESET);
	assert_int_equal(e.system_event.ndata, 2);
	assert_int_equal(e.system_event.data[1], 9);
	run->system_event.ndata = UINT32_MAX;
	e = decode_ok(run, CKVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(e.system_event.ndata, 16);
}

static void test_msr(void **state)
{
	struct kvm_run *run = fresh(KVM_EXIT_X86_RDMSR);
	struct ckvm_exit e;
	(void)state;

	run->msr.index = 0xc0000103;
	run->msr.reason = KVM_MSR_EXIT_REASON_FILTER;
	e = decode_ok(run, CKVM_EXIT_X86_RDMSR);
	assert_int_equal(e.msr.index, 0xc0000103);
	assert_int_equal(e.msr.reason, KVM_MSR_EXIT_REASON_FILTER);
	*e.msr.data = 0x1122334455667788ull;
	*e.msr.error = 1;
	assert_int_equal(run->msr.data, 0x1122334455667788ull);
	assert_int_equal(run->msr.error, 1);

	run = fresh(KVM_EXIT_X86_WRMSR);
	run->msr.index = 0x10;
	run->msr.reason = KVM_MSR_EXIT_REASON_UNKNOWN;
	run->msr.data = 42;
	e = decode_ok(run, CKVM_EXIT_X86_WRMSR);
	assert_int_equal(*e.msr.data, 42);
	assert_int_equal(e.msr.reason, KVM_MSR_EXIT_REASON_UNKNOWN);
}

static void test_hyperv_xen_notify(void **state)
{
	struct kvm_run *run = fresh(KVM_EXIT_HYPERV);
	struct ckvm_exit e;
	(void)state;

	run->hyperv.type = KVM_EXIT_HYPERV_SYNIC;
	run->hyperv.u.synic.msr = 0x40000080;
	e = decode_ok(run, CKVM_EXIT_HYPERV);
	assert_ptr_equal(e.hyperv, &run->hyperv);
	assert_int_equal(((struct kvm_hyperv_exit *)e.hyperv)->u.synic.msr, 0x40000080);

	run = fresh(KVM_EXIT_XEN);
	run->xen.type = KVM_EXIT_XEN_HCALL;
	run->xen.u.hcall.input = 24;
	e = decode_ok(run, CKVM_EXIT_XEN);
	assert_ptr_equal(e.xen, &run->xen);
	assert_int_equal(((struct kvm_xen_exit *)e.xen)->u.hcall.input, 24);

	run = fresh(KVM_EXIT_NOTIFY);
	run->notify.flags = KVM_NOTIFY_CONTEXT_INVALID;
	e = decode_ok(run, CKVM_EXIT_NOTIFY);
	assert_int_equal(e.notify.flags, KVM_NOTIFY_CONTEXT_INVALID);
}

static void test_arm_riscv(void **state)
{
	struct kvm_run *run = fresh(KVM_EXIT_ARM_NISV);
	struct ckvm_exit e;
	(void)state;

	run->arm_nisv.esr_iss = 0x93;
	run->arm_nisv.fault_ipa = 0x9000000;
	e = decode_ok(run, CKVM_EXIT_ARM_NISV);
	assert_int_equal(e.arm_nisv.esr_iss, 0x93);
	assert_int_equal(e.arm_nisv.fault_ipa, 0x9000000);

	run = fresh(KVM_EXIT_RISCV_SBI);
	run->riscv_sbi.extension_id = 0x54494D45;
	run->riscv_sbi.function_id = 0;
	run->riscv_sbi.args[0] = 1234;
	e = decode_ok(run, CKVM_EXIT_RISCV_SBI);
	assert_int_equal(e.riscv_sbi.extension_id, 0x54494D45);
	assert_int_equal(e.riscv_sbi.args[0], 1234);
	e.riscv_sbi.ret[0] = 0;
	e.riscv_sbi.ret[1] = 55;
	assert_int_equal(run->riscv_sbi.ret[1], 55);

	run = fresh(KVM_EXIT_RISCV_CSR);
	run->riscv_csr.csr_num = 0x15;
	run->riscv_csr.new_value = 7;
	run->riscv_csr.write_mask = 0xff;
	e = decode_ok(run, CKVM_EXIT_RISCV_CSR);
	assert_int_equal(e.riscv_csr.csr_num, 0x15);
	assert_int_equal(e.riscv_csr.new_value, 7);
	assert_int_equal(e.riscv_csr.write_mask, 0xff);
	*e.riscv_csr.ret_value = 99;
	assert_int_equal(run->riscv_csr.ret_value, 99);
}

static void test_errno_paths(void **state)
{
	struct kvm_run *run = fresh(KVM_EXIT_MEMORY_FAULT);
	struct ckvm_memory_fault_info mf = { .flags = KVM_MEMORY_EXIT_FLAG_PRIVATE,
					     .gpa = 0x40000000, .size = 4096 };
	struct ckvm_exit e;
	(void)state;

	memcpy(&run->hw, &mf, sizeof(mf));
	t_assert_ok(ckvm_exit_decode(run, RUN_SIZE, EFAULT, &e));
	assert_int_equal(e.kind, CKVM_EXIT_MEMORY_FAULT);
	assert_int_equal(e.memory_fault.flags, KVM_MEMORY_EXIT_FLAG_PRIVATE);
	assert_int_equal(e.memory_fault.gpa, 0x40000000);
	assert_int_equal(e.memory_fault.size, 4096);
	assert_int_equal(e.memory_fault.error, -EFAULT);
	t_assert_ok(ckvm_exit_decode(run, RUN_SIZE, EHWPOISON, &e));
	assert_int_equal(e.memory_fault.error, -EHWPOISON);
	/* seen without the errno: still decoded, error 0 */
	e = decode_ok(run, CKVM_EXIT_MEMORY_FAULT);
	assert_int_equal(e.memory_fault.gpa, 0x40000000);
	assert_int_equal(e.memory_fault.error, 0);

	/* EFAULT without a memory-fault exit reason: nothing to decode */
	run = fresh(KVM_EXIT_IO);
	t_assert_err(ckvm_exit_decode(run, RUN_SIZE, EFAULT, &e), EINVAL);

	/* EINTR: interrupted, whatever the reason field holds */
	run = fresh(KVM_EXIT_INTR);
	t_assert_ok(ckvm_exit_decode(run, RUN_SIZE, EINTR, &e));
	assert_int_equal(e.kind, CKVM_EXIT_INTERRUPTED);
	assert_int_equal(e.reason, KVM_EXIT_INTR);
}

/* Random buffers: decode never fails in a way that leaves a pointer outside the buffer. */
static void test_random_buffers(void **state)
{
	struct ckvm_exit e;
	unsigned seed = 12345;
	(void)state;

	for (int iter = 0; iter < 20000; iter++) {
		size_t size = sizeof(struct kvm_run) + (size_t)(rand_r(&seed) % 8192);

		for (size_t i = 0; i < 512; i++)
			buf.bytes[i] = (uint8_t)rand_r(&seed);
		buf.run.exit_reason = (uint32_t)(rand_r(&seed) % 45);
		if (ckvm_exit_decode(&buf.run, size, 0, &e) < 0) {
			assert_int_equal(e.kind, CKVM_EXIT_OTHER);
			continue;
		}
		if (e.kind == CKVM_EXIT_IO_IN || e.kind == CKVM_EXIT_IO_OUT) {
			assert_true(e.io.data >= buf.bytes);
			assert_true(e.io.data + e.io.len <= buf.bytes + size);
		}
		if (e.kind == CKVM_EXIT_MMIO_READ || e.kind == CKVM_EXIT_MMIO_WRITE)
			assert_in_range(e.mmio.len, 1, 8);
		if (e.kind == CKVM_EXIT_INTERNAL_ERROR)
			assert_in_range(e.internal.ndata, 0, 16);
		if (e.kind == CKVM_EXIT_SYSTEM_EVENT)
			assert_in_range(e.system_event.ndata, 0, 16);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_io),
		cmocka_unit_test(test_mmio),
		cmocka_unit_test(test_simple_kinds),
		cmocka_unit_test(test_unknown_other),
		cmocka_unit_test(test_hypercall),
		cmocka_unit_test(test_debug_fail_entry_tpr_eoi),
		cmocka_unit_test(test_internal_and_system_event),
		cmocka_unit_test(test_msr),
		cmocka_unit_test(test_hyperv_xen_notify),
		cmocka_unit_test(test_arm_riscv),
		cmocka_unit_test(test_errno_paths),
		cmocka_unit_test(test_random_buffers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
