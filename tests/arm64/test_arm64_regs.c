/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_regs.c (unit) - the arm64 ONE_REG id builders against the
 * kernel's own macros and known constants, register sizes and names,
 * KVM_IRQ_LINE encoding, feature bits, guest debug encoders, vGIC attribute
 * encoders and the IPA machine type. No /dev/kvm needed.
 */
#include "onereg_test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

static void test_core_reg_ids(void **state)
{
	unsigned n;

	(void)state;
	/* The documented values (api.rst: 0x6030 0000 0010 <index>). */
	assert_int_equal(ckvm_arm64_reg_x(0), 0x6030000000100000ull);
	assert_int_equal(ckvm_arm64_reg_x(8), 0x6030000000100010ull);
	assert_int_equal(ckvm_arm64_reg_pc(), 0x6030000000100040ull);
	for (n = 0; n < 31; n++)
		assert_int_equal(ckvm_arm64_reg_x(n), KVM_REG_ARM64 | KVM_REG_SIZE_U64 |
				 KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(regs.regs[n]));
	assert_int_equal(ckvm_arm64_reg_x(31), 0);
	assert_int_equal(ckvm_arm64_reg_sp(), KVM_REG_ARM64 | KVM_REG_SIZE_U64 |
			 KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(regs.sp));
	assert_int_equal(ckvm_arm64_reg_pstate(), KVM_REG_ARM64 | KVM_REG_SIZE_U64 |
			 KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(regs.pstate));
	assert_int_equal(ckvm_arm64_reg_sp_el1(), KVM_REG_ARM64 | KVM_REG_SIZE_U64 |
			 KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(sp_el1));
	assert_int_equal(ckvm_arm64_reg_elr_el1(), KVM_REG_ARM64 | KVM_REG_SIZE_U64 |
			 KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(elr_el1));
	for (n = 0; n < KVM_NR_SPSR; n++)
		assert_int_equal(ckvm_arm64_reg_spsr(n), KVM_REG_ARM64 | KVM_REG_SIZE_U64 |
				 KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(spsr[n]));
	assert_int_equal(ckvm_arm64_reg_spsr(KVM_NR_SPSR), 0);
	for (n = 0; n < 32; n++)
		assert_int_equal(ckvm_arm64_reg_v(n), KVM_REG_ARM64 | KVM_REG_SIZE_U128 |
				 KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(fp_regs.vregs[n]));
	assert_int_equal(ckvm_arm64_reg_v(32), 0);
	assert_int_equal(ckvm_arm64_reg_fpsr(), KVM_REG_ARM64 | KVM_REG_SIZE_U32 |
			 KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(fp_regs.fpsr));
	assert_int_equal(ckvm_arm64_reg_fpcr(), KVM_REG_ARM64 | KVM_REG_SIZE_U32 |
			 KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(fp_regs.fpcr));
}

static void test_reg_sizes(void **state)
{
	(void)state;
	assert_int_equal(ckvm_reg_size(ckvm_arm64_reg_x(3)), 8);
	assert_int_equal(ckvm_reg_size(ckvm_arm64_reg_v(3)), 16);
	assert_int_equal(ckvm_reg_size(ckvm_arm64_reg_fpcr()), 4);
	assert_int_equal(ckvm_reg_size(ckvm_arm64_sys_reg(3, 0, 0, 0, 5)), 8);
	assert_int_equal(ckvm_reg_size(ckvm_arm64_sve_zreg(0, 0)), 256);
	assert_int_equal(ckvm_reg_size(ckvm_arm64_sve_preg(0, 0)), 32);
	assert_int_equal(ckvm_reg_size(ckvm_arm64_sve_ffr(0)), 32);
	assert_int_equal(ckvm_reg_size(KVM_REG_ARM64_SVE_VLS), 64);
	assert_int_equal(ckvm_reg_size(ckvm_arm64_demux_ccsidr(0)), 4);
	assert_int_equal(ckvm_reg_size(ckvm_arm64_fw_reg(0)), 8);
	/* ckvm_reg_size agrees with the kernel's KVM_REG_SIZE */
	assert_int_equal(ckvm_reg_size(ckvm_arm64_sve_zreg(31, 0)),
			 KVM_REG_SIZE(KVM_REG_ARM64_SVE_ZREG(31, 0)));
}

