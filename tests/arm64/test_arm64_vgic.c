/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_vgic.c (kvm) - the in-kernel GIC: kvm-ioctls'
 * test_create_device scenario (a bogus device type fails; a vGICv3, or a
 * vGICv2 where v3 is not available, created after the vCPU; NR_IRQS 128;
 * get_device_attr with a bad address gives EFAULT and with a good one 128;
 * CTRL_INIT), ckvm_vm_setup_vgic, KVM_IRQ_LINE for an SPI, vGIC register
 * access, GICv3 redistributor regions and the maintenance interrupt, and
 * the legacy KVM_CREATE_IRQCHIP +
 * KVM_ARM_SET_DEVICE_ADDR path where the host can emulate a GICv2 (the
 * ITS is in test_arm64_its.c).
 */
#include "a64.h"

#include <errno.h>
#include <string.h>

#define DIST_BASE A64_GIC_DIST_BASE
#define CPU_BASE A64_GIC_CPU_BASE       /* v2 CPU interface */
#define REDIST_BASE A64_GIC_REDIST_BASE /* v3 redistributors */

static void test_create_device(void **state)
{
	struct a64_guest g;
	struct ckvm_device *dev = NULL;
	struct kvm_device_attr attr;
	uint32_t type, nr = 0;
	uint64_t addr = 0;

	(void)state;
	a64_guest_create(&g, 0);
	/* an FSL MPIC is no arm64 device */
	t_assert_err(ckvm_vm_create_device(g.vm, KVM_DEV_TYPE_FSL_MPIC_20, 0, &dev), ENODEV);
	assert_null(dev);
	t_assert_err(ckvm_vm_create_vgic(g.vm, KVM_DEV_TYPE_FSL_MPIC_20, &dev), EINVAL);
	a64_guest_add_vcpu(&g, 0); /* GICv3 wants its vCPUs first */
	type = a64_gic_type(g.vm);
	t_assert_ok(ckvm_vm_create_vgic(g.vm, type, &dev));
	assert_int_equal(ckvm_device_type(dev), type);
	t_assert_ok(ckvm_vgic_set_addr(dev, type == KVM_DEV_TYPE_ARM_VGIC_V3 ?
				       KVM_VGIC_V3_ADDR_TYPE_DIST : KVM_VGIC_V2_ADDR_TYPE_DIST,
				       DIST_BASE));
	t_assert_ok(ckvm_vgic_set_addr(dev, type == KVM_DEV_TYPE_ARM_VGIC_V3 ?
				       KVM_VGIC_V3_ADDR_TYPE_REDIST : KVM_VGIC_V2_ADDR_TYPE_CPU,
				       type == KVM_DEV_TYPE_ARM_VGIC_V3 ? REDIST_BASE : CPU_BASE));
	t_assert_ok(ckvm_vgic_get_addr(dev, type == KVM_DEV_TYPE_ARM_VGIC_V3 ?
				       KVM_VGIC_V3_ADDR_TYPE_DIST : KVM_VGIC_V2_ADDR_TYPE_DIST, &addr));
	assert_int_equal(addr, DIST_BASE);
	t_assert_ok(ckvm_vgic_set_nr_irqs(dev, 128));
	/* get_device_attr: a bad user address gives EFAULT, a good one the value */
	memset(&attr, 0, sizeof(attr));
	attr.group = KVM_DEV_ARM_VGIC_GRP_NR_IRQS;
	attr.addr = 0x10; /* unmapped */
	t_assert_err(ckvm_device_get_attr(dev, &attr), EFAULT);
	t_assert_ok(ckvm_vgic_get_nr_irqs(dev, &nr));
	assert_int_equal(nr, 128);
	t_assert_ok(ckvm_device_has_attr(dev, &attr));
	t_assert_ok(ckvm_vgic_init(dev));
	/* after init the interrupt count is fixed */
	t_assert_err(ckvm_vgic_set_nr_irqs(dev, 256), EBUSY);
	ckvm_device_close(dev);
	a64_guest_destroy(&g);
}

