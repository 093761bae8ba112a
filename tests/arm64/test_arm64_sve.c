/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_sve.c (kvm) - SVE and KVM_ARM_VCPU_FINALIZE: a vCPU
 * initialized with KVM_ARM_VCPU_SVE refuses REG_LIST until finalized
 * (-EPERM); the vector-length pseudo-register reads before; after
 * ckvm_vcpu_finalize the list has Z, P and FFR registers of the documented
 * sizes, a Z register round-trips, and the vector lengths can no longer be
 * changed.
 */
#include "a64.h"

#include <errno.h>
#include <string.h>

static void test_sve_finalize(void **state)
{
	struct a64_guest g;
	struct kvm_reg_list *list = NULL;
	uint8_t vls[64], z[256], back[256];
	bool have_z = false, have_p = false, have_ffr = false;
	uint64_t i;
	unsigned k;

	(void)state;
	a64_guest_create(&g, 0);
	t_require_cap(g.kvm, KVM_CAP_ARM_SVE);
	a64_guest_add_vcpu(&g, 1ull << KVM_ARM_VCPU_SVE);
	t_assert_err(ckvm_vcpu_get_reg_list(g.vcpu, &list), EPERM);
	ckvm_reg_list_free(list);
	list = NULL;
	assert_int_equal(ckvm_vcpu_get_one_reg(g.vcpu, KVM_REG_ARM64_SVE_VLS, vls, sizeof(vls)), 64);
	assert_true(vls[0] & 1); /* VQ 1 (128 bits) is always supported */
	t_assert_err(ckvm_vcpu_finalize(g.vcpu, KVM_ARM_VCPU_PTRAUTH_ADDRESS), EINVAL);
	t_assert_ok(ckvm_vcpu_finalize(g.vcpu, KVM_ARM_VCPU_SVE));
	t_assert_ok(ckvm_vcpu_get_reg_list(g.vcpu, &list));
	for (i = 0; i < list->n; i++) {
		if (ckvm_arm64_reg_class(list->reg[i]) != CKVM_ARM64_REG_SVE)
			continue;
		have_z |= list->reg[i] == ckvm_arm64_sve_zreg(31, 0);
		have_p |= list->reg[i] == ckvm_arm64_sve_preg(15, 0);
		have_ffr |= list->reg[i] == ckvm_arm64_sve_ffr(0);
	}
	assert_true(have_z && have_p && have_ffr);
	ckvm_reg_list_free(list);
	for (k = 0; k < sizeof(z); k++)
		z[k] = (uint8_t)k;
	assert_int_equal(ckvm_vcpu_set_one_reg(g.vcpu, ckvm_arm64_sve_zreg(3, 0), z, sizeof(z)), 256);
	assert_int_equal(ckvm_vcpu_get_one_reg(g.vcpu, ckvm_arm64_sve_zreg(3, 0), back, sizeof(back)), 256);
	/* bytes beyond the vector length read as zero; the first 16 (VQ 1) always hold */
	assert_memory_equal(back, z, 16);
	/* fixed after finalize */
	t_assert_err(ckvm_vcpu_set_one_reg(g.vcpu, KVM_REG_ARM64_SVE_VLS, vls, sizeof(vls)), EPERM);
	a64_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sve_finalize),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
