/* SPDX-License-Identifier: MIT */
/*
 * riscv64/aia.c - the in-kernel AIA irqchip (APLIC + per-hart IMSICs):
 * creation, configuration, addresses, init and register access.
 */
#include "internal.h"

int ckvm_vm_create_aia(struct ckvm_vm *vm, struct ckvm_device **out)
{
	if (!vm || !out)
		return -EINVAL;
	return ckvm_vm_create_device(vm, KVM_DEV_TYPE_RISCV_AIA, 0, out);
}

int ckvm_aia_set_config(struct ckvm_device *aia, uint64_t attr, uint32_t val)
{
	return ckvm_device_set_attr_val(aia, KVM_DEV_RISCV_AIA_GRP_CONFIG, attr, &val);
}

int ckvm_aia_get_config(struct ckvm_device *aia, uint64_t attr, uint32_t *val)
{
	if (!val)
		return -EINVAL;
	return ckvm_device_get_attr_val(aia, KVM_DEV_RISCV_AIA_GRP_CONFIG, attr, val);
}

int ckvm_aia_set_aplic_addr(struct ckvm_device *aia, uint64_t addr)
{
	return ckvm_device_set_attr_val(aia, KVM_DEV_RISCV_AIA_GRP_ADDR,
					KVM_DEV_RISCV_AIA_ADDR_APLIC, &addr);
}

int ckvm_aia_set_imsic_addr(struct ckvm_device *aia, uint32_t hart, uint64_t addr)
{
	if (hart >= KVM_DEV_RISCV_APLIC_MAX_HARTS)
		return -EINVAL;
	return ckvm_device_set_attr_val(aia, KVM_DEV_RISCV_AIA_GRP_ADDR,
					KVM_DEV_RISCV_AIA_ADDR_IMSIC((uint64_t)hart), &addr);
}

int ckvm_aia_get_addr(struct ckvm_device *aia, uint64_t attr, uint64_t *addr)
{
	if (!addr)
		return -EINVAL;
	return ckvm_device_get_attr_val(aia, KVM_DEV_RISCV_AIA_GRP_ADDR, attr, addr);
}

int ckvm_aia_init(struct ckvm_device *aia)
{
	return ckvm_device_set_attr_val(aia, KVM_DEV_RISCV_AIA_GRP_CTRL,
					KVM_DEV_RISCV_AIA_CTRL_INIT, NULL);
}

int ckvm_aia_get_aplic_reg(struct ckvm_device *aia, uint32_t offset, uint32_t *val)
{
	if (!val || (offset & 3) || offset >= KVM_DEV_RISCV_APLIC_SIZE)
		return -EINVAL;
	return ckvm_device_get_attr_val(aia, KVM_DEV_RISCV_AIA_GRP_APLIC, offset, val);
}

int ckvm_aia_set_aplic_reg(struct ckvm_device *aia, uint32_t offset, uint32_t val)
{
	if ((offset & 3) || offset >= KVM_DEV_RISCV_APLIC_SIZE)
		return -EINVAL;
	return ckvm_device_set_attr_val(aia, KVM_DEV_RISCV_AIA_GRP_APLIC, offset, &val);
}

int ckvm_aia_get_imsic_reg(struct ckvm_device *aia, uint32_t hart, uint32_t isel, uint64_t *val)
{
	unsigned long v = 0;
	int r;

	if (!val || isel > KVM_DEV_RISCV_AIA_IMSIC_ISEL_MASK)
		return -EINVAL;
	r = ckvm_device_get_attr_val(aia, KVM_DEV_RISCV_AIA_GRP_IMSIC,
				     ckvm_aia_imsic_attr(hart, isel), &v);
	if (r == 0)
		*val = v;
	return r;
}

int ckvm_aia_set_imsic_reg(struct ckvm_device *aia, uint32_t hart, uint32_t isel, uint64_t val)
{
	unsigned long v = (unsigned long)val;

	if (isel > KVM_DEV_RISCV_AIA_IMSIC_ISEL_MASK)
		return -EINVAL;
	return ckvm_device_set_attr_val(aia, KVM_DEV_RISCV_AIA_GRP_IMSIC,
					ckvm_aia_imsic_attr(hart, isel), &v);
}

/* Bits needed to number harts 0..nr_harts-1 (0 for a single hart). */
static uint32_t hart_bits(uint32_t nr_harts)
{
	uint32_t bits = 0;

	while (nr_harts > 1 && (1u << bits) < nr_harts)
		bits++;
	return bits;
}

int ckvm_vm_setup_aia(struct ckvm_vm *vm, uint32_t nr_harts, uint32_t nr_sources, uint32_t nr_ids,
		      uint64_t aplic_base, uint64_t imsic_base, struct ckvm_device **out)
{
	struct ckvm_device *dev = NULL;
	uint32_t h;
	int r;

	if (!vm || !out || nr_harts == 0 || nr_harts > KVM_DEV_RISCV_APLIC_MAX_HARTS ||
	    nr_sources >= KVM_DEV_RISCV_AIA_SRCS_MAX ||
	    (nr_ids && (nr_ids < KVM_DEV_RISCV_AIA_IDS_MIN || nr_ids >= KVM_DEV_RISCV_AIA_IDS_MAX)) ||
	    (aplic_base & (KVM_DEV_RISCV_APLIC_ALIGN - 1)) ||
	    (imsic_base & (KVM_DEV_RISCV_IMSIC_ALIGN - 1)))
		return -EINVAL;
	r = ckvm_vm_create_aia(vm, &dev);
	if (r < 0)
		return r;
	if (nr_sources)
		r = ckvm_aia_set_config(dev, KVM_DEV_RISCV_AIA_CONFIG_SRCS, nr_sources);
	if (r == 0 && nr_ids)
		r = ckvm_aia_set_config(dev, KVM_DEV_RISCV_AIA_CONFIG_IDS, nr_ids);
	if (r == 0)
		r = ckvm_aia_set_config(dev, KVM_DEV_RISCV_AIA_CONFIG_HART_BITS, hart_bits(nr_harts));
	if (r == 0 && nr_sources)
		r = ckvm_aia_set_aplic_addr(dev, aplic_base);
	for (h = 0; r == 0 && h < nr_harts; h++)
		r = ckvm_aia_set_imsic_addr(dev, h, imsic_base + (uint64_t)h * KVM_DEV_RISCV_IMSIC_SIZE);
	if (r == 0)
		r = ckvm_aia_init(dev);
	if (r < 0) {
		ckvm_device_close(dev);
		return r;
	}
	*out = dev;
	return 0;
}
