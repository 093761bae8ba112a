/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_its.c (kvm) - the GICv3 ITS: created on an initialized vGICv3
 * with ckvm_vm_create_its (a misaligned base is refused), GITS_IIDR and
 * GITS_CTLR read and GITS_CBASER written through ckvm_its_get/set_reg, and
 * the table save / pending
 * table save controls on a quiescent VM. Skips where the host has no
 * GICv3 or ITS emulation.
 */
#include "a64.h"

#include <errno.h>
#include <string.h>

#define DIST_BASE 0x08000000ull
#define REDIST_BASE 0x080a0000ull
#define ITS_BASE 0x08080000ull

static void test_its(void **state)
{
	struct a64_guest g;
	struct ckvm_device *gic = NULL, *its = NULL;
	uint64_t ctlr = 0, iidr = 0;

	(void)state;
	a64_guest_create(&g, 0);
	a64_guest_add_vcpu(&g, 0);
	if (ckvm_vm_test_create_device(g.vm, KVM_DEV_TYPE_ARM_VGIC_V3) < 0 ||
	    ckvm_vm_test_create_device(g.vm, KVM_DEV_TYPE_ARM_VGIC_ITS) < 0)
		t_skip("needs KVM_DEV_TYPE_ARM_VGIC_V3 and KVM_DEV_TYPE_ARM_VGIC_ITS");
	t_assert_ok(ckvm_vm_setup_vgic(g.vm, KVM_DEV_TYPE_ARM_VGIC_V3, DIST_BASE, REDIST_BASE, 128,
				       &gic));
	t_assert_err(ckvm_vm_create_its(g.vm, ITS_BASE + 0x1000, &its), EINVAL);
	t_assert_ok(ckvm_vm_create_its(g.vm, ITS_BASE, &its));
	/* GITS_IIDR (0x4) names the implementer; GITS_CTLR (0x0) starts disabled */
	t_assert_ok(ckvm_its_get_reg(its, 0x4, &iidr));
	assert_int_not_equal(iidr, 0);
	t_assert_ok(ckvm_its_get_reg(its, 0x0, &ctlr));
	assert_int_equal(ctlr & 1, 0);
	/* GITS_CBASER (0x80) takes a command queue address while the ITS is off */
	{
		uint64_t cbaser = 0;

		t_assert_ok(ckvm_its_set_reg(its, 0x80, 0x40010000ull));
		t_assert_ok(ckvm_its_get_reg(its, 0x80, &cbaser));
		assert_int_equal(cbaser & 0x000ffffffffff000ull, 0x40010000ull);
	}
	/* save/restore of the (empty) tables works on a quiescent VM */
	t_assert_ok(ckvm_vgic_ctrl(its, KVM_DEV_ARM_ITS_SAVE_TABLES));
	t_assert_ok(ckvm_vgic_ctrl(gic, KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES));
	ckvm_device_close(its);
	ckvm_device_close(gic);
	a64_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_its),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
