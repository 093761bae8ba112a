/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_psci.c (kvm) - arm64 exits a VMM opts into: a data abort on
 * MMIO without instruction syndrome (a load pair) fails KVM_RUN with
 * -ENOSYS unless ckvm_vm_arm_enable_nisv_to_user was called, and then exits
 * with CKVM_EXIT_ARM_NISV and the faulting IPA; PSCI SYSTEM_SUSPEND exits
 * with SYSTEM_EVENT type SUSPEND (registers left in place) once
 * ckvm_vm_arm_enable_system_suspend was called.
 */
#include "a64.h"

#include <errno.h>
#include <string.h>

static void test_nisv(void **state)
{
	struct a64_guest g;
	struct ckvm_exit e;

	(void)state;
	/* not enabled: KVM cannot emulate the access */
	a64_guest_create(&g, 0);
	a64_guest_add_vcpu(&g, 0);
	a64_guest_load_code(&g, a64_nisv);
	memset(&e, 0, sizeof(e));
	t_assert_err(ckvm_vcpu_run(g.vcpu, &e), ENOSYS);
	a64_guest_destroy(&g);
	/* enabled: the VMM gets the fault */
	a64_guest_create(&g, 0);
	t_assert_ok(ckvm_vm_arm_enable_nisv_to_user(g.vm));
	a64_guest_add_vcpu(&g, 0);
	a64_guest_load_code(&g, a64_nisv);
	e = a64_run_expect(&g, CKVM_EXIT_ARM_NISV);
	assert_int_equal(e.arm_nisv.fault_ipa, a64_mmio_gpa(&g));
	assert_int_equal(e.arm_nisv.esr_iss & (1u << 6), 0); /* WnR: a read */
	a64_guest_destroy(&g);
}

static void test_system_suspend(void **state)
{
	struct a64_guest g;
	struct ckvm_exit e;

	(void)state;
	a64_guest_create(&g, 0);
	if (ckvm_check_extension(g.kvm, KVM_CAP_ARM_SYSTEM_SUSPEND) <= 0) {
		/* an older kernel refuses the switch */
		assert_true(ckvm_vm_arm_enable_system_suspend(g.vm) < 0);
		a64_guest_destroy(&g);
		return;
	}
	t_assert_ok(ckvm_vm_arm_enable_system_suspend(g.vm));
	a64_guest_add_vcpu(&g, 0);
	a64_guest_load_code(&g, a64_suspend);
	e = a64_run_expect(&g, CKVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(e.system_event.type, KVM_SYSTEM_EVENT_SUSPEND);
	/* the call's arguments are still in the registers for the VMM */
	assert_int_equal(t_get_reg64(g.vcpu, ckvm_arm64_reg_x(0)), 0xc400000eull);
	assert_int_equal(t_get_reg64(g.vcpu, ckvm_arm64_reg_x(2)), 0x77);
	assert_int_equal(t_get_reg64(g.vcpu, ckvm_arm64_reg_x(1)),
			 t_get_reg64(g.vcpu, ckvm_arm64_reg_pc()));
	a64_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nisv),
		cmocka_unit_test(test_system_suspend),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
