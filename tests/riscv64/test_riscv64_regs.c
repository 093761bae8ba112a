/* SPDX-License-Identifier: MIT */
/*
 * test_riscv64_regs.c (unit) - the riscv64 ONE_REG id builders against the
 * kernel's macros and the documented values, sizes, names, the ISA/SBI
 * extension tables, AIA attribute encoders and argument checks. No
 * /dev/kvm needed.
 */
#include "onereg_test.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define ULONG_SIZE KVM_REG_SIZE_U64

static void test_core_ids(void **state)
{
	unsigned n;

	(void)state;
	/* api.rst: 0x8030 0000 02 <index into struct kvm_riscv_core> */
	assert_int_equal(ckvm_riscv_reg_pc(), 0x8030000002000000ull);
	assert_int_equal(ckvm_riscv_reg_x(24), 0x8030000002000018ull); /* s8 */
	assert_int_equal(ckvm_riscv_core_reg(CKVM_RISCV_CORE_MODE),
			 KVM_REG_RISCV | ULONG_SIZE | KVM_REG_RISCV_CORE | KVM_REG_RISCV_CORE_REG(mode));
	assert_int_equal(ckvm_riscv_reg_pc(),
			 KVM_REG_RISCV | ULONG_SIZE | KVM_REG_RISCV_CORE | KVM_REG_RISCV_CORE_REG(regs.pc));
	assert_int_equal(ckvm_riscv_reg_x(1),
			 KVM_REG_RISCV | ULONG_SIZE | KVM_REG_RISCV_CORE | KVM_REG_RISCV_CORE_REG(regs.ra));
	assert_int_equal(ckvm_riscv_reg_x(2),
			 KVM_REG_RISCV | ULONG_SIZE | KVM_REG_RISCV_CORE | KVM_REG_RISCV_CORE_REG(regs.sp));
	assert_int_equal(ckvm_riscv_reg_x(9),
			 KVM_REG_RISCV | ULONG_SIZE | KVM_REG_RISCV_CORE | KVM_REG_RISCV_CORE_REG(regs.s1));
	assert_int_equal(ckvm_riscv_reg_x(31),
			 KVM_REG_RISCV | ULONG_SIZE | KVM_REG_RISCV_CORE | KVM_REG_RISCV_CORE_REG(regs.t6));
	for (n = 0; n < 8; n++)
		assert_int_equal(ckvm_riscv_reg_a(n), ckvm_riscv_reg_x(10 + n));
	assert_int_equal(ckvm_riscv_reg_a(0),
			 KVM_REG_RISCV | ULONG_SIZE | KVM_REG_RISCV_CORE | KVM_REG_RISCV_CORE_REG(regs.a0));
	assert_int_equal(ckvm_riscv_reg_a(7),
			 KVM_REG_RISCV | ULONG_SIZE | KVM_REG_RISCV_CORE | KVM_REG_RISCV_CORE_REG(regs.a7));
	assert_int_equal(ckvm_riscv_reg_x(0), 0);
	assert_int_equal(ckvm_riscv_reg_x(32), 0);
	assert_int_equal(ckvm_riscv_reg_a(8), 0);
	assert_int_equal(ckvm_riscv_core_reg(33), 0);
}

