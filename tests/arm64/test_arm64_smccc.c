/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_smccc.c (kvm) - SMCCC calls forwarded to userspace: the VM's
 * SMCCC filter (ckvm_vm_arm_set_smccc_filter, a VM device attribute)
 * forwards OEM fast call 0xc3000001; the guest's HVC exits with
 * CKVM_EXIT_HYPERCALL (nr = function id, flags without SMC), the VMM reads
 * x1..x6 with ckvm_vcpu_arm_smccc_get_args and answers x0..x3 with
 * ckvm_vcpu_arm_smccc_reply, and the guest sees the answer. Also: the
 * filter refuses PSCI's range and bad arguments.
 */
#include "a64.h"

#include <errno.h>
#include <string.h>

#define FID 0xc3000001u

static void test_forward_and_reply(void **state)
{
	struct a64_guest g;
	struct kvm_device_attr attr;
	struct ckvm_exit e;
	uint64_t args[6];
	unsigned i;

	(void)state;
	a64_guest_create(&g, 0);
	memset(&attr, 0, sizeof(attr));
	attr.group = KVM_ARM_VM_SMCCC_CTRL;
	attr.attr = KVM_ARM_VM_SMCCC_FILTER;
	if (ckvm_vm_has_device_attr(g.vm, &attr) < 0)
		t_skip("needs KVM_ARM_VM_SMCCC_FILTER (Linux 6.4)");
	t_assert_err(ckvm_vm_arm_set_smccc_filter(g.vm, FID, 0, KVM_SMCCC_FILTER_FWD_TO_USER), EINVAL);
	t_assert_err(ckvm_vm_arm_set_smccc_filter(g.vm, FID, 1, 3), EINVAL);
	t_assert_err(ckvm_vm_arm_set_smccc_filter(g.vm, 0xffffffffu, 2, KVM_SMCCC_FILTER_DENY), EINVAL);
	t_assert_ok(ckvm_vm_arm_set_smccc_filter(g.vm, FID, 1, KVM_SMCCC_FILTER_FWD_TO_USER));
	/* the same range twice overlaps and is refused by the kernel */
	t_assert_err(ckvm_vm_arm_set_smccc_filter(g.vm, FID, 1, KVM_SMCCC_FILTER_DENY), EEXIST);
	a64_guest_add_vcpu(&g, 0);
	a64_guest_load_code(&g, a64_smccc);

	e = a64_run_expect(&g, CKVM_EXIT_HYPERCALL);
	assert_int_equal(e.hypercall.nr, FID);
	assert_int_equal(e.hypercall.flags & KVM_HYPERCALL_EXIT_SMC, 0);
	assert_int_equal(e.hypercall.flags & KVM_HYPERCALL_EXIT_16BIT, 0);
	t_assert_ok(ckvm_vcpu_arm_smccc_get_args(g.vcpu, args));
	for (i = 0; i < 6; i++)
		assert_int_equal(args[i], 0x11u * (i + 1));
	t_assert_ok(ckvm_vcpu_arm_smccc_reply(g.vcpu, 0x100, 0x101, 0x102, 0x103));
	/* the guest stores x0..x3 to MMIO: the reply arrived */
	for (i = 0; i < 4; i++) {
		uint64_t v;

		e = a64_run_expect(&g, CKVM_EXIT_MMIO_WRITE);
		assert_int_equal(e.mmio.len, 8);
		memcpy(&v, e.mmio.data, 8);
		assert_int_equal(v, 0x100 + i);
	}
	a64_run_to_system_off(&g);
	a64_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forward_and_reply),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
