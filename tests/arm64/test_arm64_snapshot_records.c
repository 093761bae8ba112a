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
#include "t.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* every supported host is little-endian */
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

struct blob {
	void *p;
	size_t len;
};

static struct ckvm_snapshot_writer *writer(uint32_t arch, uint32_t kind)
{
	struct ckvm_snapshot_writer *w = NULL;

	t_assert_ok(ckvm_snapshot_writer_create(arch, kind, 0, &w));
	return w;
}

static int validate(struct ckvm_snapshot_writer *w)
{
	void *blob = NULL;
	size_t len = 0;
	int r;

	t_assert_ok(ckvm_snapshot_writer_finish(w, &blob, &len));
	ckvm_snapshot_writer_free(w);
	r = ckvm_snapshot_validate(blob, len);
	ckvm_snapshot_free(blob);
	return r;
}

static void add_mp(struct ckvm_snapshot_writer *w, uint32_t state)
{
	struct kvm_mp_state mp = { .mp_state = state };

	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_MP_STATE, 0, &mp, sizeof(mp)));
}

/* ONE_REGS: pc (8 bytes) and v0 (16 bytes), or a given extra id */
static void add_one_regs(struct ckvm_snapshot_writer *w, uint64_t extra)
{
	uint8_t buf[8 + 16 + 8 + 16 + 8 + 64];
	size_t len = 8;
	uint64_t n = 2;

	memset(buf, 0, sizeof(buf));
	put64(buf + len, ckvm_arm64_reg_pc());
	put64(buf + len + 8, 0x40000000);
	len += 16;
	put64(buf + len, ckvm_arm64_reg_v(0));
	memset(buf + len + 8, 0xab, 16);
	len += 24;
	if (extra) {
		put64(buf + len, extra);
		len += 8 + ckvm_reg_size(extra);
		n++;
	}
	put64(buf, n);
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ONE_REGS, 0, buf, len));
}

static void test_vcpu_blob(void **state)
{
	struct ckvm_snapshot_writer *w;
	struct kvm_vcpu_events ev;
	uint8_t vls[64];

	(void)state;
	/* complete and valid */
	w = writer(CKVM_SNAPSHOT_ARCH_ARM64, CKVM_SNAPSHOT_KIND_VCPU);
	add_mp(w, KVM_MP_STATE_RUNNABLE);
	add_one_regs(w, 0);
	memset(vls, 0, sizeof(vls));
	vls[0] = 0x0f;
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ARM64_SVE_VLS, 0, vls, sizeof(vls)));
	memset(&ev, 0, sizeof(ev));
	ev.exception.serror_pending = 1;
	ev.exception.serror_has_esr = 1;
	ev.exception.serror_esr = 0x123;
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ARM64_EVENTS, 0, &ev, sizeof(ev)));
	t_assert_ok(validate(w));
	/* SUSPENDED and STOPPED are arm64 MP states; INIT_RECEIVED is not */
	w = writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	add_mp(w, KVM_MP_STATE_SUSPENDED);
	t_assert_ok(validate(w));
	w = writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	add_mp(w, KVM_MP_STATE_INIT_RECEIVED);
	t_assert_err(validate(w), EBADMSG);
	/* duplicates */
	w = writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	add_one_regs(w, 0);
	add_one_regs(w, 0);
	t_assert_err(validate(w), EBADMSG);
	w = writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	add_mp(w, KVM_MP_STATE_RUNNABLE);
	add_mp(w, KVM_MP_STATE_RUNNABLE);
	t_assert_err(validate(w), EBADMSG);
	/* the vector lengths never travel inside ONE_REGS */
	w = writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	add_one_regs(w, KVM_REG_ARM64_SVE_VLS);
	t_assert_err(validate(w), EBADMSG);
	/* an SVE Z register is fine there (256 bytes) */
	{
		uint8_t *buf = calloc(1, 8 + 8 + 256);

		put64(buf, 1);
		put64(buf + 8, ckvm_arm64_sve_zreg(3, 0));
		w = writer(0, CKVM_SNAPSHOT_KIND_VCPU);
		t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ONE_REGS, 0, buf, 8 + 8 + 256));
		t_assert_ok(validate(w));
		/* cut short: the value is missing */
		w = writer(0, CKVM_SNAPSHOT_KIND_VCPU);
		t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ONE_REGS, 0, buf, 8 + 8 + 128));
		t_assert_err(validate(w), EBADMSG);
		free(buf);
	}
	/* bad events: an ESR without a pending SError, non-zero reserved words, a non-boolean */
	memset(&ev, 0, sizeof(ev));
	ev.exception.serror_has_esr = 1;
	w = writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ARM64_EVENTS, 0, &ev, sizeof(ev)));
	t_assert_err(validate(w), EBADMSG);
	memset(&ev, 0, sizeof(ev));
	ev.reserved[11] = 1;
	w = writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ARM64_EVENTS, 0, &ev, sizeof(ev)));
	t_assert_err(validate(w), EBADMSG);
	memset(&ev, 0, sizeof(ev));
	ev.exception.ext_dabt_pending = 2;
	w = writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ARM64_EVENTS, 0, &ev, sizeof(ev)));
	t_assert_err(validate(w), EBADMSG);
	/* a shorter events record (older writer) is zero-padded and fine */
	memset(&ev, 0, sizeof(ev));
	w = writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ARM64_EVENTS, 0, &ev, 16));
	t_assert_ok(validate(w));
}