static void test_config_csr_timer_fp_ids(void **state)
{
	(void)state;
	assert_int_equal(ckvm_riscv_config_reg(CKVM_RISCV_CONFIG_ISA),
			 KVM_REG_RISCV | ULONG_SIZE | KVM_REG_RISCV_CONFIG | KVM_REG_RISCV_CONFIG_REG(isa));
	assert_int_equal(ckvm_riscv_config_reg(CKVM_RISCV_CONFIG_ZICBOM_BLOCK_SIZE),
			 KVM_REG_RISCV | ULONG_SIZE | KVM_REG_RISCV_CONFIG |
			 KVM_REG_RISCV_CONFIG_REG(zicbom_block_size));
	assert_int_equal(ckvm_riscv_config_reg(CKVM_RISCV_CONFIG_SATP_MODE), 0x8030000001000006ull);
	assert_int_equal(ckvm_riscv_csr_reg(CKVM_RISCV_CSR_SATP),
			 KVM_REG_RISCV | ULONG_SIZE | KVM_REG_RISCV_CSR | KVM_REG_RISCV_CSR_REG(satp));
	assert_int_equal(ckvm_riscv_csr_reg(CKVM_RISCV_CSR_SCOUNTEREN),
			 KVM_REG_RISCV | ULONG_SIZE | KVM_REG_RISCV_CSR | KVM_REG_RISCV_CSR_REG(scounteren));
	assert_int_equal(ckvm_riscv_csr_reg(CKVM_RISCV_CSR_SENVCFG), 0x803000000300000aull);
	assert_int_equal(ckvm_riscv_aia_csr_reg(CKVM_RISCV_AIA_CSR_SIPH), 0x8030000003010004ull);
	assert_int_equal(ckvm_riscv_smstateen_csr_reg(CKVM_RISCV_SMSTATEEN_CSR_SSTATEEN0),
			 0x8030000003020000ull);
	assert_int_equal(ckvm_riscv_timer_reg(CKVM_RISCV_TIMER_COMPARE),
			 KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_TIMER |
			 KVM_REG_RISCV_TIMER_REG(compare));
	assert_int_equal(ckvm_riscv_fp_f_reg(3),
			 KVM_REG_RISCV | KVM_REG_SIZE_U32 | KVM_REG_RISCV_FP_F | KVM_REG_RISCV_FP_F_REG(f[3]));
	assert_int_equal(ckvm_riscv_fp_f_reg(CKVM_RISCV_FP_FCSR),
			 KVM_REG_RISCV | KVM_REG_SIZE_U32 | KVM_REG_RISCV_FP_F | KVM_REG_RISCV_FP_F_REG(fcsr));
	assert_int_equal(ckvm_riscv_fp_d_reg(31),
			 KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_FP_D | KVM_REG_RISCV_FP_D_REG(f[31]));
	assert_int_equal(ckvm_riscv_fp_d_reg(CKVM_RISCV_FP_FCSR),
			 KVM_REG_RISCV | KVM_REG_SIZE_U32 | KVM_REG_RISCV_FP_D | KVM_REG_RISCV_FP_D_REG(fcsr));
	assert_int_equal(ckvm_riscv_fp_d_reg(33), 0);
	assert_int_equal(ckvm_riscv_fp_f_reg(33), 0);
	assert_int_equal(ckvm_reg_size(ckvm_riscv_fp_d_reg(0)), 8);
	assert_int_equal(ckvm_reg_size(ckvm_riscv_fp_d_reg(CKVM_RISCV_FP_FCSR)), 4);
	assert_int_equal(ckvm_reg_size(ckvm_riscv_fp_f_reg(0)), 4);
	assert_int_equal(ckvm_reg_size(ckvm_riscv_reg_pc()), 8);
}

