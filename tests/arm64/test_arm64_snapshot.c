/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_snapshot.c (kvm) - arm64 snapshot round trip: a counting guest
 * is stopped at its first report, its vCPU and VM (vGIC with a pending SPI
 * and a CPU interface priority mask) are saved, a second VM of the same
 * configuration is restored from the blobs (and a copy of RAM) and must
 * show the same registers and vGIC state and continue counting where the
 * first stopped. A target with another vGIC size is refused before
 * anything is written; a corrupted blob is refused.
 */
#include "a64.h"

#include <errno.h>
#include <string.h>

#define SPI 40u
#define PMR_ATTR(aff) ckvm_vgic_v3_sysreg_attr(aff, 3, 0, 4, 6, 0)

static bool volatile_reg(uint64_t id)
{
	/* counters move between the two reads */
	return id == KVM_REG_ARM_TIMER_CNT || id == KVM_REG_ARM_PTIMER_CNT;
}

static void test_round_trip(void **state)
{
	struct a64_guest g, h;
	struct ckvm_device *gic, *gic2, *small;
	struct ckvm_snapshot_ctx *ctx = NULL, *ctx2 = NULL;
	struct ckvm_snapshot_record rec;
	void *vblob = NULL, *cblob = NULL;
	size_t vlen = 0, clen = 0;
	struct ckvm_exit e;
	uint32_t type, aff;
	uint64_t v;

	(void)state;
	a64_guest_create(&g, 0);
	a64_guest_add_vcpu(&g, 0);
	type = a64_gic_type(g.vm);
	gic = a64_setup_gic(&g, type, 128);
	a64_guest_load_code(&g, a64_count);
	e = a64_run_expect(&g, CKVM_EXIT_MMIO_WRITE);
	memcpy(&v, e.mmio.data, 8);
	assert_int_equal(v, 0x100);
	/* vGIC state worth carrying over */
	t_assert_ok(ckvm_vm_set_irq_line(g.vm, ckvm_arm64_irq(KVM_ARM_IRQ_TYPE_SPI, 0, SPI), true));
	assert_true(a64_spi_pending(gic, type, SPI));
	aff = ckvm_arm64_mpidr_to_attr_aff(t_get_reg64(g.vcpu, CKVM_ARM64_MPIDR_EL1));
	if (type == KVM_DEV_TYPE_ARM_VGIC_V3)
		t_assert_ok(ckvm_vgic_set_reg64(gic, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, PMR_ATTR(aff),
						0xf0));

	/* save */
	t_assert_ok(ckvm_snapshot_ctx_create(g.kvm, g.vm, &ctx));
	t_assert_ok(ckvm_snapshot_ctx_set_vgic(ctx, gic, &g.vcpu, 1));
	t_assert_ok(ckvm_snapshot_save_vcpu(ctx, g.vcpu, 0, &cblob, &clen));
	t_assert_ok(ckvm_snapshot_save_vm(ctx, NULL, 0, 0, &vblob, &vlen));
	t_assert_ok(ckvm_snapshot_validate(cblob, clen));
	t_assert_ok(ckvm_snapshot_validate(vblob, vlen));
	assert_int_equal(ckvm_snapshot_find(cblob, clen, CKVM_SNAPSHOT_REC_ONE_REGS, &rec), 1);
	assert_int_equal(ckvm_snapshot_find(cblob, clen, CKVM_SNAPSHOT_REC_MP_STATE, &rec), 1);
	assert_int_equal(ckvm_snapshot_find(vblob, vlen, CKVM_SNAPSHOT_REC_ARM64_VGIC, &rec), 1);
	assert_int_equal(ckvm_snapshot_find(vblob, vlen, CKVM_SNAPSHOT_REC_ARM64_VGIC_ATTRS, &rec), 1);
	assert_true(rec.len > 8 + 24 * 16);

	/* a target whose vGIC has another size is refused before any write */
	a64_guest_create(&h, 0);
	a64_guest_add_vcpu(&h, 0);
	small = a64_setup_gic(&h, type, 64);
	t_assert_ok(ckvm_snapshot_ctx_create(h.kvm, h.vm, &ctx2));
	/* without a registered vGIC, vGIC state cannot be restored */
	t_assert_err(ckvm_snapshot_restore_vm(ctx2, vblob, vlen, 0), EOPNOTSUPP);
	t_assert_ok(ckvm_snapshot_ctx_set_vgic(ctx2, small, &h.vcpu, 1));
	t_assert_err(ckvm_snapshot_restore_vm(ctx2, vblob, vlen, 0), EOPNOTSUPP);
	assert_false(a64_spi_pending(small, type, SPI));
	ckvm_snapshot_ctx_free(ctx2);
	ckvm_device_close(small);
	a64_guest_destroy(&h);

	/* the real target: same configuration */
	a64_guest_create(&h, 0);
	a64_guest_add_vcpu(&h, 0);
	gic2 = a64_setup_gic(&h, type, 128);
	memcpy(h.mem, g.mem, g.mem_size);
	t_assert_ok(ckvm_snapshot_ctx_create(h.kvm, h.vm, &ctx2));
	t_assert_ok(ckvm_snapshot_ctx_set_vgic(ctx2, gic2, &h.vcpu, 1));
	/* corrupted blobs change nothing */
	((uint8_t *)cblob)[clen - 1] ^= 0xff;
	t_assert_err(ckvm_snapshot_restore_vcpu(ctx2, h.vcpu, cblob, clen, 0), EBADMSG);
	((uint8_t *)cblob)[clen - 1] ^= 0xff;
	assert_int_equal(t_get_reg64(h.vcpu, ckvm_arm64_reg_x(1)), 0);
	t_assert_ok(ckvm_snapshot_restore_vm(ctx2, vblob, vlen, 0));
	t_assert_ok(ckvm_snapshot_restore_vcpu(ctx2, h.vcpu, cblob, clen, 0));

	/* same registers, same vGIC state */
	t_compare_regs(g.vcpu, h.vcpu, volatile_reg, ckvm_arm64_reg_name);
	assert_true(a64_spi_pending(gic2, type, SPI));
	if (type == KVM_DEV_TYPE_ARM_VGIC_V3) {
		uint64_t pmr = 0;

		t_assert_ok(ckvm_vgic_get_reg64(gic2, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, PMR_ATTR(aff),
						&pmr));
		assert_int_equal(pmr, 0xf0);
	}

	/* the restored guest counts on from 0x100 */
	e = a64_run_expect(&h, CKVM_EXIT_MMIO_WRITE);
	memcpy(&v, e.mmio.data, 8);
	assert_int_equal(v, 0x200);
	e = a64_run_expect(&h, CKVM_EXIT_MMIO_WRITE);
	memcpy(&v, e.mmio.data, 8);
	assert_int_equal(v, 0x300);
	a64_run_to_system_off(&h);

	ckvm_snapshot_free(cblob);
	ckvm_snapshot_free(vblob);
	ckvm_snapshot_ctx_free(ctx);
	ckvm_snapshot_ctx_free(ctx2);
	ckvm_device_close(gic);
	ckvm_device_close(gic2);
	a64_guest_destroy(&h);
	a64_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
