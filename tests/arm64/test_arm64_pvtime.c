/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_pvtime.c (kvm) - the stolen-time structure
 * (KVM_ARM_VCPU_PVTIME_CTRL / KVM_ARM_VCPU_PVTIME_IPA,
 * KVM_CAP_STEAL_TIME): the IPA is accepted once, 64-byte aligned, inside
 * guest RAM and read back; a misaligned one is refused; the vCPU then runs
 * with stolen-time accounting on.
 */
#include "a64.h"

#include <errno.h>
#include <string.h>

static void test_pvtime(void **state)
{
	struct a64_guest g;
	struct ckvm_exit e;
	uint32_t answer = 0x0506;

	(void)state;
	a64_guest_create(&g, 0);
	t_require_cap(g.kvm, KVM_CAP_STEAL_TIME);
	a64_guest_add_vcpu(&g, 0);
	t_assert_err(ckvm_vcpu_arm_set_pvtime_ipa(g.vcpu, A64_DATA_GPA + 0x108), EINVAL);
	t_assert_ok(ckvm_vcpu_arm_set_pvtime_ipa(g.vcpu, A64_DATA_GPA + 0x100));
	t_assert_err(ckvm_vcpu_arm_set_pvtime_ipa(g.vcpu, A64_DATA_GPA + 0x140), EEXIST);
	/* the kernel reports the IPA it keeps */
	{
		struct kvm_device_attr attr;
		uint64_t ipa = 0;

		memset(&attr, 0, sizeof(attr));
		attr.group = KVM_ARM_VCPU_PVTIME_CTRL;
		attr.attr = KVM_ARM_VCPU_PVTIME_IPA;
		attr.addr = (uint64_t)(uintptr_t)&ipa;
		t_assert_ok(ckvm_vcpu_get_device_attr(g.vcpu, &attr));
		assert_int_equal(ipa, A64_DATA_GPA + 0x100);
	}
	/* and the vCPU runs with stolen-time accounting on */
	a64_guest_load_code(&g, a64_run_code);
	e = a64_run_expect(&g, CKVM_EXIT_MMIO_READ);
	memcpy(e.mmio.data, &answer, 4);
	e = a64_run_expect(&g, CKVM_EXIT_MMIO_WRITE);
	assert_memory_equal(e.mmio.data, "\x04\x03\x00\x00", 4);
	a64_run_to_system_off(&g);
	a64_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pvtime),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