static void test_setup_and_irq_line(void **state)
{
	struct a64_guest g;
	struct ckvm_device *dev = NULL;
	uint32_t type, nr = 0, val = 0, spi = 40;
	uint64_t off;

	(void)state;
	a64_guest_create(&g, 0);
	a64_guest_add_vcpu(&g, 0);
	type = a64_gic_type(g.vm);
	t_assert_err(ckvm_vm_setup_vgic(g.vm, type, DIST_BASE, REDIST_BASE, 100, &dev), EINVAL);
	assert_null(dev);
	t_assert_ok(ckvm_vm_setup_vgic(g.vm, type, DIST_BASE,
				       type == KVM_DEV_TYPE_ARM_VGIC_V3 ? REDIST_BASE : CPU_BASE,
				       96, &dev));
	t_assert_ok(ckvm_vgic_get_nr_irqs(dev, &nr));
	assert_int_equal(nr, 96);
	/* raise SPI 40 (edge/level default) and see it pending in GICD_ISPENDR1 */
	t_assert_ok(ckvm_vm_set_irq_line(g.vm, ckvm_arm64_irq(KVM_ARM_IRQ_TYPE_SPI, 0, spi), true));
	off = 0x200 + (spi / 32) * 4; /* GICD_ISPENDR<n> */
	if (type == KVM_DEV_TYPE_ARM_VGIC_V3)
		t_assert_ok(ckvm_vgic_get_reg32(dev, KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
						ckvm_vgic_v3_attr(0, (uint32_t)off), &val));
	else
		t_assert_ok(ckvm_vgic_get_reg32(dev, KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
						ckvm_vgic_v2_attr(0, (uint32_t)off), &val));
	assert_true(val & (1u << (spi % 32)));
	t_assert_ok(ckvm_vm_set_irq_line(g.vm, ckvm_arm64_irq(KVM_ARM_IRQ_TYPE_SPI, 0, spi), false));
	/* an SPI beyond nr_irqs is refused */
	assert_true(ckvm_vm_set_irq_line(g.vm, ckvm_arm64_irq(KVM_ARM_IRQ_TYPE_SPI, 0, 200), true) < 0);
	if (type == KVM_DEV_TYPE_ARM_VGIC_V3) {
		uint64_t pmr = 0;
		uint32_t aff = ckvm_arm64_mpidr_to_attr_aff(t_get_reg64(g.vcpu, CKVM_ARM64_MPIDR_EL1));

		/* a CPU interface system register of vCPU 0: ICC_PMR_EL1 round trip */
		t_assert_ok(ckvm_vgic_set_reg64(dev, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
						ckvm_vgic_v3_sysreg_attr(aff, 3, 0, 4, 6, 0), 0xf0));
		t_assert_ok(ckvm_vgic_get_reg64(dev, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
						ckvm_vgic_v3_sysreg_attr(aff, 3, 0, 4, 6, 0), &pmr));
		assert_int_equal(pmr, 0xf0);
		/* GICR_TYPER of vCPU 0 names its affinity (bits 63:32) */
		{
			uint32_t hi = 0;

			t_assert_ok(ckvm_vgic_get_reg32(dev, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS,
							ckvm_vgic_v3_attr(aff, 0x0008 + 4), &hi));
			assert_int_equal(hi, aff);
		}
	}
	ckvm_device_close(dev);
	a64_guest_destroy(&g);
}

