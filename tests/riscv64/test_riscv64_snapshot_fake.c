/* SPDX-License-Identifier: MIT */
/*
 * test_riscv64_snapshot_fake.c (unit) - the riscv64 snapshot save and
 * restore paths (src/snapshot_onereg.c + src/riscv64/snapshot.c) against a
 * fake /dev/kvm (tests/lib/onereg_fake.c): a vCPU with config, core, timer,
 * FP and vector registers and an AIA, saved and restored into a second VM
 * that must end up with the same registers (the read-only timer frequency
 * compared, never written), MP state and AIA registers (in the saved
 * order); targets that do not fit (a register missing, another timer
 * frequency, another AIA configuration or IMSIC address) are refused
 * before anything is written; has_attr answers and read errors. Runs on
 * riscv64 (qemu-user in .ci/cross), no /dev/kvm needed.
 */
#include "onereg_fake.h"

#include <errno.h>
#include <string.h>

#define SRCS 40

/* The fake's register list: config.isa, pc, a0, timer frequency, fcsr, v1 (VLEN 256), time. */
#define NREGS 7
static uint64_t ids[NREGS];

static void init_ids(void)
{
	ids[0] = ckvm_riscv_config_reg(CKVM_RISCV_CONFIG_ISA);
	ids[1] = ckvm_riscv_reg_pc();
	ids[2] = ckvm_riscv_reg_a(0);
	ids[3] = ckvm_riscv_timer_reg(CKVM_RISCV_TIMER_FREQUENCY);
	ids[4] = ckvm_riscv_fp_d_reg(CKVM_RISCV_FP_FCSR);
	ids[5] = ckvm_riscv_vector_reg(1, 32);
	ids[6] = ckvm_riscv_timer_reg(CKVM_RISCV_TIMER_TIME);
}

/* A vCPU whose registers are a function of seed, with a timer frequency of freq. */
static struct ckvm_vcpu *vcpu_new(struct ckvm_vm *vm, unsigned seed, int drop, uint8_t freq)
{
	struct fake_vcpu *c = fake_next_vcpu();
	struct ckvm_vcpu *vcpu = NULL;
	uint8_t *v;

	init_ids();
	fake_fill_regs(c, ids, NREGS, seed, drop);
	v = (uint8_t *)fake_reg(c, ckvm_riscv_timer_reg(CKVM_RISCV_TIMER_FREQUENCY));
	memset(v, 0, 8);
	v[0] = freq;
	c->mp.mp_state = seed ? KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_STOPPED;
	t_assert_ok(ckvm_vm_create_vcpu(vm, 0, &vcpu));
	return vcpu;
}

/* An AIA of srcs sources whose addresses are moved by salt, registered with f's context. */
static void aia_new(struct fake_vm *f, uint32_t srcs, uint64_t salt)
{
	static const uint32_t config[7] = { 0, 255, SRCS, 0, 24, 1, 0 };
	struct fake_dev *d = fake_next_dev();

	memcpy(d->config, config, sizeof(config));
	d->config[KVM_DEV_RISCV_AIA_CONFIG_SRCS] = srcs;
	d->addr_salt = salt;
	d->enodev = 1; /* the AIA answers ENODEV for what it does not have */
	ckvm_device_close(f->chip);
	f->chip = NULL;
	t_assert_ok(ckvm_vm_create_device(f->vm, KVM_DEV_TYPE_RISCV_AIA, 0, &f->chip));
	t_assert_ok(ckvm_snapshot_ctx_set_aia(f->ctx, f->chip, 1));
}

/* The saved VM: registers of seed 0, timer frequency 10, STOPPED. */
static void source(struct fake_vm *s)
{
	fake_vm_create(s, NULL);
	s->vcpu = vcpu_new(s->vm, 0, -1, 10);
	aia_new(s, SRCS, 0);
	fake_vm_save(s);
}

