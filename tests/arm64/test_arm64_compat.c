/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_compat.c (unit) - the arm64 definitions of ckvm/compat-arch.h
 * (or the system header's, when it is newer) against the documented ABI
 * (api.rst, devices/vcpu.rst, devices/vm.rst, devices/arm-vgic-v3.rst):
 * constants, ioctl numbers, struct sizes and field offsets. Compile-time
 * checks, plus a run so the test is counted. No /dev/kvm needed.
 */
#include "t.h"

#include <stddef.h>

/* ioctl numbers: direction, type 0xAE, number and argument size */
_Static_assert(KVM_ARM_SET_COUNTER_OFFSET == _IOW(0xAE, 0xb5, struct kvm_arm_counter_offset),
	       "KVM_ARM_SET_COUNTER_OFFSET");
_Static_assert(_IOC_SIZE(KVM_ARM_SET_COUNTER_OFFSET) == 16, "kvm_arm_counter_offset size");
_Static_assert(KVM_ARM_GET_REG_WRITABLE_MASKS == _IOR(0xAE, 0xb6, struct reg_mask_range),
	       "KVM_ARM_GET_REG_WRITABLE_MASKS");
_Static_assert(_IOC_SIZE(KVM_ARM_GET_REG_WRITABLE_MASKS) == 64, "reg_mask_range size");
_Static_assert(_IOC_NR(KVM_ARM_MTE_COPY_TAGS) == 0xb4, "KVM_ARM_MTE_COPY_TAGS");
_Static_assert(_IOC_NR(KVM_ARM_VCPU_FINALIZE) == 0xc2, "KVM_ARM_VCPU_FINALIZE");

/* struct layouts */
_Static_assert(sizeof(struct kvm_arm_counter_offset) == 16, "counter offset");
_Static_assert(offsetof(struct kvm_arm_counter_offset, counter_offset) == 0, "counter_offset");
_Static_assert(offsetof(struct kvm_arm_counter_offset, reserved) == 8, "reserved");
_Static_assert(sizeof(struct reg_mask_range) == 64, "reg_mask_range");
_Static_assert(offsetof(struct reg_mask_range, addr) == 0, "addr");
_Static_assert(offsetof(struct reg_mask_range, range) == 8, "range");
_Static_assert(offsetof(struct reg_mask_range, reserved) == 12, "reserved");
_Static_assert(sizeof(struct kvm_smccc_filter) == 24, "kvm_smccc_filter");
_Static_assert(offsetof(struct kvm_smccc_filter, base) == 0, "base");
_Static_assert(offsetof(struct kvm_smccc_filter, nr_functions) == 4, "nr_functions");
_Static_assert(offsetof(struct kvm_smccc_filter, action) == 8, "action");
_Static_assert(sizeof(struct kvm_vcpu_events) == 64, "arm64 kvm_vcpu_events");
_Static_assert(sizeof(struct kvm_arm_copy_mte_tags) == 48, "kvm_arm_copy_mte_tags");

/* constants */
_Static_assert(KVM_ARM_VCPU_HAS_EL2 == 7 && KVM_ARM_VCPU_HAS_EL2_E2H0 == 8, "EL2 features");
_Static_assert(KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS == 4, "SET_NR_COUNTERS");
_Static_assert(KVM_ARM_VCPU_TIMER_IRQ_HVTIMER == 2 && KVM_ARM_VCPU_TIMER_IRQ_HPTIMER == 3,
	       "EL2 timers");
_Static_assert(KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ == 9, "MAINT_IRQ");
_Static_assert(KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2 == 1, "PSCI_OFF2");
_Static_assert(KVM_REG_ARM_VENDOR_HYP_BMAP_2 == 0x6030000000160003ull, "VENDOR_HYP_BMAP_2");
_Static_assert(KVM_ARM_FEATURE_ID_RANGE == 0 && KVM_ARM_FEATURE_ID_RANGE_SIZE == 192,
	       "feature id range");
_Static_assert(KVM_ARM_VM_SMCCC_CTRL == 0 && KVM_ARM_VM_SMCCC_FILTER == 0, "SMCCC attr");
_Static_assert(KVM_SMCCC_FILTER_HANDLE == 0 && KVM_SMCCC_FILTER_DENY == 1 &&
	       KVM_SMCCC_FILTER_FWD_TO_USER == 2, "SMCCC actions");
_Static_assert(KVM_HYPERCALL_EXIT_SMC == 1 && KVM_HYPERCALL_EXIT_16BIT == 2, "hypercall flags");
_Static_assert(CKVM_ARCH_DIRTY_LOG_PAGE_OFFSET == 64, "dirty ring offset");
/* capabilities the arm64 API checks (core's compat.h) */
_Static_assert(KVM_CAP_COUNTER_OFFSET == 227, "KVM_CAP_COUNTER_OFFSET");
_Static_assert(KVM_CAP_ARM_SUPPORTED_REG_MASK_RANGES == 230, "REG_MASK_RANGES");
_Static_assert(KVM_CAP_ARM_WRITABLE_IMP_ID_REGS == 239, "WRITABLE_IMP_ID_REGS");
/* values in the 6.1 headers that ckvm's helpers rely on */
_Static_assert(KVM_CAP_ARM_VM_IPA_SIZE == 165, "IPA_SIZE");
_Static_assert(KVM_VM_TYPE_ARM_IPA_SIZE_MASK == 0xff, "IPA mask");
_Static_assert(KVM_REG_ARM64 == 0x6000000000000000ull, "KVM_REG_ARM64");
_Static_assert(KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION == 5, "REDIST_REGION");
_Static_assert(KVM_VGIC_ITS_ADDR_TYPE == 4, "ITS addr");

static void test_values(void **state)
{
	(void)state;
	/* the same values at run time, through the helpers that use them */
	assert_int_equal(KVM_ARM_SET_COUNTER_OFFSET, 0x4010aeb5u);
	assert_int_equal(KVM_ARM_GET_REG_WRITABLE_MASKS, 0x8040aeb6u);
	assert_int_equal(ckvm_arm64_fw_feat_bmap_reg(3), KVM_REG_ARM_VENDOR_HYP_BMAP_2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