static void test_sys_reg_ids(void **state)
{
	unsigned op0, op1, crn, crm, op2;

	(void)state;
	assert_int_equal(ckvm_arm64_sys_reg(3, 0, 0, 0, 5), ARM64_SYS_REG(3, 0, 0, 0, 5));
	assert_int_equal(ckvm_arm64_sys_reg(3, 3, 14, 3, 1), KVM_REG_ARM_TIMER_CTL);
	assert_int_equal(CKVM_ARM64_MPIDR_EL1, 0x603000000013c005ull);
	assert_int_equal(CKVM_ARM64_MIDR_EL1, 0x603000000013c000ull);
	assert_int_equal(CKVM_ARM64_SCTLR_EL1, ARM64_SYS_REG(3, 0, 1, 0, 0));
	assert_int_equal(CKVM_ARM64_VBAR_EL1, ARM64_SYS_REG(3, 0, 12, 0, 0));
	assert_int_equal(CKVM_ARM64_TCR_EL1, ARM64_SYS_REG(3, 0, 2, 0, 2));
	assert_int_equal(CKVM_ARM64_MAIR_EL1, ARM64_SYS_REG(3, 0, 10, 2, 0));
	ckvm_arm64_sys_reg_decode(ARM64_SYS_REG(2, 7, 15, 9, 6), &op0, &op1, &crn, &crm, &op2);
	assert_int_equal(op0, 2);
	assert_int_equal(op1, 7);
	assert_int_equal(crn, 15);
	assert_int_equal(crm, 9);
	assert_int_equal(op2, 6);
	/* out-of-range fields are masked like the kernel macro does */
	assert_int_equal(ckvm_arm64_sys_reg(7, 0, 0, 0, 0), ARM64_SYS_REG(7, 0, 0, 0, 0));
}

static void test_sve_fw_demux_ids(void **state)
{
	unsigned n, i;

	(void)state;
	for (n = 0; n < 32; n++)
		for (i = 0; i < 32; i += 7)
			assert_int_equal(ckvm_arm64_sve_zreg(n, i), KVM_REG_ARM64_SVE_ZREG(n, i));
	for (n = 0; n < 16; n++)
		assert_int_equal(ckvm_arm64_sve_preg(n, 3), KVM_REG_ARM64_SVE_PREG(n, 3));
	assert_int_equal(ckvm_arm64_sve_ffr(5), KVM_REG_ARM64_SVE_FFR(5));
	assert_int_equal(ckvm_arm64_sve_zreg(32, 0), 0);
	assert_int_equal(ckvm_arm64_sve_preg(16, 0), 0);
	assert_int_equal(ckvm_arm64_sve_zreg(0, 32), 0);
	assert_int_equal(ckvm_arm64_sve_ffr(32), 0);
	assert_int_equal(ckvm_arm64_fw_reg(0), KVM_REG_ARM_PSCI_VERSION);
	assert_int_equal(ckvm_arm64_fw_reg(1), KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1);
	assert_int_equal(ckvm_arm64_fw_reg(3), KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3);
	assert_int_equal(ckvm_arm64_fw_feat_bmap_reg(0), KVM_REG_ARM_STD_BMAP);
	assert_int_equal(ckvm_arm64_fw_feat_bmap_reg(1), KVM_REG_ARM_STD_HYP_BMAP);
	assert_int_equal(ckvm_arm64_fw_feat_bmap_reg(2), KVM_REG_ARM_VENDOR_HYP_BMAP);
	assert_int_equal(ckvm_arm64_fw_feat_bmap_reg(3), KVM_REG_ARM_VENDOR_HYP_BMAP_2);
	assert_int_equal(ckvm_arm64_demux_ccsidr(2), KVM_REG_ARM64 | KVM_REG_SIZE_U32 |
			 KVM_REG_ARM_DEMUX | KVM_REG_ARM_DEMUX_ID_CCSIDR | 2);
}