static void test_redist_region_and_maint_irq(void **state)
{
	struct a64_guest g;
	struct ckvm_device *dev = NULL;
	struct kvm_device_attr attr;
	uint32_t mi = 0;

	(void)state;
	a64_guest_create(&g, 0);
	a64_guest_add_vcpu(&g, 0);
	if (ckvm_vm_test_create_device(g.vm, KVM_DEV_TYPE_ARM_VGIC_V3) < 0) {
		/* GICv2 only: redistributor regions do not exist */
		t_assert_ok(ckvm_vm_create_vgic(g.vm, KVM_DEV_TYPE_ARM_VGIC_V2, &dev));
		assert_true(ckvm_vgic_v3_add_redist_region(dev, 0, REDIST_BASE, 1) < 0);
		assert_true(ckvm_vgic_set_maint_irq(dev, 25) < 0);
		ckvm_device_close(dev);
		a64_guest_destroy(&g);
		return;
	}
	t_assert_ok(ckvm_vm_create_vgic(g.vm, KVM_DEV_TYPE_ARM_VGIC_V3, &dev));
	t_assert_ok(ckvm_vgic_set_addr(dev, KVM_VGIC_V3_ADDR_TYPE_DIST, DIST_BASE));
	/* misaligned bases and bad counts are refused before the ioctl */
	t_assert_err(ckvm_vgic_v3_add_redist_region(dev, 0, REDIST_BASE + 0x1000, 1), EINVAL);
	t_assert_err(ckvm_vgic_v3_add_redist_region(dev, 0, REDIST_BASE, 0), EINVAL);
	/* region 0 with room for one vCPU, region 1 elsewhere */
	t_assert_ok(ckvm_vgic_v3_add_redist_region(dev, 0, REDIST_BASE, 1));
	t_assert_ok(ckvm_vgic_v3_add_redist_region(dev, 1, 0x09000000, 2));
	/* indexes must come in order */
	assert_true(ckvm_vgic_v3_add_redist_region(dev, 5, 0x0a000000, 1) < 0);
	/* the nested-virt maintenance interrupt, where this kernel has it */
	memset(&attr, 0, sizeof(attr));
	attr.group = KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ;
	if (ckvm_device_has_attr(dev, &attr) == 0) {
		t_assert_err(ckvm_vgic_set_maint_irq(dev, 40), EINVAL); /* not a PPI */
		t_assert_ok(ckvm_vgic_set_maint_irq(dev, 25));
		t_assert_ok(ckvm_device_get_attr_val(dev, KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ, 0, &mi));
		assert_int_equal(mi, 25);
	} else {
		assert_true(ckvm_vgic_set_maint_irq(dev, 25) < 0);
	}
	t_assert_ok(ckvm_vgic_init(dev));
	ckvm_device_close(dev);
	a64_guest_destroy(&g);
}

static void test_legacy_irqchip(void **state)
{
	struct a64_guest g;
	int r;

	(void)state;
	a64_guest_create(&g, 0);
	r = ckvm_vm_create_irq_chip(g.vm);
	if (r < 0) {
		/* KVM_CREATE_IRQCHIP makes a GICv2 only: it fails exactly when v2 cannot be emulated */
		assert_true(ckvm_vm_test_create_device(g.vm, KVM_DEV_TYPE_ARM_VGIC_V2) < 0);
		assert_int_equal(r, -ENODEV);
		assert_true(ckvm_vm_arm_set_device_addr(g.vm,
			ckvm_arm64_device_addr_id(KVM_ARM_DEVICE_VGIC_V2, KVM_VGIC_V2_ADDR_TYPE_DIST),
			DIST_BASE) < 0);
	} else {
		t_assert_ok(ckvm_vm_arm_set_device_addr(g.vm,
			ckvm_arm64_device_addr_id(KVM_ARM_DEVICE_VGIC_V2, KVM_VGIC_V2_ADDR_TYPE_DIST),
			DIST_BASE));
		t_assert_ok(ckvm_vm_arm_set_device_addr(g.vm,
			ckvm_arm64_device_addr_id(KVM_ARM_DEVICE_VGIC_V2, KVM_VGIC_V2_ADDR_TYPE_CPU),
			CPU_BASE));
		/* setting an address twice is refused */
		t_assert_err(ckvm_vm_arm_set_device_addr(g.vm,
			ckvm_arm64_device_addr_id(KVM_ARM_DEVICE_VGIC_V2, KVM_VGIC_V2_ADDR_TYPE_DIST),
			DIST_BASE), EEXIST);
		/* a second GIC is refused */
		t_assert_err(ckvm_vm_create_irq_chip(g.vm), EEXIST);
	}
	a64_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_device),
		cmocka_unit_test(test_setup_and_irq_line),
		cmocka_unit_test(test_legacy_irqchip),
		cmocka_unit_test(test_redist_region_and_maint_irq),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
