/* SPDX-License-Identifier: MIT */
/*
 * test_riscv64_snapshot_aia.c (kvm) - the AIA part of the riscv64 VM
 * snapshot: APLIC source modes and an IMSIC delivery setting are saved with
 * the configuration, a target with another source count is refused before
 * anything is written, and a target of the same configuration gets the
 * registers back. Skips where the host has no AIA.
 */
#include "rv.h"

#include <errno.h>
#include <string.h>

#define APLIC_BASE 0x0c000000ull
#define IMSIC_BASE 0x28000000ull

static struct ckvm_device *setup(struct rv_guest *g, uint32_t srcs)
{
	struct ckvm_device *aia = NULL;

	rv_guest_create(g, 0);
	rv_guest_add_vcpu(g);
	rv_require_aia(g);
	t_assert_ok(ckvm_vm_setup_aia(g->vm, 1, srcs, 0, APLIC_BASE, IMSIC_BASE, &aia));
	return aia;
}

static void test_aia_round_trip(void **state)
{
	struct rv_guest g, h;
	struct ckvm_device *aia, *aia2;
	struct ckvm_snapshot_ctx *ctx = NULL, *ctx2 = NULL;
	struct ckvm_snapshot_record rec;
	void *vblob = NULL;
	size_t vlen = 0;
	uint32_t cfg = 0;
	uint64_t eid = 0;

	(void)state;
	aia = setup(&g, 32);
	t_assert_ok(ckvm_aia_set_aplic_reg(aia, 0x0004 + 4 * 2, 6)); /* sourcecfg[3]: level high */
	t_assert_ok(ckvm_aia_set_imsic_reg(aia, 0, 0x70, 1));        /* eidelivery */
	t_assert_ok(ckvm_snapshot_ctx_create(g.kvm, g.vm, &ctx));
	t_assert_err(ckvm_snapshot_ctx_set_aia(ctx, aia, 0), EINVAL);
	t_assert_ok(ckvm_snapshot_ctx_set_aia(ctx, aia, 1));
	t_assert_ok(ckvm_snapshot_save_vm(ctx, NULL, 0, 0, &vblob, &vlen));
	assert_int_equal(ckvm_snapshot_find(vblob, vlen, CKVM_SNAPSHOT_REC_RISCV_AIA, &rec), 1);
	assert_int_equal(ckvm_snapshot_find(vblob, vlen, CKVM_SNAPSHOT_REC_RISCV_AIA_ATTRS, &rec), 1);
	assert_true(rec.len > 8 + 24 * 32);

	/* another source count: refused, nothing written */
	aia2 = setup(&h, 64);
	t_assert_ok(ckvm_snapshot_ctx_create(h.kvm, h.vm, &ctx2));
	t_assert_ok(ckvm_snapshot_ctx_set_aia(ctx2, aia2, 1));
	t_assert_err(ckvm_snapshot_restore_vm(ctx2, vblob, vlen, 0), EOPNOTSUPP);
	t_assert_ok(ckvm_aia_get_aplic_reg(aia2, 0x0004 + 4 * 2, &cfg));
	assert_int_equal(cfg, 0);
	ckvm_snapshot_ctx_free(ctx2);
	ckvm_device_close(aia2);
	rv_guest_destroy(&h);

	/* the same configuration: the registers come back */
	aia2 = setup(&h, 32);
	t_assert_ok(ckvm_snapshot_ctx_create(h.kvm, h.vm, &ctx2));
	t_assert_ok(ckvm_snapshot_ctx_set_aia(ctx2, aia2, 1));
	t_assert_ok(ckvm_snapshot_restore_vm(ctx2, vblob, vlen, 0));
	t_assert_ok(ckvm_aia_get_aplic_reg(aia2, 0x0004 + 4 * 2, &cfg));
	assert_int_equal(cfg, 6);
	t_assert_ok(ckvm_aia_get_imsic_reg(aia2, 0, 0x70, &eid));
	assert_int_equal(eid, 1);

	ckvm_snapshot_free(vblob);
	ckvm_snapshot_ctx_free(ctx);
	ckvm_snapshot_ctx_free(ctx2);
	ckvm_device_close(aia);
	ckvm_device_close(aia2);
	rv_guest_destroy(&h);
	rv_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aia_round_trip),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