static void test_reg_class(void **state)
{
	(void)state;
	assert_int_equal(ckvm_arm64_reg_class(ckvm_arm64_reg_pc()), CKVM_ARM64_REG_CORE);
	assert_int_equal(ckvm_arm64_reg_class(CKVM_ARM64_MPIDR_EL1), CKVM_ARM64_REG_SYSREG);
	assert_int_equal(ckvm_arm64_reg_class(KVM_REG_ARM_TIMER_CNT), CKVM_ARM64_REG_SYSREG);
	assert_int_equal(ckvm_arm64_reg_class(ckvm_arm64_sve_zreg(1, 0)), CKVM_ARM64_REG_SVE);
	assert_int_equal(ckvm_arm64_reg_class(KVM_REG_ARM64_SVE_VLS), CKVM_ARM64_REG_SVE);
	assert_int_equal(ckvm_arm64_reg_class(KVM_REG_ARM_PSCI_VERSION), CKVM_ARM64_REG_FW);
	assert_int_equal(ckvm_arm64_reg_class(KVM_REG_ARM_STD_BMAP), CKVM_ARM64_REG_FW_FEAT_BMAP);
	assert_int_equal(ckvm_arm64_reg_class(ckvm_arm64_demux_ccsidr(0)), CKVM_ARM64_REG_DEMUX);
	/* not arm64 (a RISC-V id), and an unknown coprocessor */
	assert_int_equal(ckvm_arm64_reg_class(0x8030000002000000ull), CKVM_ARM64_REG_OTHER);
	assert_int_equal(ckvm_arm64_reg_class(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | (0x99ull << 16)),
			 CKVM_ARM64_REG_OTHER);
}

static void name_is(uint64_t id, const char *want)
{
	t_check_reg_name(ckvm_arm64_reg_name, id, want);
}

static void test_reg_names(void **state)
{
	char small[4], want[32];

	(void)state;
	name_is(ckvm_arm64_reg_x(0), "x0");
	name_is(ckvm_arm64_reg_x(30), "x30");
	name_is(ckvm_arm64_reg_sp(), "sp");
	name_is(ckvm_arm64_reg_pc(), "pc");
	name_is(ckvm_arm64_reg_pstate(), "pstate");
	name_is(ckvm_arm64_reg_sp_el1(), "sp_el1");
	name_is(ckvm_arm64_reg_elr_el1(), "elr_el1");
	name_is(ckvm_arm64_reg_spsr(2), "spsr[2]");
	name_is(ckvm_arm64_reg_v(31), "v31");
	name_is(ckvm_arm64_reg_fpsr(), "fpsr");
	name_is(ckvm_arm64_reg_fpcr(), "fpcr");
	name_is(CKVM_ARM64_MPIDR_EL1, "MPIDR_EL1");
	name_is(CKVM_ARM64_TTBR1_EL1, "TTBR1_EL1");
	name_is(ckvm_arm64_sys_reg(3, 0, 0, 1, 0), "sys(3,0,0,1,0)");
	name_is(KVM_REG_ARM_TIMER_CTL, "CNTV_CTL_EL0");
	name_is(KVM_REG_ARM_TIMER_CNT, "CNTVCT_EL0");
	name_is(KVM_REG_ARM_TIMER_CVAL, "CNTV_CVAL_EL0");
	name_is(ckvm_arm64_sve_zreg(5, 0), "sve.z5[0]");
	name_is(ckvm_arm64_sve_preg(15, 1), "sve.p15[1]");
	name_is(ckvm_arm64_sve_ffr(0), "sve.ffr[0]");
	name_is(KVM_REG_ARM64_SVE_VLS, "sve.vls");
	name_is(KVM_REG_ARM_PSCI_VERSION, "fw.psci_version");
	name_is(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2, "fw.smccc_arch_workaround_2");
	name_is(ckvm_arm64_fw_reg(9), "fw[9]");
	name_is(KVM_REG_ARM_STD_HYP_BMAP, "fw.feat_bmap[1]");
	name_is(ckvm_arm64_demux_ccsidr(2), "ccsidr[2]");
	/* a core offset that is no named register: the upper half of v0 */
	snprintf(want, sizeof(want), "core[0x%zx/8]", offsetof(struct kvm_regs, fp_regs.vregs) + 8);
	name_is(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
		(KVM_REG_ARM_CORE_REG(fp_regs.vregs[0]) + 2), want);
	/* truncation reports the full length, like snprintf */
	assert_int_equal(ckvm_arm64_reg_name(CKVM_ARM64_MPIDR_EL1, small, sizeof(small)), 9);
	assert_string_equal(small, "MPI");
	assert_int_equal(ckvm_arm64_reg_name(ckvm_arm64_reg_pc(), NULL, 0), 2);
	t_assert_err(ckvm_arm64_reg_name(ckvm_arm64_reg_pc(), NULL, 8), EINVAL);
	t_assert_err(ckvm_arm64_reg_name(0x8030000002000000ull, small, sizeof(small)), EINVAL);
}