static void test_unknown_and_foreign(void **state)
{
	struct ckvm_snapshot_writer *w;
	uint64_t x = 0;

	(void)state;
	/* an unknown record is skipped unless REQUIRED */
	w = writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_ok(ckvm_snapshot_writer_add(w, 0x02ff, 0, &x, sizeof(x)));
	t_assert_ok(validate(w));
	w = writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_ok(ckvm_snapshot_writer_add(w, 0x02ff, CKVM_SNAPSHOT_REC_REQUIRED, &x, sizeof(x)));
	t_assert_err(validate(w), EPROTONOSUPPORT);
	/* application records are skipped */
	w = writer(0, CKVM_SNAPSHOT_KIND_VM);
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_USER_FIRST, 0, &x, sizeof(x)));
	t_assert_ok(validate(w));
	/* a blob of another architecture */
	w = writer(CKVM_SNAPSHOT_ARCH_X86_64, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_err(validate(w), ENOEXEC);
	w = writer(CKVM_SNAPSHOT_ARCH_RISCV64, CKVM_SNAPSHOT_KIND_VM);
	t_assert_err(validate(w), ENOEXEC);
	assert_int_equal(ckvm_snapshot_host_arch(), CKVM_SNAPSHOT_ARCH_ARM64);
}

/* An ARM64_VGIC payload for nr_vcpus vCPUs (v3, 128 interrupts). */
static size_t vgic_cfg(uint8_t *p, uint32_t type, uint32_t nr_irqs, uint32_t nr_vcpus)
{
	uint32_t i;

	memset(p, 0, 32 + 8 * nr_vcpus);
	put32(p, type);
	put32(p + 4, nr_irqs);
	put32(p + 8, nr_vcpus);
	put64(p + 16, 0x08000000);
	put64(p + 24, 0x080a0000);
	for (i = 0; i < nr_vcpus; i++)
		put64(p + 32 + 8 * i, 0x80000000ull | i);
	return 32 + 8 * (size_t)nr_vcpus;
}

static size_t attrs(uint8_t *p, const uint32_t *group, const uint32_t *size, const uint64_t *value,
		    unsigned n)
{
	unsigned i;

	put64(p, n);
	for (i = 0; i < n; i++) {
		put32(p + 8 + 24 * i, group[i]);
		put32(p + 8 + 24 * i + 4, size[i]);
		put64(p + 8 + 24 * i + 8, 0x100 + 4 * i);
		put64(p + 8 + 24 * i + 16, value[i]);
	}
	return 8 + 24 * (size_t)n;
}

