/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_snapshot_records.c (unit) - the arm64 snapshot record set over
 * synthetic blobs: ckvm_snapshot_validate accepts well-formed vCPU and VM
 * blobs and refuses duplicates, bad MP states, the vector-length register
 * inside ONE_REGS, bad vCPU events, malformed vGIC configurations and
 * register lists (unknown group, wrong size, 32-bit values with high bits,
 * truncation), unknown REQUIRED records and other architectures. No
 * /dev/kvm needed.
 */
#include "onereg_test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ONE_REGS: pc (8 bytes) and v0 (16 bytes), or a given extra id */
static void add_one_regs(struct ckvm_snapshot_writer *w, uint64_t extra)
{
	uint8_t buf[8 + 16 + 8 + 16 + 8 + 64];
	size_t len = 8;
	uint64_t n = 2;

	memset(buf, 0, sizeof(buf));
	t_put64(buf + len, ckvm_arm64_reg_pc());
	t_put64(buf + len + 8, 0x40000000);
	len += 16;
	t_put64(buf + len, ckvm_arm64_reg_v(0));
	memset(buf + len + 8, 0xab, 16);
	len += 24;
	if (extra) {
		t_put64(buf + len, extra);
		len += 8 + ckvm_reg_size(extra);
		n++;
	}
	t_put64(buf, n);
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ONE_REGS, 0, buf, len));
}

static void test_vcpu_blob(void **state)
{
	struct ckvm_snapshot_writer *w;
	struct kvm_vcpu_events ev;
	uint8_t vls[64];

	(void)state;
	/* complete and valid */
	w = t_snap_writer(CKVM_SNAPSHOT_ARCH_ARM64, CKVM_SNAPSHOT_KIND_VCPU);
	t_snap_add_mp(w, KVM_MP_STATE_RUNNABLE);
	add_one_regs(w, 0);
	memset(vls, 0, sizeof(vls));
	vls[0] = 0x0f;
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ARM64_SVE_VLS, 0, vls, sizeof(vls)));
	memset(&ev, 0, sizeof(ev));
	ev.exception.serror_pending = 1;
	ev.exception.serror_has_esr = 1;
	ev.exception.serror_esr = 0x123;
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ARM64_EVENTS, 0, &ev, sizeof(ev)));
	t_assert_ok(t_snap_validate(w));
	/* SUSPENDED and STOPPED are arm64 MP states; INIT_RECEIVED is not */
	w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_snap_add_mp(w, KVM_MP_STATE_SUSPENDED);
	t_assert_ok(t_snap_validate(w));
	w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_snap_add_mp(w, KVM_MP_STATE_INIT_RECEIVED);
	t_assert_err(t_snap_validate(w), EBADMSG);
	/* duplicates */
	w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	add_one_regs(w, 0);
	add_one_regs(w, 0);
	t_assert_err(t_snap_validate(w), EBADMSG);
	w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_snap_add_mp(w, KVM_MP_STATE_RUNNABLE);
	t_snap_add_mp(w, KVM_MP_STATE_RUNNABLE);
	t_assert_err(t_snap_validate(w), EBADMSG);
	/* the vector lengths never travel inside ONE_REGS */
	w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	add_one_regs(w, KVM_REG_ARM64_SVE_VLS);
	t_assert_err(t_snap_validate(w), EBADMSG);
	/* an SVE Z register is fine there (256 bytes) */
	{
		uint8_t *buf = calloc(1, 8 + 8 + 256);

		t_put64(buf, 1);
		t_put64(buf + 8, ckvm_arm64_sve_zreg(3, 0));
		w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
		t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ONE_REGS, 0, buf, 8 + 8 + 256));
		t_assert_ok(t_snap_validate(w));
		/* cut short: the value is missing */
		w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
		t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ONE_REGS, 0, buf, 8 + 8 + 128));
		t_assert_err(t_snap_validate(w), EBADMSG);
		free(buf);
	}
	/* bad events: an ESR without a pending SError, non-zero reserved words, a non-boolean */
	memset(&ev, 0, sizeof(ev));
	ev.exception.serror_has_esr = 1;
	w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ARM64_EVENTS, 0, &ev, sizeof(ev)));
	t_assert_err(t_snap_validate(w), EBADMSG);
	memset(&ev, 0, sizeof(ev));
	ev.reserved[11] = 1;
	w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ARM64_EVENTS, 0, &ev, sizeof(ev)));
	t_assert_err(t_snap_validate(w), EBADMSG);
	memset(&ev, 0, sizeof(ev));
	ev.exception.ext_dabt_pending = 2;
	w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ARM64_EVENTS, 0, &ev, sizeof(ev)));
	t_assert_err(t_snap_validate(w), EBADMSG);
	/* a shorter events record (older writer) is zero-padded and fine */
	memset(&ev, 0, sizeof(ev));
	w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ARM64_EVENTS, 0, &ev, 16));
	t_assert_ok(t_snap_validate(w));
}

