/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_masks.c (kvm) - KVM_ARM_GET_REG_WRITABLE_MASKS
 * (KVM_CAP_ARM_SUPPORTED_REG_MASK_RANGES): the feature-ID range is
 * supported, its masks come back with some writable field, and a writable
 * field of ID_AA64PFR0_EL1 really is writable through ONE_REG (written to
 * its current value) before the vCPU runs. An unknown range is refused.
 */
#include "a64.h"

#include <errno.h>
#include <string.h>

static void test_writable_masks(void **state)
{
	struct a64_guest g;
	uint64_t masks[CKVM_ARM64_FEATURE_ID_RANGE_SIZE];
	unsigned i, nonzero = 0;
	int ranges, idx;
	uint64_t pfr0;

	(void)state;
	a64_guest_create(&g, 0);
	ranges = ckvm_vm_check_extension(g.vm, KVM_CAP_ARM_SUPPORTED_REG_MASK_RANGES);
	if (ranges <= 0)
		t_skip("needs KVM_CAP_ARM_SUPPORTED_REG_MASK_RANGES");
	assert_true(ranges & (1 << KVM_ARM_FEATURE_ID_RANGE));
	a64_guest_add_vcpu(&g, 0);
	memset(masks, 0, sizeof(masks));
	t_assert_ok(ckvm_vm_arm_get_reg_writable_masks(g.vm, KVM_ARM_FEATURE_ID_RANGE, masks));
	for (i = 0; i < CKVM_ARM64_FEATURE_ID_RANGE_SIZE; i++)
		nonzero += masks[i] != 0;
	assert_true(nonzero > 0);
	t_assert_err(ckvm_vm_arm_get_reg_writable_masks(g.vm, 31, masks), EINVAL);
	t_assert_err(ckvm_vm_arm_get_reg_writable_masks(g.vm, 0, NULL), EINVAL);
	/* writing ID_AA64PFR0_EL1 with its own value is accepted */
	idx = ckvm_arm64_feature_id_range_idx(3, 0, 0, 4, 0);
	assert_int_equal(idx, 32);
	pfr0 = t_get_reg64(g.vcpu, CKVM_ARM64_ID_AA64PFR0_EL1);
	t_set_reg64(g.vcpu, CKVM_ARM64_ID_AA64PFR0_EL1, pfr0);
	assert_int_equal(t_get_reg64(g.vcpu, CKVM_ARM64_ID_AA64PFR0_EL1), pfr0);
	a64_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writable_masks),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
