/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_exits.c (unit) - the arm64 exits over synthetic kvm_run
 * buffers: PSCI system events (SYSTEM_OFF, SYSTEM_OFF2, SYSTEM_RESET2,
 * SYSTEM_SUSPEND, CPU crash), NISV data aborts, SMCCC calls forwarded as
 * KVM_EXIT_HYPERCALL, debug exits (exception class, FAR), MMIO and
 * FAIL_ENTRY, plus the user-IRQ sync register. No /dev/kvm needed.
 */
#include "onereg_test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void test_psci_system_off(void **state)
{
	struct kvm_run *run = t_run_fresh(KVM_EXIT_SYSTEM_EVENT);
	struct ckvm_exit e;

	(void)state;
	e = t_system_event(run, KVM_SYSTEM_EVENT_SHUTDOWN, 1, 0);
	assert_false(ckvm_arm64_exit_is_psci_off2(&e));
	assert_false(ckvm_arm64_exit_is_psci_reset2(&e));
	/* SYSTEM_OFF2 (hibernate) sets the flag in data[0] */
	run->system_event.data[0] = KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2;
	e = t_exit_decode(run, CKVM_EXIT_SYSTEM_EVENT);
	assert_true(ckvm_arm64_exit_is_psci_off2(&e));
	/* no data, no flag */
	run->system_event.ndata = 0;
	e = t_exit_decode(run, CKVM_EXIT_SYSTEM_EVENT);
	assert_false(ckvm_arm64_exit_is_psci_off2(&e));
}

