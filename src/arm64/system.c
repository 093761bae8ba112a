/* SPDX-License-Identifier: MIT */
/*
 * arm64/system.c - system-scope arm64 calls: IPA limits, debug register
 * counts and VM creation with an IPA size.
 */
#include "internal.h"

int ckvm_get_host_ipa_limit(struct ckvm *kvm)
{
	return ckvm_check_extension(kvm, KVM_CAP_ARM_VM_IPA_SIZE);
}

int ckvm_get_guest_debug_hw_bps(struct ckvm *kvm)
{
	return ckvm_check_extension(kvm, KVM_CAP_GUEST_DEBUG_HW_BPS);
}

int ckvm_get_guest_debug_hw_wps(struct ckvm *kvm)
{
	return ckvm_check_extension(kvm, KVM_CAP_GUEST_DEBUG_HW_WPS);
}

int ckvm__arm64_default_vm_type(struct ckvm *kvm, unsigned long *type)
{
	int limit;

	if (!kvm || !type)
		return -EINVAL;
	/* kvm-ioctls' create_vm: the host's largest IPA size when it can be chosen. */
	limit = ckvm_get_host_ipa_limit(kvm);
	if (limit < 0)
		return limit;
	*type = limit > 0 ? ckvm_arm64_vm_type_ipa((uint32_t)limit) : 0;
	return 0;
}

int ckvm_create_vm_with_ipa_size(struct ckvm *kvm, uint32_t ipa_bits, struct ckvm_vm **out)
{
	if (!kvm || !out)
		return -EINVAL;
	/* 0 is the legacy 40-bit default; otherwise the field is 8 bits and
	 * the architecture's minimum is 32. */
	if (ipa_bits != 0 && (ipa_bits < 32 || ipa_bits > KVM_VM_TYPE_ARM_IPA_SIZE_MASK))
		return -EINVAL;
	return ckvm_create_vm_with_type(kvm, ckvm_arm64_vm_type_ipa(ipa_bits), out);
}