static int vm_blob(uint32_t type, uint32_t nr_irqs, uint32_t nr_vcpus, size_t cfg_cut,
		   const uint32_t *group, const uint32_t *size, const uint64_t *value, unsigned n,
		   bool with_cfg)
{
	struct ckvm_snapshot_writer *w = writer(0, CKVM_SNAPSHOT_KIND_VM);
	uint8_t cfg[32 + 8 * 8], list[8 + 24 * 8];
	size_t len;

	if (with_cfg) {
		len = vgic_cfg(cfg, type, nr_irqs, nr_vcpus);
		t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ARM64_VGIC, 0, cfg,
						     len - cfg_cut));
	}
	if (n) {
		len = attrs(list, group, size, value, n);
		t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ARM64_VGIC_ATTRS, 0, list,
						     len));
	}
	return validate(w);
}

static void test_vm_blob(void **state)
{
	const uint32_t V3 = KVM_DEV_TYPE_ARM_VGIC_V3, V2 = KVM_DEV_TYPE_ARM_VGIC_V2;
	const uint32_t g_ok[] = { KVM_DEV_ARM_VGIC_GRP_DIST_REGS, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS,
				  KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS };
	const uint32_t s_ok[] = { 4, 4, 4, 8 };
	const uint64_t v_ok[] = { 1, 0xffffffff, 0, 0x1122334455667788ull };
	uint32_t g[4], s[4];
	uint64_t v[4];

	(void)state;
	/* just the memory regions (no vGIC registered) */
	t_assert_ok(vm_blob(V3, 128, 2, 0, NULL, NULL, NULL, 0, false));
	/* configuration only, and with registers */
	t_assert_ok(vm_blob(V3, 128, 2, 0, NULL, NULL, NULL, 0, true));
	t_assert_ok(vm_blob(V3, 128, 2, 0, g_ok, s_ok, v_ok, 4, true));
	/* a GICv2 has CPU interface registers, no redistributors or system registers */
	g[0] = KVM_DEV_ARM_VGIC_GRP_DIST_REGS;
	g[1] = KVM_DEV_ARM_VGIC_GRP_CPU_REGS;
	s[0] = s[1] = 4;
	v[0] = v[1] = 7;
	t_assert_ok(vm_blob(V2, 64, 1, 0, g, s, v, 2, true));
	t_assert_err(vm_blob(V2, 64, 1, 0, g_ok, s_ok, v_ok, 4, true), EBADMSG);
	/* registers without the configuration they belong to */
	t_assert_err(vm_blob(V3, 128, 2, 0, g_ok, s_ok, v_ok, 4, false), EBADMSG);
	/* bad configurations */
	t_assert_err(vm_blob(99, 128, 2, 0, NULL, NULL, NULL, 0, true), EBADMSG);
	t_assert_err(vm_blob(V3, 100, 2, 0, NULL, NULL, NULL, 0, true), EBADMSG);
	t_assert_err(vm_blob(V3, 2048, 2, 0, NULL, NULL, NULL, 0, true), EBADMSG);
	t_assert_err(vm_blob(V3, 128, 0, 0, NULL, NULL, NULL, 0, true), EBADMSG);
	t_assert_err(vm_blob(V3, 128, 2, 8, NULL, NULL, NULL, 0, true), EBADMSG); /* MPIDR cut off */
	/* bad entries: unknown group, wrong size, high bits in a 32-bit value */
	memcpy(g, g_ok, sizeof(g));
	memcpy(s, s_ok, sizeof(s));
	memcpy(v, v_ok, sizeof(v));
	g[2] = 42;
	t_assert_err(vm_blob(V3, 128, 2, 0, g, s, v, 4, true), EBADMSG);
	memcpy(g, g_ok, sizeof(g));
	s[3] = 4;
	t_assert_err(vm_blob(V3, 128, 2, 0, g, s, v, 4, true), EBADMSG);
	memcpy(s, s_ok, sizeof(s));
	v[0] = 1ull << 32;
	t_assert_err(vm_blob(V3, 128, 2, 0, g, s, v, 4, true), EBADMSG);
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