static void test_irq_line_encoding(void **state)
{
	(void)state;
	/* SPI 32 (the first SPI): type 1 at bit 24 */
	assert_int_equal(ckvm_arm64_irq(KVM_ARM_IRQ_TYPE_SPI, 0, 32), 0x01000020u);
	/* PPI 23 of vCPU 3 */
	assert_int_equal(ckvm_arm64_irq(KVM_ARM_IRQ_TYPE_PPI, 3, 23), 0x02030017u);
	/* vCPU index 0x1ab: low 8 bits in vcpu_index, high 4 in vcpu2_index */
	assert_int_equal(ckvm_arm64_irq(KVM_ARM_IRQ_TYPE_PPI, 0x1ab, 16),
			 (1u << 28) | (2u << 24) | (0xabu << 16) | 16u);
	/* out-of-kernel GIC: FIQ line of vCPU 1 */
	assert_int_equal(ckvm_arm64_irq(KVM_ARM_IRQ_TYPE_CPU, 1, KVM_ARM_IRQ_CPU_FIQ), 0x00010001u);
}

static void test_vcpu_init_features(void **state)
{
	struct kvm_vcpu_init init;

	(void)state;
	memset(&init, 0, sizeof(init));
	assert_int_equal(ckvm_arm64_vcpu_init_set_feature(&init, KVM_ARM_VCPU_PSCI_0_2), 0);
	assert_int_equal(ckvm_arm64_vcpu_init_set_feature(&init, KVM_ARM_VCPU_SVE), 0);
	assert_int_equal(init.features[0], (1u << 2) | (1u << 4));
	assert_int_equal(ckvm_arm64_vcpu_init_set_feature(&init, 40), 0);
	assert_int_equal(init.features[1], 1u << 8);
	assert_true(ckvm_arm64_vcpu_init_has_feature(&init, KVM_ARM_VCPU_PSCI_0_2));
	assert_true(ckvm_arm64_vcpu_init_has_feature(&init, 40));
	assert_false(ckvm_arm64_vcpu_init_has_feature(&init, KVM_ARM_VCPU_PMU_V3));
	assert_int_equal(ckvm_arm64_vcpu_init_set_feature(&init, 7 * 32), -EINVAL);
	assert_false(ckvm_arm64_vcpu_init_has_feature(&init, 7 * 32));
	assert_int_equal(KVM_ARM_VCPU_HAS_EL2, 7);
	assert_int_equal(KVM_ARM_VCPU_HAS_EL2_E2H0, 8);
}