static void test_ext_ids(void **state)
{
	(void)state;
	/* single: type 7, subtype 0, index = KVM's extension number */
	assert_int_equal(ckvm_riscv_isa_ext_reg(CKVM_RISCV_ISA_EXT_ZICBOM),
			 KVM_REG_RISCV | ULONG_SIZE | KVM_REG_RISCV_ISA_EXT | KVM_RISCV_ISA_EXT_ZICBOM);
	assert_int_equal(ckvm_riscv_isa_ext_reg(CKVM_RISCV_ISA_EXT_V), 0x803000000700000full);
	assert_int_equal(ckvm_riscv_isa_ext_multi_reg(true, 1), 0x8030000007010001ull);
	assert_int_equal(ckvm_riscv_isa_ext_multi_reg(false, 0), 0x8030000007020000ull);
	assert_int_equal(ckvm_riscv_sbi_ext_reg(CKVM_RISCV_SBI_EXT_DBCN), 0x8030000008000009ull);
	assert_int_equal(ckvm_riscv_sbi_ext_multi_reg(true, 0), 0x8030000008010000ull);
	assert_int_equal(ckvm_riscv_sbi_ext_multi_reg(false, 0), 0x8030000008020000ull);
	assert_int_equal(ckvm_riscv_sbi_sta_reg(1), 0x803000000a000001ull);
	assert_int_equal(ckvm_riscv_sbi_fwft_reg(1, 2), 0x803000000a010005ull);
	assert_int_equal(ckvm_riscv_sbi_fwft_reg(0, 3), 0);
	/* the 6.1 header's numbers agree with ckvm's table */
	assert_int_equal(CKVM_RISCV_ISA_EXT_ZICBOM, KVM_RISCV_ISA_EXT_ZICBOM);
	assert_int_equal(CKVM_RISCV_ISA_EXT_SVPBMT, KVM_RISCV_ISA_EXT_SVPBMT);
	assert_true((unsigned)CKVM_RISCV_ISA_EXT_COUNT >= (unsigned)KVM_RISCV_ISA_EXT_MAX);
	/* numbers from later kernels (ABI: never reused) */
	assert_int_equal(CKVM_RISCV_ISA_EXT_SSAIA, 14);
	assert_int_equal(CKVM_RISCV_ISA_EXT_SMSTATEEN, 23);
	assert_int_equal(CKVM_RISCV_ISA_EXT_ZKR, 32);
	assert_int_equal(CKVM_RISCV_ISA_EXT_ZVFBFWMA, 74);
	assert_int_equal(CKVM_RISCV_SBI_EXT_VENDOR, 8);
	assert_int_equal(CKVM_RISCV_SBI_EXT_SUSP, 11);
	assert_int_equal(CKVM_RISCV_SBI_EXT_MPXY, 13);
}

static void test_vector_ids(void **state)
{
	(void)state;
	assert_int_equal(ckvm_riscv_vector_csr_reg(CKVM_RISCV_VECTOR_VLENB), 0x8030000009000004ull);
	/* v0 with VLEN 128 (vlenb 16): index 6, size 16 bytes */
	assert_int_equal(ckvm_riscv_vector_reg(0, 16), KVM_REG_RISCV | KVM_REG_SIZE_U128 |
			 KVM_REG_RISCV_VECTOR | 6);
	assert_int_equal(ckvm_reg_size(ckvm_riscv_vector_reg(31, 32)), 32);
	assert_int_equal(ckvm_riscv_vector_reg(31, 256) & 0xffff, 37);
	assert_int_equal(ckvm_reg_size(ckvm_riscv_vector_reg(1, 256)), 256);
	assert_int_equal(ckvm_riscv_vector_reg(32, 16), 0);
	assert_int_equal(ckvm_riscv_vector_reg(0, 0), 0);
	assert_int_equal(ckvm_riscv_vector_reg(0, 24), 0);
	assert_int_equal(ckvm_riscv_vector_reg(0, 512), 0);
}

static void test_id_fields(void **state)
{
	uint64_t id = ckvm_riscv_aia_csr_reg(CKVM_RISCV_AIA_CSR_IPRIO2H);

	(void)state;
	assert_int_equal(ckvm_riscv_reg_type(id), 3);
	assert_int_equal(ckvm_riscv_reg_subtype(id), 1);
	assert_int_equal(ckvm_riscv_reg_index(id), CKVM_RISCV_AIA_CSR_IPRIO2H);
}

static void name_is(uint64_t id, const char *want)
{
	t_check_reg_name(ckvm_riscv_reg_name, id, want);
}

