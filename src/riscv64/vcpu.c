/* SPDX-License-Identifier: MIT */
/*
 * riscv64/vcpu.c - vCPU-scope riscv64 calls: ISA and SBI extension
 * switches (ONE_REG) and KVM_INTERRUPT.
 */
#include "internal.h"

static int get_bool(struct ckvm_vcpu *vcpu, uint64_t id, bool *enabled)
{
	unsigned long v = 0;
	int r;

	if (!vcpu || !enabled)
		return -EINVAL;
	r = ckvm_vcpu_get_one_reg(vcpu, id, &v, sizeof(v));
	if (r < 0)
		return r;
	*enabled = v != 0;
	return 0;
}

static int set_bool(struct ckvm_vcpu *vcpu, uint64_t id, bool enable)
{
	unsigned long v = enable ? 1 : 0;
	int r;

	if (!vcpu)
		return -EINVAL;
	r = ckvm_vcpu_set_one_reg(vcpu, id, &v, sizeof(v));
	return r < 0 ? r : 0;
}

int ckvm_vcpu_riscv_get_isa_ext(struct ckvm_vcpu *vcpu, unsigned ext, bool *enabled)
{
	return get_bool(vcpu, ckvm_riscv_isa_ext_reg(ext), enabled);
}

int ckvm_vcpu_riscv_set_isa_ext(struct ckvm_vcpu *vcpu, unsigned ext, bool enable)
{
	return set_bool(vcpu, ckvm_riscv_isa_ext_reg(ext), enable);
}

int ckvm_vcpu_riscv_get_sbi_ext(struct ckvm_vcpu *vcpu, unsigned ext, bool *enabled)
{
	return get_bool(vcpu, ckvm_riscv_sbi_ext_reg(ext), enabled);
}

int ckvm_vcpu_riscv_set_sbi_ext(struct ckvm_vcpu *vcpu, unsigned ext, bool enable)
{
	return set_bool(vcpu, ckvm_riscv_sbi_ext_reg(ext), enable);
}

int ckvm_vcpu_interrupt(struct ckvm_vcpu *vcpu, uint32_t irq)
{
	struct kvm_interrupt i;

	if (!vcpu || (irq != KVM_INTERRUPT_SET && irq != KVM_INTERRUPT_UNSET))
		return -EINVAL;
	i.irq = irq;
	return ckvm__ioctl(vcpu->fd, KVM_INTERRUPT, &i);
}
