/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_snapshot_fake.c (unit) - the arm64 snapshot save and restore
 * paths (src/snapshot_onereg.c + src/arm64/snapshot.c) against a fake
 * /dev/kvm (tests/lib/onereg_fake.c): a vCPU with core, FP/SIMD, SVE and
 * system registers, the SVE vector lengths and a pending SError, and a
 * vGICv3, saved and restored into a second VM that must end up with the
 * same registers, events, MP state and vGIC registers (written in the
 * saved order); targets that do not fit (a register missing, other vector
 * lengths, no vCPU events, another vGIC size or address) are refused
 * before anything is written; has_attr answers and read errors. Runs on
 * arm64 (qemu-user in .ci/cross), no /dev/kvm needed.
 */
#include "onereg_fake.h"

#include <errno.h>
#include <string.h>

#define NIRQ 96

/* The fake's register list: pc, x0, v0, fpsr, MPIDR_EL1, the SVE vector lengths, z3. */
#define NREGS 7
static uint64_t ids[NREGS];

static void init_ids(void)
{
	ids[0] = ckvm_arm64_reg_pc();
	ids[1] = ckvm_arm64_reg_x(0);
	ids[2] = ckvm_arm64_reg_v(0);
	ids[3] = ckvm_arm64_reg_fpsr();
	ids[4] = CKVM_ARM64_MPIDR_EL1;
	ids[5] = KVM_REG_ARM64_SVE_VLS;
	ids[6] = ckvm_arm64_sve_zreg(3, 0);
}

/* A vCPU whose registers are a function of seed; vls0 is the first byte of the vector lengths. */
static struct ckvm_vcpu *vcpu_new(struct ckvm_vm *vm, unsigned seed, int drop, uint8_t vls0)
{
	struct fake_vcpu *c = fake_next_vcpu();
	struct ckvm_vcpu *vcpu = NULL;
	uint8_t *v;

	init_ids();
	fake_fill_regs(c, ids, NREGS, seed, drop);
	v = (uint8_t *)fake_reg(c, KVM_REG_ARM64_SVE_VLS);
	if (v) {
		memset(v, 0, 64);
		v[0] = vls0;
	}
	v = (uint8_t *)fake_reg(c, CKVM_ARM64_MPIDR_EL1);
	memset(v, 0, 8);
	v[3] = 0x80; /* RES1 bit 31, affinity 0 */
	c->mp.mp_state = seed ? KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_STOPPED;
	if (!seed) {
		c->ev.exception.serror_pending = 1;
		c->ev.exception.serror_has_esr = 1;
		c->ev.exception.serror_esr = 0x1234;
	}
	t_assert_ok(ckvm_vm_create_vcpu(vm, 0, &vcpu));
	return vcpu;
}

/* A vGICv3 of nr_irqs interrupts whose addresses are moved by salt, registered with f's context. */
static void vgic_new(struct fake_vm *f, uint32_t nr_irqs, uint64_t salt)
{
	struct fake_dev *d = fake_next_dev();

	d->nr_irqs = nr_irqs;
	d->addr_salt = salt;
	ckvm_device_close(f->chip);
	f->chip = NULL;
	t_assert_ok(ckvm_vm_create_device(f->vm, KVM_DEV_TYPE_ARM_VGIC_V3, 0, &f->chip));
	t_assert_ok(ckvm_snapshot_ctx_set_vgic(f->ctx, f->chip, &f->vcpu, 1));
}

/* The saved VM: registers of seed 0, vector lengths 3, an SError pending, STOPPED. */
static void source(struct fake_vm *s)
{
	fake_vm_create(s, NULL);
	s->vcpu = vcpu_new(s->vm, 0, -1, 3);
	vgic_new(s, NIRQ, 0);
	fake_vm_save(s);
}