static void test_reg_names(void **state)
{
	char small[3];

	(void)state;
	name_is(ckvm_riscv_reg_pc(), "pc");
	name_is(ckvm_riscv_reg_x(1), "ra");
	name_is(ckvm_riscv_reg_a(0), "a0");
	name_is(ckvm_riscv_reg_x(24), "s8");
	name_is(ckvm_riscv_reg_x(31), "t6");
	name_is(ckvm_riscv_core_reg(CKVM_RISCV_CORE_MODE), "mode");
	name_is(ckvm_riscv_config_reg(CKVM_RISCV_CONFIG_ISA), "config.isa");
	name_is(ckvm_riscv_config_reg(CKVM_RISCV_CONFIG_SATP_MODE), "config.satp_mode");
	name_is(ckvm_riscv_config_reg(40), "config[40]");
	name_is(ckvm_riscv_csr_reg(CKVM_RISCV_CSR_SATP), "csr.satp");
	name_is(ckvm_riscv_csr_reg(17), "csr[17]");
	name_is(ckvm_riscv_aia_csr_reg(CKVM_RISCV_AIA_CSR_SISELECT), "aia.siselect");
	name_is(ckvm_riscv_smstateen_csr_reg(0), "smstateen.sstateen0");
	name_is(ckvm_riscv_timer_reg(CKVM_RISCV_TIMER_COMPARE), "timer.compare");
	name_is(ckvm_riscv_fp_f_reg(3), "f.f3");
	name_is(ckvm_riscv_fp_d_reg(CKVM_RISCV_FP_FCSR), "d.fcsr");
	name_is(ckvm_riscv_vector_csr_reg(CKVM_RISCV_VECTOR_VL), "v.vl");
	name_is(ckvm_riscv_vector_reg(5, 16), "v.v5");
	name_is(ckvm_riscv_isa_ext_reg(CKVM_RISCV_ISA_EXT_V), "isa_ext.v");
	name_is(ckvm_riscv_isa_ext_reg(CKVM_RISCV_ISA_EXT_ZICBOM), "isa_ext.zicbom");
	name_is(ckvm_riscv_isa_ext_reg(999), "isa_ext[999]");
	name_is(ckvm_riscv_isa_ext_multi_reg(true, 1), "isa_ext.multi_en[1]");
	name_is(ckvm_riscv_sbi_ext_reg(CKVM_RISCV_SBI_EXT_DBCN), "sbi_ext.dbcn");
	name_is(ckvm_riscv_sbi_ext_multi_reg(false, 0), "sbi_ext.multi_dis[0]");
	name_is(ckvm_riscv_sbi_sta_reg(0), "sbi_sta.shmem_lo");
	name_is(ckvm_riscv_sbi_fwft_reg(1, 2), "sbi_fwft[1].value");
	/* bits 16-23 are index bits for core/config/timer/fp/vector: not "pc" */
	name_is(ckvm_riscv_reg_pc() | 0x10000u, "riscv[0x8030000002010000]");
	name_is(ckvm_riscv_timer_reg(0) | 0x20000u, "riscv[0x8030000004020000]");
	assert_int_equal(ckvm_riscv_reg_name(ckvm_riscv_reg_pc(), small, sizeof(small)), 2);
	assert_int_equal(ckvm_riscv_reg_name(ckvm_riscv_timer_reg(0), small, sizeof(small)),
			 strlen("timer.frequency"));
	assert_string_equal(small, "ti");
	assert_int_equal(ckvm_riscv_reg_name(ckvm_riscv_reg_pc(), NULL, 0), 2);
	t_assert_err(ckvm_riscv_reg_name(ckvm_riscv_reg_pc(), NULL, 4), EINVAL);
	/* an arm64 id is not a RISC-V register */
	t_assert_err(ckvm_riscv_reg_name(0x6030000000100040ull, small, sizeof(small)), EINVAL);
}

