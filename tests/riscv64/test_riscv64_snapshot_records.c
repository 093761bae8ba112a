/* SPDX-License-Identifier: MIT */
/*
 * test_riscv64_snapshot_records.c (unit) - the riscv64 snapshot record set
 * over synthetic blobs: ckvm_snapshot_validate accepts well-formed vCPU and
 * VM blobs (vector registers included) and refuses duplicates, bad MP
 * states, malformed AIA configurations and register lists (unknown group,
 * misaligned or out-of-range APLIC offsets, a hart beyond the limit, wrong
 * sizes, truncation), unknown REQUIRED records and other architectures. No
 * /dev/kvm needed.
 */
#include "onereg_test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void test_vcpu_blob(void **state)
{
	struct ckvm_snapshot_writer *w;
	uint8_t buf[8 + 16 + 16 + 8 + 32 + 8 + 8];
	size_t len = 8;

	(void)state;
	/* pc, fcsr (4 bytes, padded to 8), v1 with VLEN 256 (32 bytes), isa_ext.v */
	memset(buf, 0, sizeof(buf));
	t_put64(buf, 4);
	t_put64(buf + len, ckvm_riscv_reg_pc());
	t_put64(buf + len + 8, 0x80000000);
	len += 16;
	t_put64(buf + len, ckvm_riscv_fp_d_reg(CKVM_RISCV_FP_FCSR));
	t_put32(buf + len + 8, 0x1f);
	len += 16;
	t_put64(buf + len, ckvm_riscv_vector_reg(1, 32));
	memset(buf + len + 8, 0x5a, 32);
	len += 8 + 32;
	t_put64(buf + len, ckvm_riscv_isa_ext_reg(CKVM_RISCV_ISA_EXT_V));
	t_put64(buf + len + 8, 1);
	len += 16;
	assert_int_equal(len, sizeof(buf));
	w = t_snap_writer(CKVM_SNAPSHOT_ARCH_RISCV64, CKVM_SNAPSHOT_KIND_VCPU);
	t_snap_add_mp(w, KVM_MP_STATE_RUNNABLE);
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ONE_REGS, 0, buf, len));
	t_assert_ok(t_snap_validate(w));
	/* truncated list */
	w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ONE_REGS, 0, buf, len - 8));
	t_assert_err(t_snap_validate(w), EBADMSG);
	/* duplicate ONE_REGS / MP_STATE */
	w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ONE_REGS, 0, buf, len));
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ONE_REGS, 0, buf, len));
	t_assert_err(t_snap_validate(w), EBADMSG);
	w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_snap_add_mp(w, KVM_MP_STATE_STOPPED);
	t_snap_add_mp(w, KVM_MP_STATE_STOPPED);
	t_assert_err(t_snap_validate(w), EBADMSG);
	/* riscv has RUNNABLE and STOPPED only */
	w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_snap_add_mp(w, KVM_MP_STATE_HALTED);
	t_assert_err(t_snap_validate(w), EBADMSG);
	/* unknown REQUIRED records are refused, unknown optional ones skipped */
	w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_ok(ckvm_snapshot_writer_add(w, 0x03ff, 0, buf, 8));
	t_assert_ok(t_snap_validate(w));
	w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_ok(ckvm_snapshot_writer_add(w, 0x03ff, CKVM_SNAPSHOT_REC_REQUIRED, buf, 8));
	t_assert_err(t_snap_validate(w), EPROTONOSUPPORT);
	/* other architectures */
	w = t_snap_writer(CKVM_SNAPSHOT_ARCH_ARM64, CKVM_SNAPSHOT_KIND_VCPU);
	t_assert_err(t_snap_validate(w), ENOEXEC);
	assert_int_equal(ckvm_snapshot_host_arch(), CKVM_SNAPSHOT_ARCH_RISCV64);
}

static size_t aia_cfg(uint8_t *p, uint32_t mode, uint32_t srcs, uint32_t hart_bits,
		      uint32_t nr_vcpus)
{
	uint32_t i;

	memset(p, 0, 40 + 8 * nr_vcpus);
	t_put32(p + 0, mode);
	t_put32(p + 4, 255);          /* ids */
	t_put32(p + 8, srcs);
	t_put32(p + 12, 0);           /* group bits */
	t_put32(p + 16, 24);          /* group shift */
	t_put32(p + 20, hart_bits);
	t_put32(p + 24, 0);           /* guest bits */
	t_put32(p + 28, nr_vcpus);
	t_put64(p + 32, 0x0c000000);  /* APLIC */
	for (i = 0; i < nr_vcpus; i++)
		t_put64(p + 40 + 8 * i, 0x28000000 + 0x1000ull * i);
	return 40 + 8 * (size_t)nr_vcpus;
}

