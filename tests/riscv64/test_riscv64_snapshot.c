/* SPDX-License-Identifier: MIT */
/*
 * test_riscv64_snapshot.c (kvm) - riscv64 snapshot round trip of a vCPU: a
 * counting guest is stopped at its first report, saved, restored into a
 * second VM (with a copy of RAM) that must show the same registers and
 * count on where the first stopped; a corrupted blob and a blob of another
 * kind are refused without changes. The AIA part is test_riscv64_snapshot_aia.c.
 */
#include "rv.h"

#include <errno.h>
#include <string.h>

/* the timer keeps running between the reads */
static bool timer_reg(uint64_t id)
{
	return ckvm_riscv_reg_type(id) == (KVM_REG_RISCV_TIMER >> KVM_REG_RISCV_TYPE_SHIFT);
}

static void test_round_trip(void **state)
{
	struct rv_guest g, h;
	struct ckvm_snapshot_ctx *ctx = NULL, *ctx2 = NULL;
	void *vblob = NULL, *cblob = NULL;
	size_t vlen = 0, clen = 0;

	(void)state;
	rv_guest_create(&g, 0);
	rv_guest_add_vcpu(&g);
	rv_guest_load_code(&g, rv_count);
	assert_int_equal(rv_run_mmio_write64(&g), 0x100);
	t_assert_ok(ckvm_snapshot_ctx_create(g.kvm, g.vm, &ctx));
	t_assert_ok(ckvm_snapshot_save_vcpu(ctx, g.vcpu, 0, &cblob, &clen));
	t_assert_ok(ckvm_snapshot_save_vm(ctx, NULL, 0, 0, &vblob, &vlen));
	t_assert_ok(ckvm_snapshot_validate(cblob, clen));
	t_assert_ok(ckvm_snapshot_validate(vblob, vlen));

	rv_guest_create(&h, 0);
	rv_guest_add_vcpu(&h);
	memcpy(h.mem, g.mem, g.mem_size);
	t_assert_ok(ckvm_snapshot_ctx_create(h.kvm, h.vm, &ctx2));
	/* wrong kind, corrupted: refused, nothing written */
	t_assert_err(ckvm_snapshot_restore_vcpu(ctx2, h.vcpu, vblob, vlen, 0), EINVAL);
	((uint8_t *)cblob)[clen / 2] ^= 0x40;
	t_assert_err(ckvm_snapshot_restore_vcpu(ctx2, h.vcpu, cblob, clen, 0), EBADMSG);
	((uint8_t *)cblob)[clen / 2] ^= 0x40;
	assert_int_equal(t_get_reg64(h.vcpu, ckvm_riscv_reg_x(5)), 0); /* t0 */
	t_assert_ok(ckvm_snapshot_restore_vm(ctx2, vblob, vlen, 0));
	t_assert_ok(ckvm_snapshot_restore_vcpu(ctx2, h.vcpu, cblob, clen, 0));

	t_compare_regs(g.vcpu, h.vcpu, timer_reg, ckvm_riscv_reg_name);
	assert_int_equal(t_get_reg64(h.vcpu, ckvm_riscv_reg_x(5)), 0x100);

	assert_int_equal(rv_run_mmio_write64(&h), 0x200);
	assert_int_equal(rv_run_mmio_write64(&h), 0x300);
	rv_run_to_shutdown(&h);

	ckvm_snapshot_free(cblob);
	ckvm_snapshot_free(vblob);
	ckvm_snapshot_ctx_free(ctx);
	ckvm_snapshot_ctx_free(ctx2);
	rv_guest_destroy(&h);
	rv_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
