/* SPDX-License-Identifier: MIT */
/*
 * arm64/vcpu.c - vCPU-scope arm64 calls: KVM_ARM_VCPU_INIT and FINALIZE,
 * vCPU events, PMU / timer / PV-time device attributes, and the registers
 * of a forwarded SMCCC call.
 */
#include "internal.h"

#include <string.h>

int ckvm_vcpu_init(struct ckvm_vcpu *vcpu, const struct kvm_vcpu_init *init)
{
	if (!vcpu || !init)
		return -EINVAL;
	return ckvm__ioctl(vcpu->fd, KVM_ARM_VCPU_INIT, (void *)init);
}

int ckvm_vcpu_init_preferred(struct ckvm_vcpu *vcpu, struct ckvm_vm *vm, uint64_t features,
			     struct kvm_vcpu_init *init_out)
{
	struct kvm_vcpu_init init;
	unsigned bit;
	int r;

	if (!vcpu || !vm)
		return -EINVAL;
	memset(&init, 0, sizeof(init));
	r = ckvm_vm_get_preferred_target(vm, &init);
	if (r < 0)
		return r;
	for (bit = 0; bit < 64; bit++)
		if (features & (1ull << bit))
			ckvm_arm64_vcpu_init_set_feature(&init, bit);
	r = ckvm_vcpu_init(vcpu, &init);
	if (r < 0)
		return r;
	if (init_out)
		*init_out = init;
	return 0;
}

int ckvm_vcpu_finalize(struct ckvm_vcpu *vcpu, int feature)
{
	if (!vcpu)
		return -EINVAL;
	return ckvm__ioctl(vcpu->fd, KVM_ARM_VCPU_FINALIZE, &feature);
}

int ckvm_vcpu_get_vcpu_events(struct ckvm_vcpu *vcpu, struct kvm_vcpu_events *ev)
{
	if (!vcpu || !ev)
		return -EINVAL;
	return ckvm__ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, ev);
}

int ckvm_vcpu_set_vcpu_events(struct ckvm_vcpu *vcpu, const struct kvm_vcpu_events *ev)
{
	if (!vcpu || !ev)
		return -EINVAL;
	return ckvm__ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, (void *)ev);
}

static int vcpu_attr(struct ckvm_vcpu *vcpu, bool set, uint32_t group, uint64_t attr, void *val)
{
	struct kvm_device_attr a;

	memset(&a, 0, sizeof(a));
	a.group = group;
	a.attr = attr;
	a.addr = (uint64_t)(uintptr_t)val;
	return set ? ckvm_vcpu_set_device_attr(vcpu, &a) : ckvm_vcpu_get_device_attr(vcpu, &a);
}

int ckvm_vcpu_arm_pmu_set_irq(struct ckvm_vcpu *vcpu, uint32_t intid)
{
	int irq = (int)intid; /* the kernel reads an int */

	return vcpu_attr(vcpu, true, KVM_ARM_VCPU_PMU_V3_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, &irq);
}

int ckvm_vcpu_arm_pmu_init(struct ckvm_vcpu *vcpu)
{
	return vcpu_attr(vcpu, true, KVM_ARM_VCPU_PMU_V3_CTRL, KVM_ARM_VCPU_PMU_V3_INIT, NULL);
}

int ckvm_vcpu_arm_pmu_set_filter(struct ckvm_vcpu *vcpu, uint16_t base_event, uint16_t nevents,
				 uint8_t action)
{
	struct kvm_pmu_event_filter f;

	if (nevents == 0 || action > KVM_PMU_EVENT_DENY)
		return -EINVAL;
	memset(&f, 0, sizeof(f));
	f.base_event = base_event;
	f.nevents = nevents;
	f.action = action;
	return vcpu_attr(vcpu, true, KVM_ARM_VCPU_PMU_V3_CTRL, KVM_ARM_VCPU_PMU_V3_FILTER, &f);
}

int ckvm_vcpu_arm_set_timer_irq(struct ckvm_vcpu *vcpu, uint64_t timer, uint32_t intid)
{
	int irq = (int)intid;

	return vcpu_attr(vcpu, true, KVM_ARM_VCPU_TIMER_CTRL, timer, &irq);
}

int ckvm_vcpu_arm_get_timer_irq(struct ckvm_vcpu *vcpu, uint64_t timer, uint32_t *intid)
{
	int irq = 0, r;

	if (!intid)
		return -EINVAL;
	r = vcpu_attr(vcpu, false, KVM_ARM_VCPU_TIMER_CTRL, timer, &irq);
	if (r == 0)
		*intid = (uint32_t)irq;
	return r;
}

int ckvm_vcpu_arm_set_pvtime_ipa(struct ckvm_vcpu *vcpu, uint64_t ipa)
{
	return vcpu_attr(vcpu, true, KVM_ARM_VCPU_PVTIME_CTRL, KVM_ARM_VCPU_PVTIME_IPA, &ipa);
}

int ckvm_vcpu_arm_smccc_get_args(struct ckvm_vcpu *vcpu, uint64_t args[6])
{
	unsigned i;
	int r;

	if (!vcpu || !args)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		r = ckvm_vcpu_get_one_reg(vcpu, ckvm_arm64_reg_x(1 + i), &args[i], sizeof(args[i]));
		if (r < 0)
			return r;
	}
	return 0;
}

int ckvm_vcpu_arm_smccc_reply(struct ckvm_vcpu *vcpu, uint64_t a0, uint64_t a1, uint64_t a2,
			      uint64_t a3)
{
	const uint64_t v[4] = { a0, a1, a2, a3 };
	unsigned i;
	int r;

	if (!vcpu)
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		r = ckvm_vcpu_set_one_reg(vcpu, ckvm_arm64_reg_x(i), &v[i], sizeof(v[i]));
		if (r < 0)
			return r;
	}
	return 0;
}