static void test_guest_debug_encoders(void **state)
{
	struct kvm_guest_debug dbg;

	(void)state;
	memset(&dbg, 0, sizeof(dbg));
	assert_int_equal(ckvm_arm64_guest_debug_set_hw_bp(&dbg, 1, 0x40001003), 0);
	assert_int_equal(dbg.control, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW);
	assert_int_equal(dbg.arch.dbg_bvr[1], 0x40001000);
	/* E | PMC=EL1+EL0 | BAS=0xf */
	assert_int_equal(dbg.arch.dbg_bcr[1], 0x1e7);
	assert_int_equal(ckvm_arm64_guest_debug_set_hw_bp(&dbg, 16, 0), -EINVAL);
	/* 2-byte store watchpoint at offset 2 of a doubleword */
	assert_int_equal(ckvm_arm64_guest_debug_set_hw_wp(&dbg, 0, 0x40002002, 2, false, true), 0);
	assert_int_equal(dbg.arch.dbg_wvr[0], 0x40002000);
	/* E | PAC=3 | LSC=store (bit 4) | BAS=0b1100 << 5 */
	assert_int_equal(dbg.arch.dbg_wcr[0], 1u | (3u << 1) | (1u << 4) | (0xcu << 5));
	assert_int_equal(ckvm_arm64_guest_debug_set_hw_wp(&dbg, 1, 0x40002000, 8, true, true), 0);
	assert_int_equal(dbg.arch.dbg_wcr[1], 1u | (3u << 1) | (3u << 3) | (0xffu << 5));
	assert_int_equal(ckvm_arm64_guest_debug_set_hw_wp(&dbg, 1, 0x40002006, 4, true, false), -EINVAL);
	assert_int_equal(ckvm_arm64_guest_debug_set_hw_wp(&dbg, 1, 0x40002000, 0, true, false), -EINVAL);
	assert_int_equal(ckvm_arm64_guest_debug_set_hw_wp(&dbg, 1, 0x40002000, 4, false, false), -EINVAL);
	assert_int_equal(ckvm_arm64_guest_debug_set_hw_wp(&dbg, 16, 0x40002000, 4, true, false), -EINVAL);
}

static void test_vgic_attrs(void **state)
{
	(void)state;
	assert_int_equal(ckvm_vgic_v2_attr(3, 0x100), (3ull << 32) | 0x100);
	assert_int_equal(ckvm_vgic_v3_attr(0x01020304, 0x10080), (0x01020304ull << 32) | 0x10080);
	/* MPIDR_EL1 Aff3 (bits 39:32) moves to bits 31:24 of the packed form */
	assert_int_equal(ckvm_arm64_mpidr_to_attr_aff(0x0000000a80030201ull), 0x0a030201u);
	/* ICC_PMR_EL1 = S3_0_C4_C6_0 of vCPU aff 1 */
	assert_int_equal(ckvm_vgic_v3_sysreg_attr(1, 3, 0, 4, 6, 0),
			 (1ull << 32) | (ARM64_SYS_REG(3, 0, 4, 6, 0) & 0xffff));
	assert_int_equal(ckvm_vgic_v3_line_level_attr(2, 64), (2ull << 32) | 64);
	/* redistributor region: count 4 at 0x080a0000, index 1 */
	assert_int_equal(ckvm_vgic_v3_redist_region(1, 0x080a0000ull, 4),
			 (4ull << 52) | 0x080a0000ull | 1);
	assert_int_equal(ckvm_arm64_device_addr_id(KVM_ARM_DEVICE_VGIC_V2, KVM_VGIC_V2_ADDR_TYPE_CPU),
			 (0ull << 16) | 1);
	assert_int_equal(ckvm_arm64_device_addr_id(2, 5), (2ull << 16) | 5);
}

static void test_feature_id_range(void **state)
{
	(void)state;
	/* op1 0 -> 0, 1 -> 1, 3 -> 2; then crm and op2 */
	assert_int_equal(ckvm_arm64_feature_id_range_idx(3, 0, 0, 0, 5), 5);      /* MPIDR */
	assert_int_equal(ckvm_arm64_feature_id_range_idx(3, 0, 0, 4, 0), 32);     /* ID_AA64PFR0 */
	assert_int_equal(ckvm_arm64_feature_id_range_idx(3, 1, 0, 0, 1), 64 + 1); /* CLIDR */
	assert_int_equal(ckvm_arm64_feature_id_range_idx(3, 3, 0, 0, 7), 128 + 7);/* DCZID */
	assert_int_equal(ckvm_arm64_feature_id_range_idx(3, 3, 0, 7, 7), CKVM_ARM64_FEATURE_ID_RANGE_SIZE - 1);
	assert_int_equal(ckvm_arm64_feature_id_range_idx(3, 2, 0, 0, 0), -1);
	assert_int_equal(ckvm_arm64_feature_id_range_idx(3, 0, 1, 0, 0), -1);
	assert_int_equal(ckvm_arm64_feature_id_range_idx(2, 0, 0, 0, 0), -1);
	assert_int_equal(ckvm_arm64_feature_id_range_idx(3, 0, 0, 8, 0), -1);
	assert_int_equal(CKVM_ARM64_FEATURE_ID_RANGE_SIZE, KVM_ARM_FEATURE_ID_RANGE_SIZE);
}