static void test_save_records(void **state)
{
	struct ckvm_snapshot_record rec;
	struct fake_vm s;

	(void)state;
	source(&s);
	/* ONE_REGS: every listed id but the vector lengths, which have their own record */
	fake_check_one_regs(s.cblob, s.clen, fake_vcpu_of(s.vcpu), KVM_REG_ARM64_SVE_VLS);
	assert_int_equal(ckvm_snapshot_find(s.cblob, s.clen, CKVM_SNAPSHOT_REC_ARM64_SVE_VLS, &rec), 1);
	assert_int_equal(rec.len, 64);
	assert_int_equal(((const uint8_t *)rec.data)[0], 3);
	assert_int_equal(ckvm_snapshot_find(s.cblob, s.clen, CKVM_SNAPSHOT_REC_ARM64_EVENTS, &rec), 1);
	assert_int_equal(ckvm_snapshot_find(s.cblob, s.clen, CKVM_SNAPSHOT_REC_MP_STATE, &rec), 1);
	/* the vGIC registers this vGIC has, system registers 8 bytes wide */
	assert_true(fake_check_attrs(s.vblob, s.vlen, CKVM_SNAPSHOT_REC_ARM64_VGIC_ATTRS,
				     fake_dev_of(s.chip), KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS) > 100);
	fake_vm_close(&s);
}

static void test_restore_round_trip(void **state)
{
	struct fake_vm s, t;
	struct fake_vcpu *dst;

	(void)state;
	source(&s);
	fake_vm_create(&t, s.kvm);
	t.vcpu = vcpu_new(t.vm, 1, -1, 3);
	vgic_new(&t, NIRQ, 0);
	fake_vm_restore(&t, &s);
	/* the registers (the vector lengths are compared, never written), events, MP state */
	dst = fake_vcpu_of(t.vcpu);
	fake_check_regs_restored(fake_vcpu_of(s.vcpu), dst, KVM_REG_ARM64_SVE_VLS);
	assert_int_equal(dst->event_sets, 1);
	assert_int_equal(dst->ev.exception.serror_pending, 1);
	assert_int_equal(dst->ev.exception.serror_esr, 0x1234);
	assert_int_equal(dst->mp_sets, 1);
	assert_int_equal(dst->mp.mp_state, KVM_MP_STATE_STOPPED);
	/* the vGIC registers, in the saved order */
	fake_check_attrs_restored(s.vblob, s.vlen, CKVM_SNAPSHOT_REC_ARM64_VGIC_ATTRS,
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
	/* a register the target does not list (v0) */
	t.vcpu = vcpu_new(t.vm, 1, 2, 3);
	fake_check_refused(&t, &s, false, EOPNOTSUPP);
	ckvm_vcpu_close(t.vcpu);
	/* other SVE vector lengths */
	t.vcpu = vcpu_new(t.vm, 1, -1, 7);
	fake_check_refused(&t, &s, false, EOPNOTSUPP);
	ckvm_vcpu_close(t.vcpu);
	/* no SVE at all */
	t.vcpu = vcpu_new(t.vm, 1, 5, 3);
	fake_check_refused(&t, &s, false, EOPNOTSUPP);
	/* no vGIC registered, another vGIC size, other addresses */
	fake_check_refused(&t, &s, true, EOPNOTSUPP);
	vgic_new(&t, NIRQ + 32, 0);
	fake_check_refused(&t, &s, true, EOPNOTSUPP);
	vgic_new(&t, NIRQ, 0x1000);
	fake_check_refused(&t, &s, true, EOPNOTSUPP);
	fake_vm_close(&t);
	/* a target without KVM_CAP_VCPU_EVENTS */
	fake_set_events_cap(0);
	fake_vm_create(&t, s.kvm);
	fake_set_events_cap(1);
	t.vcpu = vcpu_new(t.vm, 1, -1, 3);
	fake_check_refused(&t, &s, false, EOPNOTSUPP);
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
	f.vcpu = vcpu_new(f.vm, 0, -1, 3);
	c = fake_vcpu_of(f.vcpu);
	/* a register read fails: the vector lengths, then an ordinary one */
	c->fail_get_id = KVM_REG_ARM64_SVE_VLS;
	c->fail_get_err = EIO;
	t_assert_err(ckvm_snapshot_save_vcpu(f.ctx, f.vcpu, 0, &blob, &len), EIO);
	c->fail_get_id = ckvm_arm64_reg_v(0);
	t_assert_err(ckvm_snapshot_save_vcpu(f.ctx, f.vcpu, 0, &blob, &len), EIO);
	assert_null(blob);
	/* has_attr: ENODEV is not "absent" for the vGIC, nor is EPERM */
	vgic_new(&f, NIRQ, 0);
	fake_dev_of(f.chip)->enodev = 1;
	t_assert_err(ckvm_snapshot_save_vm(f.ctx, NULL, 0, 0, &blob, &len), ENODEV);
	fake_dev_of(f.chip)->enodev = 0;
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