static void test_unknown_and_foreign(void **state)
{
	struct ckvm_snapshot_writer *w;
	uint64_t x = 0;

	(void)state;
	/* an unknown record is skipped unless REQUIRED */
	w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_ok(ckvm_snapshot_writer_add(w, 0x02ff, 0, &x, sizeof(x)));
	t_assert_ok(t_snap_validate(w));
	w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_ok(ckvm_snapshot_writer_add(w, 0x02ff, CKVM_SNAPSHOT_REC_REQUIRED, &x, sizeof(x)));
	t_assert_err(t_snap_validate(w), EPROTONOSUPPORT);
	/* application records are skipped */
	w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VM);
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_USER_FIRST, 0, &x, sizeof(x)));
	t_assert_ok(t_snap_validate(w));
	/* a blob of another architecture */
	w = t_snap_writer(CKVM_SNAPSHOT_ARCH_X86_64, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_err(t_snap_validate(w), ENOEXEC);
	w = t_snap_writer(CKVM_SNAPSHOT_ARCH_RISCV64, CKVM_SNAPSHOT_KIND_VM);
	t_assert_err(t_snap_validate(w), ENOEXEC);
	assert_int_equal(ckvm_snapshot_host_arch(), CKVM_SNAPSHOT_ARCH_ARM64);
}

/* An ARM64_VGIC payload for nr_vcpus vCPUs (v3, 128 interrupts). */
static size_t vgic_cfg(uint8_t *p, uint32_t type, uint32_t nr_irqs, uint32_t nr_vcpus)
{
	uint32_t i;

	memset(p, 0, 32 + 8 * nr_vcpus);
	t_put32(p, type);
	t_put32(p + 4, nr_irqs);
	t_put32(p + 8, nr_vcpus);
	t_put64(p + 16, 0x08000000);
	t_put64(p + 24, 0x080a0000);
	for (i = 0; i < nr_vcpus; i++)
		t_put64(p + 32 + 8 * i, 0x80000000ull | i);
	return 32 + 8 * (size_t)nr_vcpus;
}

/* The entries' attrs are 0x100, 0x104, ... (only group, size and value are checked). */
static int vm_blob(uint32_t type, uint32_t nr_irqs, uint32_t nr_vcpus, size_t cfg_cut,
		   const struct t_snap_attr *e, unsigned n, bool with_cfg)
{
	uint8_t cfg[32 + 8 * 8];
	size_t len = vgic_cfg(cfg, type, nr_irqs, nr_vcpus);

	return t_snap_validate_vm(CKVM_SNAPSHOT_REC_ARM64_VGIC, with_cfg ? cfg : NULL, len - cfg_cut,
				  CKVM_SNAPSHOT_REC_ARM64_VGIC_ATTRS, e, n);
}

static void test_vm_blob(void **state)
{
	const uint32_t V3 = KVM_DEV_TYPE_ARM_VGIC_V3, V2 = KVM_DEV_TYPE_ARM_VGIC_V2;
	const struct t_snap_attr ok[4] = {
		{ KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 4, 0x100, 1 },
		{ KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, 4, 0x104, 0xffffffff },
		{ KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, 4, 0x108, 0 },
		{ KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, 8, 0x10c, 0x1122334455667788ull },
	};
	/* a GICv2 has CPU interface registers, no redistributors or system registers */
	const struct t_snap_attr v2_ok[2] = {
		{ KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 4, 0x100, 7 },
		{ KVM_DEV_ARM_VGIC_GRP_CPU_REGS, 4, 0x104, 7 },
	};
	struct t_snap_attr bad[4];

	(void)state;
	/* just the memory regions (no vGIC registered) */
	t_assert_ok(vm_blob(V3, 128, 2, 0, NULL, 0, false));
	/* configuration only, and with registers */
	t_assert_ok(vm_blob(V3, 128, 2, 0, NULL, 0, true));
	t_assert_ok(vm_blob(V3, 128, 2, 0, ok, 4, true));
	t_assert_ok(vm_blob(V2, 64, 1, 0, v2_ok, 2, true));
	t_assert_err(vm_blob(V2, 64, 1, 0, ok, 4, true), EBADMSG);
	/* registers without the configuration they belong to */
	t_assert_err(vm_blob(V3, 128, 2, 0, ok, 4, false), EBADMSG);
	/* bad configurations */
	t_assert_err(vm_blob(99, 128, 2, 0, NULL, 0, true), EBADMSG);
	t_assert_err(vm_blob(V3, 100, 2, 0, NULL, 0, true), EBADMSG);
	t_assert_err(vm_blob(V3, 2048, 2, 0, NULL, 0, true), EBADMSG);
	t_assert_err(vm_blob(V3, 128, 0, 0, NULL, 0, true), EBADMSG);
	t_assert_err(vm_blob(V3, 128, 2, 8, NULL, 0, true), EBADMSG); /* MPIDR cut off */
	/* bad entries: unknown group, wrong size, high bits in a 32-bit value */
	memcpy(bad, ok, sizeof(bad));
	bad[2].group = 42;
	t_assert_err(vm_blob(V3, 128, 2, 0, bad, 4, true), EBADMSG);
	memcpy(bad, ok, sizeof(bad));
	bad[3].size = 4;
	t_assert_err(vm_blob(V3, 128, 2, 0, bad, 4, true), EBADMSG);
	memcpy(bad, ok, sizeof(bad));
	bad[0].value = 1ull << 32;
	t_assert_err(vm_blob(V3, 128, 2, 0, bad, 4, true), EBADMSG);
}

static void test_ctx_args(void **state)
{
	(void)state;
	t_assert_err(ckvm_snapshot_ctx_set_vgic(NULL, NULL, NULL, 0), EINVAL);
	assert_int_equal(CKVM_SNAPSHOT_REC_ARM64_SVE_VLS, 0x0200);
	assert_int_equal(CKVM_SNAPSHOT_REC_ARM64_VGIC_ATTRS, 0x0281);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vcpu_blob),
		cmocka_unit_test(test_unknown_and_foreign),
		cmocka_unit_test(test_vm_blob),
		cmocka_unit_test(test_ctx_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