static void test_vm_type_ipa(void **state)
{
	(void)state;
	assert_int_equal(ckvm_arm64_vm_type_ipa(40), 40);
	assert_int_equal(ckvm_arm64_vm_type_ipa(48), KVM_VM_TYPE_ARM_IPA_SIZE(48));
	assert_int_equal(ckvm_arm64_vm_type_ipa(0x130), 0x30);
}

static void test_null_args(void **state)
{
	struct ckvm_vm *vm = NULL;
	struct ckvm_device *dev = NULL;
	struct kvm_vcpu_init init;
	uint64_t args[6];
	uint32_t u32;
	uint64_t u64;

	(void)state;
	/* every entry point rejects NULL objects without a syscall */
	t_assert_err(ckvm_get_host_ipa_limit(NULL), EINVAL);
	t_assert_err(ckvm_get_guest_debug_hw_bps(NULL), EINVAL);
	t_assert_err(ckvm_get_guest_debug_hw_wps(NULL), EINVAL);
	t_assert_err(ckvm_create_vm_with_ipa_size(NULL, 40, &vm), EINVAL);
	assert_null(vm);
	t_assert_err(ckvm_vm_get_preferred_target(NULL, &init), EINVAL);
	t_assert_err(ckvm_vm_create_irq_chip(NULL), EINVAL);
	t_assert_err(ckvm_vm_arm_set_device_addr(NULL, 0, 0), EINVAL);
	t_assert_err(ckvm_vm_arm_set_counter_offset(NULL, 0), EINVAL);
	t_assert_err(ckvm_vm_arm_mte_copy_tags(NULL, 0, 4096, args, true), EINVAL);
	t_assert_err(ckvm_vm_arm_enable_mte(NULL), EINVAL);
	t_assert_err(ckvm_vm_arm_enable_nisv_to_user(NULL), EINVAL);
	t_assert_err(ckvm_vm_arm_enable_system_suspend(NULL), EINVAL);
	t_assert_err(ckvm_vm_arm_get_reg_writable_masks(NULL, 0, NULL), EINVAL);
	t_assert_err(ckvm_vm_arm_set_smccc_filter(NULL, 0, 1, KVM_SMCCC_FILTER_DENY), EINVAL);
	t_assert_err(ckvm_vm_create_vgic(NULL, KVM_DEV_TYPE_ARM_VGIC_V3, &dev), EINVAL);
	t_assert_err(ckvm_vm_setup_vgic(NULL, KVM_DEV_TYPE_ARM_VGIC_V3, 0, 0, 0, &dev), EINVAL);
	t_assert_err(ckvm_vm_create_its(NULL, 0x08080000, &dev), EINVAL);
	assert_null(dev);
	t_assert_err(ckvm_vgic_set_addr(NULL, KVM_VGIC_V3_ADDR_TYPE_DIST, 0), EINVAL);
	t_assert_err(ckvm_vgic_get_addr(NULL, KVM_VGIC_V3_ADDR_TYPE_DIST, &u64), EINVAL);
	t_assert_err(ckvm_vgic_v3_add_redist_region(NULL, 0, 0x080a0000, 1), EINVAL);
	t_assert_err(ckvm_vgic_set_nr_irqs(NULL, 128), EINVAL);
	t_assert_err(ckvm_vgic_get_nr_irqs(NULL, &u32), EINVAL);
	t_assert_err(ckvm_vgic_ctrl(NULL, KVM_DEV_ARM_VGIC_CTRL_INIT), EINVAL);
	t_assert_err(ckvm_vgic_init(NULL), EINVAL);
	t_assert_err(ckvm_vgic_set_maint_irq(NULL, 25), EINVAL);
	t_assert_err(ckvm_vgic_get_reg32(NULL, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0, &u32), EINVAL);
	t_assert_err(ckvm_vgic_set_reg32(NULL, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0, 0), EINVAL);
	t_assert_err(ckvm_vgic_get_reg64(NULL, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, 0, &u64), EINVAL);
	t_assert_err(ckvm_vgic_set_reg64(NULL, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, 0, 0), EINVAL);
	t_assert_err(ckvm_its_get_reg(NULL, 0, &u64), EINVAL);
	t_assert_err(ckvm_its_set_reg(NULL, 0, 0), EINVAL);
	t_assert_err(ckvm_vcpu_init(NULL, &init), EINVAL);
	t_assert_err(ckvm_vcpu_init_preferred(NULL, NULL, 0, NULL), EINVAL);
	t_assert_err(ckvm_vcpu_finalize(NULL, KVM_ARM_VCPU_SVE), EINVAL);
	t_assert_err(ckvm_vcpu_get_vcpu_events(NULL, NULL), EINVAL);
	t_assert_err(ckvm_vcpu_set_vcpu_events(NULL, NULL), EINVAL);
	t_assert_err(ckvm_vcpu_arm_pmu_set_irq(NULL, 23), EINVAL);
	t_assert_err(ckvm_vcpu_arm_pmu_init(NULL), EINVAL);
	t_assert_err(ckvm_vcpu_arm_pmu_set_filter(NULL, 0, 1, KVM_PMU_EVENT_DENY), EINVAL);
	t_assert_err(ckvm_vcpu_arm_set_timer_irq(NULL, KVM_ARM_VCPU_TIMER_IRQ_VTIMER, 27), EINVAL);
	t_assert_err(ckvm_vcpu_arm_get_timer_irq(NULL, KVM_ARM_VCPU_TIMER_IRQ_VTIMER, &u32), EINVAL);
	t_assert_err(ckvm_vcpu_arm_set_pvtime_ipa(NULL, 0), EINVAL);
	t_assert_err(ckvm_vcpu_arm_smccc_get_args(NULL, args), EINVAL);
	t_assert_err(ckvm_vcpu_arm_smccc_reply(NULL, 0, 0, 0, 0), EINVAL);
}

