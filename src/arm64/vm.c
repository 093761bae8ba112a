/* SPDX-License-Identifier: MIT */
/*
 * arm64/vm.c - VM-scope arm64 calls: preferred target, legacy GICv2,
 * device addresses, counter offset, MTE tags, writable ID register masks,
 * the SMCCC filter and capability switches.
 */
#include "internal.h"

#include <string.h>

int ckvm_vm_get_preferred_target(struct ckvm_vm *vm, struct kvm_vcpu_init *init)
{
	if (!vm || !init)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_ARM_PREFERRED_TARGET, init);
}

int ckvm_vm_create_irq_chip(struct ckvm_vm *vm)
{
	if (!vm)
		return -EINVAL;
	return ckvm__ioctl_val(vm->fd, KVM_CREATE_IRQCHIP, 0);
}

int ckvm_vm_arm_set_device_addr(struct ckvm_vm *vm, uint64_t id, uint64_t addr)
{
	struct kvm_arm_device_addr a;

	if (!vm)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	a.id = id;
	a.addr = addr;
	return ckvm__ioctl(vm->fd, KVM_ARM_SET_DEVICE_ADDR, &a);
}

int ckvm_vm_arm_set_counter_offset(struct ckvm_vm *vm, uint64_t offset)
{
	struct kvm_arm_counter_offset o;

	if (!vm)
		return -EINVAL;
	memset(&o, 0, sizeof(o));
	o.counter_offset = offset;
	return ckvm__ioctl(vm->fd, KVM_ARM_SET_COUNTER_OFFSET, &o);
}

int ckvm_vm_arm_mte_copy_tags(struct ckvm_vm *vm, uint64_t guest_ipa, uint64_t length,
			      void *tags, bool to_guest)
{
	struct kvm_arm_copy_mte_tags c;

	if (!vm || (!tags && length))
		return -EINVAL;
	/* The result is a byte count returned through int. */
	if (length > (uint64_t)INT32_MAX)
		return -E2BIG;
	memset(&c, 0, sizeof(c));
	c.guest_ipa = guest_ipa;
	c.length = length;
	c.addr = tags;
	c.flags = to_guest ? KVM_ARM_TAGS_TO_GUEST : KVM_ARM_TAGS_FROM_GUEST;
	return ckvm__ioctl(vm->fd, KVM_ARM_MTE_COPY_TAGS, &c);
}

int ckvm_vm_arm_enable_mte(struct ckvm_vm *vm)
{
	return ckvm_vm_enable_cap1(vm, KVM_CAP_ARM_MTE, 0);
}

int ckvm_vm_arm_enable_nisv_to_user(struct ckvm_vm *vm)
{
	return ckvm_vm_enable_cap1(vm, KVM_CAP_ARM_NISV_TO_USER, 0);
}

int ckvm_vm_arm_enable_system_suspend(struct ckvm_vm *vm)
{
	return ckvm_vm_enable_cap1(vm, KVM_CAP_ARM_SYSTEM_SUSPEND, 0);
}

int ckvm_vm_arm_get_reg_writable_masks(struct ckvm_vm *vm, uint32_t range, uint64_t *masks)
{
	struct reg_mask_range r;

	if (!vm || !masks)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	r.addr = (uint64_t)(uintptr_t)masks;
	r.range = range;
	return ckvm__ioctl(vm->fd, KVM_ARM_GET_REG_WRITABLE_MASKS, &r);
}

int ckvm_vm_arm_set_smccc_filter(struct ckvm_vm *vm, uint32_t base, uint32_t nr_functions,
				 uint8_t action)
{
	struct kvm_smccc_filter f;
	struct kvm_device_attr a;

	if (!vm || nr_functions == 0 || action > KVM_SMCCC_FILTER_FWD_TO_USER ||
	    (uint64_t)base + nr_functions > (uint64_t)UINT32_MAX + 1)
		return -EINVAL;
	memset(&f, 0, sizeof(f));
	f.base = base;
	f.nr_functions = nr_functions;
	f.action = action;
	memset(&a, 0, sizeof(a));
	a.group = KVM_ARM_VM_SMCCC_CTRL;
	a.attr = KVM_ARM_VM_SMCCC_FILTER;
	a.addr = (uint64_t)(uintptr_t)&f;
	return ckvm_vm_set_device_attr(vm, &a);
}
