/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_pmu.c (kvm) - the PMUv3 vCPU attributes: a vCPU initialized
 * with KVM_ARM_VCPU_PMU_V3 gets its overflow interrupt (a PPI), an event
 * filter and KVM_ARM_VCPU_PMU_V3_INIT after the vGIC is initialized; the
 * attributes exist (KVM_HAS_DEVICE_ATTR), bad arguments are refused, and a
 * vCPU without the feature has no PMU attributes.
 */
#include "a64.h"

#include <errno.h>
#include <string.h>

static void test_pmu(void **state)
{
	struct a64_guest g;
	struct ckvm_device *gic = NULL;
	struct ckvm_vcpu *plain = NULL;
	struct kvm_device_attr attr;
	uint32_t type;

	(void)state;
	a64_guest_create(&g, 0);
	t_require_cap(g.kvm, KVM_CAP_ARM_PMU_V3);
	a64_guest_add_vcpu(&g, 1ull << KVM_ARM_VCPU_PMU_V3);
	assert_true(ckvm_arm64_vcpu_init_has_feature(&g.init, KVM_ARM_VCPU_PMU_V3));
	t_assert_ok(ckvm_vm_create_vcpu(g.vm, 1, &plain));
	t_assert_ok(ckvm_vcpu_init_preferred(plain, g.vm, 1ull << KVM_ARM_VCPU_PSCI_0_2, NULL));
	type = ckvm_vm_test_create_device(g.vm, KVM_DEV_TYPE_ARM_VGIC_V3) == 0 ?
	       KVM_DEV_TYPE_ARM_VGIC_V3 : KVM_DEV_TYPE_ARM_VGIC_V2;
	t_assert_ok(ckvm_vm_setup_vgic(g.vm, type, 0x08000000,
				       type == KVM_DEV_TYPE_ARM_VGIC_V3 ? 0x080a0000 : 0x08010000,
				       64, &gic));
	memset(&attr, 0, sizeof(attr));
	attr.group = KVM_ARM_VCPU_PMU_V3_CTRL;
	attr.attr = KVM_ARM_VCPU_PMU_V3_IRQ;
	t_assert_ok(ckvm_vcpu_has_device_attr(g.vcpu, &attr));
	t_assert_err(ckvm_vcpu_has_device_attr(plain, &attr), ENXIO);
	t_assert_err(ckvm_vcpu_arm_pmu_set_irq(g.vcpu, 40), EINVAL); /* not a PPI */
	t_assert_ok(ckvm_vcpu_arm_pmu_set_irq(g.vcpu, 23));
	t_assert_err(ckvm_vcpu_arm_pmu_set_filter(g.vcpu, 0, 0, KVM_PMU_EVENT_ALLOW), EINVAL);
	t_assert_err(ckvm_vcpu_arm_pmu_set_filter(g.vcpu, 0, 1, 2), EINVAL);
	t_assert_ok(ckvm_vcpu_arm_pmu_set_filter(g.vcpu, 0x11, 1, KVM_PMU_EVENT_ALLOW)); /* CPU_CYCLES */
	t_assert_ok(ckvm_vcpu_arm_pmu_init(g.vcpu));
	/* initialized once only */
	t_assert_err(ckvm_vcpu_arm_pmu_init(g.vcpu), EBUSY);
	ckvm_vcpu_close(plain);
	ckvm_device_close(gic);
	a64_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmu),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