/* The 32-bit vGIC accessors refuse 64-bit groups before any ioctl (no overrun). */
static void test_vgic_reg32_width(void **state)
{
	struct ckvm_device *dev = NULL;
	uint32_t u32 = 0x12345678;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	t_assert_ok(ckvm_device_from_fd(fd, &dev));
	t_assert_err(ckvm_vgic_get_reg32(dev, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, 0, &u32), EINVAL);
	t_assert_err(ckvm_vgic_set_reg32(dev, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, 0, 1), EINVAL);
	t_assert_err(ckvm_vgic_get_reg32(dev, KVM_DEV_ARM_VGIC_GRP_ADDR, 0, &u32), EINVAL);
	assert_int_equal(u32, 0x12345678);
	/* a 32-bit group reaches the ioctl (/dev/null: -ENOTTY; qemu-user says -ENOSYS) */
	int r = ckvm_vgic_get_reg32(dev, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0, &u32);
	assert_true(r == -ENOTTY || r == -ENOSYS);
	ckvm_device_close(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_core_reg_ids),
		cmocka_unit_test(test_reg_sizes),
		cmocka_unit_test(test_sys_reg_ids),
		cmocka_unit_test(test_sve_fw_demux_ids),
		cmocka_unit_test(test_reg_class),
		cmocka_unit_test(test_reg_names),
		cmocka_unit_test(test_irq_line_encoding),
		cmocka_unit_test(test_vcpu_init_features),
		cmocka_unit_test(test_guest_debug_encoders),
		cmocka_unit_test(test_vgic_attrs),
		cmocka_unit_test(test_feature_id_range),
		cmocka_unit_test(test_vm_type_ipa),
		cmocka_unit_test(test_null_args),
		cmocka_unit_test(test_vgic_reg32_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
