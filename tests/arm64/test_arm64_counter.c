/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_counter.c (kvm) - KVM_ARM_SET_COUNTER_OFFSET
 * (KVM_CAP_COUNTER_OFFSET): with the offset set to the current virtual
 * count, the guest's virtual counter (KVM_REG_ARM_TIMER_CNT) restarts near
 * zero, and it keeps counting.
 */
#include "a64.h"

#include <errno.h>
#include <string.h>

static void test_counter_offset(void **state)
{
	struct a64_guest g;
	uint64_t before, after, later;

	(void)state;
	a64_guest_create(&g, 0);
	t_require_vm_cap(g.vm, KVM_CAP_COUNTER_OFFSET);
	a64_guest_add_vcpu(&g, 0);
	before = t_get_reg64(g.vcpu, KVM_REG_ARM_TIMER_CNT);
	assert_true(before > 0);
	t_assert_ok(ckvm_vm_arm_set_counter_offset(g.vm, before));
	after = t_get_reg64(g.vcpu, KVM_REG_ARM_TIMER_CNT);
	/* what elapsed since `before`, far below `before` itself */
	assert_true(after < before);
	later = t_get_reg64(g.vcpu, KVM_REG_ARM_TIMER_CNT);
	assert_true(later >= after);
	/* offset 0 brings the host count back */
	t_assert_ok(ckvm_vm_arm_set_counter_offset(g.vm, 0));
	assert_true(t_get_reg64(g.vcpu, KVM_REG_ARM_TIMER_CNT) >= before);
	a64_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_offset),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