static int vm_blob(const uint8_t *cfg, size_t cfg_len, const struct t_snap_attr *e, unsigned n)
{
	return t_snap_validate_vm(CKVM_SNAPSHOT_REC_RISCV_AIA, cfg, cfg_len,
				  CKVM_SNAPSHOT_REC_RISCV_AIA_ATTRS, e, n);
}

static void test_vm_blob(void **state)
{
	const uint32_t APLIC = KVM_DEV_RISCV_AIA_GRP_APLIC, IMSIC = KVM_DEV_RISCV_AIA_GRP_IMSIC;
	struct t_snap_attr ok[3] = {
		{ APLIC, 4, 0x0004, 6 },                          /* sourcecfg[1] */
		{ APLIC, 4, 0x0000, 0x100 },                      /* domaincfg */
		{ IMSIC, 8, ckvm_aia_imsic_attr(1, 0x70), 1 },    /* hart 1 eidelivery */
	};
	struct t_snap_attr bad[3];
	uint8_t cfg[40 + 8 * 4];
	size_t len;

	(void)state;
	len = aia_cfg(cfg, KVM_DEV_RISCV_AIA_MODE_EMUL, 32, 1, 2);
	t_assert_ok(vm_blob(NULL, 0, NULL, 0));
	t_assert_ok(vm_blob(cfg, len, NULL, 0));
	t_assert_ok(vm_blob(cfg, len, ok, 3));
	/* registers without the configuration */
	t_assert_err(vm_blob(NULL, 0, ok, 3), EBADMSG);
	/* bad configurations: mode, sources, hart bits, no harts, the IMSIC list cut off */
	len = aia_cfg(cfg, 3, 32, 1, 2);
	t_assert_err(vm_blob(cfg, len, NULL, 0), EBADMSG);
	len = aia_cfg(cfg, 0, 1024, 1, 2);
	t_assert_err(vm_blob(cfg, len, NULL, 0), EBADMSG);
	len = aia_cfg(cfg, 0, 32, 17, 2);
	t_assert_err(vm_blob(cfg, len, NULL, 0), EBADMSG);
	len = aia_cfg(cfg, 0, 32, 1, 0);
	t_assert_err(vm_blob(cfg, len, NULL, 0), EBADMSG);
	len = aia_cfg(cfg, 0, 32, 1, 2);
	t_assert_err(vm_blob(cfg, len - 4, NULL, 0), EBADMSG);
	/* bad entries */
	memcpy(bad, ok, sizeof(bad));
	bad[0].attr = 0x0006; /* misaligned */
	t_assert_err(vm_blob(cfg, len, bad, 3), EBADMSG);
	memcpy(bad, ok, sizeof(bad));
	bad[0].attr = 0x4000; /* past the APLIC */
	t_assert_err(vm_blob(cfg, len, bad, 3), EBADMSG);
	memcpy(bad, ok, sizeof(bad));
	bad[0].value = 1ull << 32;
	t_assert_err(vm_blob(cfg, len, bad, 3), EBADMSG);
	memcpy(bad, ok, sizeof(bad));
	bad[2].size = 4;
	t_assert_err(vm_blob(cfg, len, bad, 3), EBADMSG);
	memcpy(bad, ok, sizeof(bad));
	bad[2].attr = ckvm_aia_imsic_attr(KVM_DEV_RISCV_APLIC_MAX_HARTS, 0x70);
	t_assert_err(vm_blob(cfg, len, bad, 3), EBADMSG);
	memcpy(bad, ok, sizeof(bad));
	bad[1].group = KVM_DEV_RISCV_AIA_GRP_CONFIG;
	t_assert_err(vm_blob(cfg, len, bad, 3), EBADMSG);
}

static void test_ctx_args(void **state)
{
	(void)state;
	t_assert_err(ckvm_snapshot_ctx_set_aia(NULL, NULL, 1), EINVAL);
	assert_int_equal(CKVM_SNAPSHOT_REC_RISCV_AIA, 0x0380);
	assert_int_equal(CKVM_SNAPSHOT_REC_RISCV_AIA_ATTRS, 0x0381);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vcpu_blob),
		cmocka_unit_test(test_vm_blob),
		cmocka_unit_test(test_ctx_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