static void test_psci_reset(void **state)
{
	struct kvm_run *run = t_run_fresh(KVM_EXIT_SYSTEM_EVENT);
	struct ckvm_exit e;

	(void)state;
	e = t_system_event(run, KVM_SYSTEM_EVENT_RESET, 1, 0);
	assert_false(ckvm_arm64_exit_is_psci_reset2(&e));
	run->system_event.data[0] = KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2;
	e = t_exit_decode(run, CKVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(e.system_event.type, KVM_SYSTEM_EVENT_RESET);
	assert_true(ckvm_arm64_exit_is_psci_reset2(&e));
	/* the same flag bit on a SHUTDOWN is not a RESET2 */
	run->system_event.type = KVM_SYSTEM_EVENT_SHUTDOWN;
	e = t_exit_decode(run, CKVM_EXIT_SYSTEM_EVENT);
	assert_false(ckvm_arm64_exit_is_psci_reset2(&e));
}

static void test_psci_suspend_wakeup_crash(void **state)
{
	static const uint32_t types[] = {
		KVM_SYSTEM_EVENT_SUSPEND, KVM_SYSTEM_EVENT_WAKEUP, KVM_SYSTEM_EVENT_CRASH,
	};
	struct kvm_run *run;
	struct ckvm_exit e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		run = t_run_fresh(KVM_EXIT_SYSTEM_EVENT);
		run->system_event.type = types[i];
		run->system_event.ndata = 0;
		e = t_exit_decode(run, CKVM_EXIT_SYSTEM_EVENT);
		assert_int_equal(e.system_event.type, types[i]);
		assert_int_equal(e.system_event.ndata, 0);
		assert_false(ckvm_arm64_exit_is_psci_reset2(&e));
		assert_false(ckvm_arm64_exit_is_psci_off2(&e));
	}
	/* a hostile ndata is clamped to the 16 data words */
	run = t_run_fresh(KVM_EXIT_SYSTEM_EVENT);
	run->system_event.type = KVM_SYSTEM_EVENT_SUSPEND;
	run->system_event.ndata = 1000;
	e = t_exit_decode(run, CKVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(e.system_event.ndata, 16);
}

static void test_nisv(void **state)
{
	struct kvm_run *run = t_run_fresh(KVM_EXIT_ARM_NISV);
	struct ckvm_exit e;

	(void)state;
	/* a store (WnR, bit 6) without valid syndrome to IPA 0x9000010 */
	run->arm_nisv.esr_iss = 1u << 6;
	run->arm_nisv.fault_ipa = 0x9000010;
	e = t_exit_decode(run, CKVM_EXIT_ARM_NISV);
	assert_int_equal(e.arm_nisv.esr_iss, 1u << 6);
	assert_int_equal(e.arm_nisv.fault_ipa, 0x9000010);
}

static void test_smccc_hypercall(void **state)
{
	struct kvm_run *run = t_run_fresh(KVM_EXIT_HYPERCALL);
	struct ckvm_exit e;

	(void)state;
	/* An HVC #0 forwarded by the SMCCC filter: nr is the function id. */
	run->hypercall.nr = 0xc6000001;
	/* 6.1 headers name the low word of the newer 64-bit `flags` longmode */
	run->hypercall.longmode = 0;
	run->hypercall.pad = 0;
	e = t_exit_decode(run, CKVM_EXIT_HYPERCALL);
	assert_int_equal(e.hypercall.nr, 0xc6000001);
	assert_int_equal(e.hypercall.flags & KVM_HYPERCALL_EXIT_SMC, 0);
	/* An SMC from a 16-bit (AArch32 Thumb) instruction */
	run->hypercall.longmode = KVM_HYPERCALL_EXIT_SMC | KVM_HYPERCALL_EXIT_16BIT;
	e = t_exit_decode(run, CKVM_EXIT_HYPERCALL);
	assert_int_equal(e.hypercall.flags, KVM_HYPERCALL_EXIT_SMC | KVM_HYPERCALL_EXIT_16BIT);
	assert_int_equal(KVM_HYPERCALL_EXIT_SMC, 1);
	assert_int_equal(KVM_HYPERCALL_EXIT_16BIT, 2);
}

static void test_debug_exit(void **state)
{
	struct kvm_run *run = t_run_fresh(KVM_EXIT_DEBUG);
	struct ckvm_exit e;

	(void)state;
	/* hardware breakpoint from a lower EL: EC 0x30 */
	run->debug.arch.hsr = 0x30u << 26 | 0x22;
	run->debug.arch.hsr_high = 0;
	run->debug.arch.far = 0;
	e = t_exit_decode(run, CKVM_EXIT_DEBUG);
	assert_ptr_equal(e.debug.arch, &run->debug.arch);
	assert_int_equal(ckvm_arm64_debug_exit_ec(&e), 0x30);
	/* watchpoint: EC 0x34 with the accessed address in FAR */
	run->debug.arch.hsr = 0x34u << 26;
	run->debug.arch.far = 0x40002004;
	e = t_exit_decode(run, CKVM_EXIT_DEBUG);
	assert_int_equal(ckvm_arm64_debug_exit_ec(&e), 0x34);
	assert_int_equal(ckvm_arm64_debug_exit_far(&e), 0x40002004);
	/* software step: EC 0x32 */
	run->debug.arch.hsr = 0x32u << 26;
	e = t_exit_decode(run, CKVM_EXIT_DEBUG);
	assert_int_equal(ckvm_arm64_debug_exit_ec(&e), 0x32);
	/* other exit kinds: 0, without touching the (unrelated) union */
	run = t_run_fresh(KVM_EXIT_MMIO);
	run->mmio.len = 4;
	run->mmio.is_write = 0;
	e = t_exit_decode(run, CKVM_EXIT_MMIO_READ);
	assert_int_equal(ckvm_arm64_debug_exit_ec(&e), 0);
	assert_int_equal(ckvm_arm64_debug_exit_far(&e), 0);
	assert_int_equal(ckvm_arm64_debug_exit_ec(NULL), 0);
}

static void test_mmio_and_fail_entry(void **state)
{
	struct kvm_run *run = t_run_fresh(KVM_EXIT_MMIO);
	struct ckvm_exit e;
	uint32_t v = 0x0506;

	(void)state;
	/* the run_code scenario: a 32-bit read the VMM answers with 0x0506 */
	run->mmio.phys_addr = 0x40010000;
	run->mmio.len = 4;
	run->mmio.is_write = 0;
	e = t_exit_decode(run, CKVM_EXIT_MMIO_READ);
	assert_int_equal(e.mmio.gpa, 0x40010000);
	assert_int_equal(e.mmio.len, 4);
	memcpy(e.mmio.data, &v, sizeof(v));
	assert_memory_equal(run->mmio.data, &v, sizeof(v));
	/* then the write of 0x0304 */
	run->mmio.is_write = 1;
	v = 0x0304;
	memcpy(run->mmio.data, &v, sizeof(v));
	e = t_exit_decode(run, CKVM_EXIT_MMIO_WRITE);
	assert_memory_equal(e.mmio.data, "\x04\x03\x00\x00", 4);

	run = t_run_fresh(KVM_EXIT_FAIL_ENTRY);
	run->fail_entry.hardware_entry_failure_reason = KVM_EXIT_FAIL_ENTRY_CPU_UNSUPPORTED;
	run->fail_entry.cpu = 2;
	e = t_exit_decode(run, CKVM_EXIT_FAIL_ENTRY);
	assert_int_equal(e.fail_entry.hardware_entry_failure_reason,
			 KVM_EXIT_FAIL_ENTRY_CPU_UNSUPPORTED);
	assert_int_equal(e.fail_entry.cpu, 2);
}

static void test_device_irq_level(void **state)
{
	struct kvm_run *run = t_run_fresh(KVM_EXIT_INTR);

	(void)state;
	run->s.regs.device_irq_level = KVM_ARM_DEV_EL1_VTIMER | KVM_ARM_DEV_PMU;
	assert_int_equal(ckvm_arm64_run_device_irq_level(run), KVM_ARM_DEV_EL1_VTIMER | KVM_ARM_DEV_PMU);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psci_system_off),
		cmocka_unit_test(test_psci_reset),
		cmocka_unit_test(test_psci_suspend_wakeup_crash),
		cmocka_unit_test(test_nisv),
		cmocka_unit_test(test_smccc_hypercall),
		cmocka_unit_test(test_debug_exit),
		cmocka_unit_test(test_mmio_and_fail_entry),
		cmocka_unit_test(test_device_irq_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
