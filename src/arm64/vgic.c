/* SPDX-License-Identifier: MIT */
/*
 * arm64/vgic.c - the in-kernel GIC: vGICv2/v3 creation and setup, address,
 * interrupt count and control attributes, register access for
 * save/restore, and the ITS.
 */
#include "internal.h"

static bool is_vgic_type(uint32_t type)
{
	return type == KVM_DEV_TYPE_ARM_VGIC_V2 || type == KVM_DEV_TYPE_ARM_VGIC_V3;
}

int ckvm_vm_create_vgic(struct ckvm_vm *vm, uint32_t type, struct ckvm_device **out)
{
	if (!vm || !out || !is_vgic_type(type))
		return -EINVAL;
	return ckvm_vm_create_device(vm, type, 0, out);
}

int ckvm_vgic_set_addr(struct ckvm_device *dev, uint64_t addr_type, uint64_t addr)
{
	return ckvm_device_set_attr_val(dev, KVM_DEV_ARM_VGIC_GRP_ADDR, addr_type, &addr);
}

int ckvm_vgic_get_addr(struct ckvm_device *dev, uint64_t addr_type, uint64_t *addr)
{
	if (!addr)
		return -EINVAL;
	return ckvm_device_get_attr_val(dev, KVM_DEV_ARM_VGIC_GRP_ADDR, addr_type, addr);
}

int ckvm_vgic_v3_add_redist_region(struct ckvm_device *dev, uint32_t index, uint64_t base,
				   uint32_t count)
{
	uint64_t v;

	if (count == 0 || count > 0xfff || index > 0xfff || (base & 0xffff) ||
	    (base & ~0x000fffffffff0000ull))
		return -EINVAL;
	v = ckvm_vgic_v3_redist_region(index, base, count);
	return ckvm_device_set_attr_val(dev, KVM_DEV_ARM_VGIC_GRP_ADDR,
					KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, &v);
}

int ckvm_vgic_set_nr_irqs(struct ckvm_device *dev, uint32_t nr_irqs)
{
	return ckvm_device_set_attr_val(dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs);
}

int ckvm_vgic_get_nr_irqs(struct ckvm_device *dev, uint32_t *nr_irqs)
{
	if (!nr_irqs)
		return -EINVAL;
	return ckvm_device_get_attr_val(dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, nr_irqs);
}

int ckvm_vgic_ctrl(struct ckvm_device *dev, uint64_t ctrl)
{
	/* CTRL attributes take no value: addr stays 0. */
	return ckvm_device_set_attr_val(dev, KVM_DEV_ARM_VGIC_GRP_CTRL, ctrl, NULL);
}

int ckvm_vgic_init(struct ckvm_device *dev)
{
	return ckvm_vgic_ctrl(dev, KVM_DEV_ARM_VGIC_CTRL_INIT);
}

int ckvm_vgic_set_maint_irq(struct ckvm_device *dev, uint32_t intid)
{
	return ckvm_device_set_attr_val(dev, KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ, 0, &intid);
}

/*
 * Groups whose values are 64 bits wide: the kernel would read or write 8
 * bytes through a 4-byte value, so the 32-bit accessors refuse them. Every
 * ITS group that carries a value is 64-bit; on the GIC, the address group
 * and the GICv3 CPU system registers are.
 */
static bool group_is_64bit(const struct ckvm_device *dev, uint32_t group)
{
	if (ckvm_device_type(dev) == KVM_DEV_TYPE_ARM_VGIC_ITS)
		return true;
	return group == KVM_DEV_ARM_VGIC_GRP_ADDR || group == KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS;
}

int ckvm_vgic_get_reg32(struct ckvm_device *dev, uint32_t group, uint64_t attr, uint32_t *val)
{
	if (!dev || !val || group_is_64bit(dev, group))
		return -EINVAL;
	return ckvm_device_get_attr_val(dev, group, attr, val);
}

int ckvm_vgic_set_reg32(struct ckvm_device *dev, uint32_t group, uint64_t attr, uint32_t val)
{
	if (!dev || group_is_64bit(dev, group))
		return -EINVAL;
	return ckvm_device_set_attr_val(dev, group, attr, &val);
}

int ckvm_vgic_get_reg64(struct ckvm_device *dev, uint32_t group, uint64_t attr, uint64_t *val)
{
	if (!val)
		return -EINVAL;
	return ckvm_device_get_attr_val(dev, group, attr, val);
}

int ckvm_vgic_set_reg64(struct ckvm_device *dev, uint32_t group, uint64_t attr, uint64_t val)
{
	return ckvm_device_set_attr_val(dev, group, attr, &val);
}

int ckvm_vm_setup_vgic(struct ckvm_vm *vm, uint32_t type, uint64_t dist_base, uint64_t cpu_base,
		       uint32_t nr_irqs, struct ckvm_device **out)
{
	struct ckvm_device *dev = NULL;
	uint64_t dist_type, cpu_type;
	int r;

	if (!vm || !out || !is_vgic_type(type))
		return -EINVAL;
	if (nr_irqs && (nr_irqs < 64 || nr_irqs > 1024 || nr_irqs % 32))
		return -EINVAL;
	if (type == KVM_DEV_TYPE_ARM_VGIC_V3) {
		dist_type = KVM_VGIC_V3_ADDR_TYPE_DIST;
		cpu_type = KVM_VGIC_V3_ADDR_TYPE_REDIST;
	} else {
		dist_type = KVM_VGIC_V2_ADDR_TYPE_DIST;
		cpu_type = KVM_VGIC_V2_ADDR_TYPE_CPU;
	}
	r = ckvm_vm_create_vgic(vm, type, &dev);
	if (r < 0)
		return r;
	r = ckvm_vgic_set_addr(dev, dist_type, dist_base);
	if (r == 0)
		r = ckvm_vgic_set_addr(dev, cpu_type, cpu_base);
	if (r == 0 && nr_irqs)
		r = ckvm_vgic_set_nr_irqs(dev, nr_irqs);
	if (r == 0)
		r = ckvm_vgic_init(dev);
	if (r < 0) {
		ckvm_device_close(dev);
		return r;
	}
	*out = dev;
	return 0;
}

int ckvm_vm_create_its(struct ckvm_vm *vm, uint64_t base, struct ckvm_device **out)
{
	struct ckvm_device *dev = NULL;
	int r;

	if (!vm || !out || (base & 0xffff))
		return -EINVAL;
	r = ckvm_vm_create_device(vm, KVM_DEV_TYPE_ARM_VGIC_ITS, 0, &dev);
	if (r < 0)
		return r;
	r = ckvm_device_set_attr_val(dev, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &base);
	if (r == 0)
		r = ckvm_vgic_init(dev);
	if (r < 0) {
		ckvm_device_close(dev);
		return r;
	}
	*out = dev;
	return 0;
}

int ckvm_its_get_reg(struct ckvm_device *its, uint32_t offset, uint64_t *val)
{
	if (!val)
		return -EINVAL;
	return ckvm_device_get_attr_val(its, KVM_DEV_ARM_VGIC_GRP_ITS_REGS, offset, val);
}

int ckvm_its_set_reg(struct ckvm_device *its, uint32_t offset, uint64_t val)
{
	return ckvm_device_set_attr_val(its, KVM_DEV_ARM_VGIC_GRP_ITS_REGS, offset, &val);
}