static void test_ext_names(void **state)
{
	unsigned i;

	(void)state;
	assert_string_equal(ckvm_riscv_isa_ext_name(CKVM_RISCV_ISA_EXT_A), "a");
	assert_string_equal(ckvm_riscv_isa_ext_name(CKVM_RISCV_ISA_EXT_SSAIA), "ssaia");
	assert_string_equal(ckvm_riscv_isa_ext_name(CKVM_RISCV_ISA_EXT_ZKR), "zkr");
	assert_string_equal(ckvm_riscv_isa_ext_name(CKVM_RISCV_ISA_EXT_ZVFBFWMA), "zvfbfwma");
	assert_null(ckvm_riscv_isa_ext_name(CKVM_RISCV_ISA_EXT_COUNT));
	for (i = 0; i < CKVM_RISCV_ISA_EXT_COUNT; i++)
		assert_non_null(ckvm_riscv_isa_ext_name(i));
	assert_string_equal(ckvm_riscv_sbi_ext_name(CKVM_RISCV_SBI_EXT_V01), "v01");
	assert_string_equal(ckvm_riscv_sbi_ext_name(CKVM_RISCV_SBI_EXT_STA), "sta");
	assert_string_equal(ckvm_riscv_sbi_ext_name(CKVM_RISCV_SBI_EXT_MPXY), "mpxy");
	assert_null(ckvm_riscv_sbi_ext_name(CKVM_RISCV_SBI_EXT_COUNT));
}

static void test_aia_attrs(void **state)
{
	(void)state;
	assert_int_equal(ckvm_aia_imsic_attr(3, 0x70), (3u << 12) | 0x70);
	assert_int_equal(ckvm_aia_imsic_attr(0, 0xfff), 0xfff);
	assert_int_equal(KVM_DEV_RISCV_AIA_ADDR_IMSIC(2), 3);
	assert_int_equal(KVM_DEV_TYPE_RISCV_AIA, 11);
}

static void test_null_args(void **state)
{
	struct ckvm_device *dev = NULL;
	uint64_t u64;
	uint32_t u32;
	bool b;

	(void)state;
	t_assert_err(ckvm_vcpu_riscv_get_isa_ext(NULL, 0, &b), EINVAL);
	t_assert_err(ckvm_vcpu_riscv_set_isa_ext(NULL, 0, true), EINVAL);
	t_assert_err(ckvm_vcpu_riscv_get_sbi_ext(NULL, 0, &b), EINVAL);
	t_assert_err(ckvm_vcpu_riscv_set_sbi_ext(NULL, 0, true), EINVAL);
	t_assert_err(ckvm_vcpu_interrupt(NULL, KVM_INTERRUPT_SET), EINVAL);
	t_assert_err(ckvm_vm_create_aia(NULL, &dev), EINVAL);
	t_assert_err(ckvm_vm_setup_aia(NULL, 1, 32, 0, 0xc000000, 0x28000000, &dev), EINVAL);
	assert_null(dev);
	t_assert_err(ckvm_aia_set_config(NULL, KVM_DEV_RISCV_AIA_CONFIG_SRCS, 32), EINVAL);
	t_assert_err(ckvm_aia_get_config(NULL, KVM_DEV_RISCV_AIA_CONFIG_SRCS, &u32), EINVAL);
	t_assert_err(ckvm_aia_set_aplic_addr(NULL, 0xc000000), EINVAL);
	t_assert_err(ckvm_aia_set_imsic_addr(NULL, 0, 0x28000000), EINVAL);
	t_assert_err(ckvm_aia_get_addr(NULL, KVM_DEV_RISCV_AIA_ADDR_APLIC, &u64), EINVAL);
	t_assert_err(ckvm_aia_init(NULL), EINVAL);
	t_assert_err(ckvm_aia_get_aplic_reg(NULL, 0, &u32), EINVAL);
	t_assert_err(ckvm_aia_set_aplic_reg(NULL, 0, 0), EINVAL);
	t_assert_err(ckvm_aia_get_imsic_reg(NULL, 0, 0x70, &u64), EINVAL);
	t_assert_err(ckvm_aia_set_imsic_reg(NULL, 0, 0x70, 0), EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_core_ids),
		cmocka_unit_test(test_config_csr_timer_fp_ids),
		cmocka_unit_test(test_ext_ids),
		cmocka_unit_test(test_vector_ids),
		cmocka_unit_test(test_id_fields),
		cmocka_unit_test(test_reg_names),
		cmocka_unit_test(test_ext_names),
		cmocka_unit_test(test_aia_attrs),
		cmocka_unit_test(test_null_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