static void test_save_records(void **state)
{
	struct ckvm_snapshot_record rec;
	struct fake_vm s;

	(void)state;
	source(&s);
	/* ONE_REGS: every listed id, the read-only timer frequency too */
	fake_check_one_regs(s.cblob, s.clen, fake_vcpu_of(s.vcpu), 0);
	assert_int_equal(ckvm_snapshot_find(s.cblob, s.clen, CKVM_SNAPSHOT_REC_MP_STATE, &rec), 1);
	/* the AIA registers this AIA has (ENODEV meaning absent), IMSIC ones 8 bytes wide */
	assert_true(fake_check_attrs(s.vblob, s.vlen, CKVM_SNAPSHOT_REC_RISCV_AIA_ATTRS,
				     fake_dev_of(s.chip), KVM_DEV_RISCV_AIA_GRP_IMSIC) > 40);
	fake_vm_close(&s);
}

static void test_restore_round_trip(void **state)
{
	struct fake_vm s, t;
	struct fake_vcpu *dst;

	(void)state;
	source(&s);
	fake_vm_create(&t, s.kvm);
	t.vcpu = vcpu_new(t.vm, 1, -1, 10);
	aia_new(&t, SRCS, 0);
	fake_vm_restore(&t, &s);
	/* the registers (the timer frequency is compared, never written), then the MP state */
	dst = fake_vcpu_of(t.vcpu);
	fake_check_regs_restored(fake_vcpu_of(s.vcpu), dst,
				 ckvm_riscv_timer_reg(CKVM_RISCV_TIMER_FREQUENCY));
	assert_int_equal(dst->mp_sets, 1);
	assert_int_equal(dst->mp.mp_state, KVM_MP_STATE_STOPPED);
	/* the AIA registers, in the saved order */
	fake_check_attrs_restored(s.vblob, s.vlen, CKVM_SNAPSHOT_REC_RISCV_AIA_ATTRS,
				  fake_dev_of(s.chip), fake_dev_of(t.chip));
	fake_vm_close(&t);
	fake_vm_close(&s);
}

static void test_refused_before_writing(void **state)
{
	struct fake_vm s, t;

	(void)state;
	source(&s);
	fake_vm_create(&t, s.kvm);
	/* a register the target does not list (a0) */
	t.vcpu = vcpu_new(t.vm, 1, 2, 10);
	fake_check_refused(&t, &s, false, EOPNOTSUPP);
	ckvm_vcpu_close(t.vcpu);
	/* another timer frequency (the host's timebase) */
	t.vcpu = vcpu_new(t.vm, 1, -1, 11);
	fake_check_refused(&t, &s, false, EOPNOTSUPP);
	/* no AIA registered, another source count, other addresses */
	fake_check_refused(&t, &s, true, EOPNOTSUPP);
	aia_new(&t, SRCS + 32, 0);
	fake_check_refused(&t, &s, true, EOPNOTSUPP);
	aia_new(&t, SRCS, 0x1000);
	fake_check_refused(&t, &s, true, EOPNOTSUPP);
	fake_vm_close(&t);
	fake_vm_close(&s);
}

static void test_save_errors(void **state)
{
	struct fake_vm f;
	struct fake_vcpu *c;
	void *blob = NULL;
	size_t len = 0;

	(void)state;
	fake_vm_create(&f, NULL);
	f.vcpu = vcpu_new(f.vm, 0, -1, 10);
	c = fake_vcpu_of(f.vcpu);
	c->fail_get_id = ckvm_riscv_reg_a(0);
	c->fail_get_err = EIO;
	t_assert_err(ckvm_snapshot_save_vcpu(f.ctx, f.vcpu, 0, &blob, &len), EIO);
	assert_null(blob);
	/* has_attr: an answer other than "absent" fails the save */
	aia_new(&f, SRCS, 0);
	fake_dev_of(f.chip)->has_fail_err = EPERM;
	t_assert_err(ckvm_snapshot_save_vm(f.ctx, NULL, 0, 0, &blob, &len), EPERM);
	assert_null(blob);
	fake_vm_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_save_records),
		cmocka_unit_test(test_restore_round_trip),
		cmocka_unit_test(test_refused_before_writing),
		cmocka_unit_test(test_save_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
