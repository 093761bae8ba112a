/* SPDX-License-Identifier: MIT */
/*
 * test_riscv64_compat.c (unit) - the riscv64 definitions of
 * ckvm/compat-arch.h (or the system header's, when newer) against the
 * documented ABI (api.rst "RISC-V registers", devices/riscv-aia.rst):
 * id fields, subtypes, device constants and struct layouts. Compile-time
 * checks plus a run. No /dev/kvm needed.
 */
#include "t.h"

#include <stddef.h>

_Static_assert(KVM_REG_RISCV == 0x8000000000000000ull, "KVM_REG_RISCV");
_Static_assert(KVM_REG_RISCV_TYPE_SHIFT == 24 && KVM_REG_RISCV_SUBTYPE_SHIFT == 16, "shifts");
_Static_assert(KVM_REG_RISCV_SUBTYPE_MASK == 0x0000000000FF0000ull, "subtype mask");
_Static_assert(KVM_REG_RISCV_CSR_GENERAL == 0 && KVM_REG_RISCV_CSR_AIA == 0x10000 &&
	       KVM_REG_RISCV_CSR_SMSTATEEN == 0x20000, "CSR subtypes");
_Static_assert(KVM_REG_RISCV_ISA_SINGLE == 0 && KVM_REG_RISCV_ISA_MULTI_EN == 0x10000 &&
	       KVM_REG_RISCV_ISA_MULTI_DIS == 0x20000, "ISA subtypes");
_Static_assert(KVM_REG_RISCV_SBI_EXT == 0x08000000 && KVM_REG_RISCV_SBI_SINGLE == 0 &&
	       KVM_REG_RISCV_SBI_MULTI_EN == 0x10000 && KVM_REG_RISCV_SBI_MULTI_DIS == 0x20000,
	       "SBI ext");
_Static_assert(KVM_REG_RISCV_VECTOR == 0x09000000, "vector type");
_Static_assert(KVM_REG_RISCV_SBI_STATE == 0x0a000000 && KVM_REG_RISCV_SBI_STA == 0 &&
	       KVM_REG_RISCV_SBI_FWFT == 0x10000, "SBI state");
_Static_assert(sizeof(struct kvm_riscv_aia_csr) == 7 * sizeof(unsigned long), "aia csr");
_Static_assert(offsetof(struct kvm_riscv_aia_csr, iprio2h) == 6 * sizeof(unsigned long), "iprio2h");
_Static_assert(sizeof(struct kvm_riscv_smstateen_csr) == sizeof(unsigned long), "smstateen");
_Static_assert(offsetof(struct kvm_riscv_csr, scounteren) == 9 * sizeof(unsigned long), "csr");
_Static_assert(offsetof(struct kvm_riscv_core, mode) == 32 * sizeof(unsigned long), "core");
_Static_assert(KVM_EXIT_FAIL_ENTRY_NO_VSFILE == 1, "NO_VSFILE");
_Static_assert(KVM_DEV_TYPE_RISCV_AIA == 11, "AIA device type");
_Static_assert(KVM_DEV_RISCV_APLIC_ALIGN == 0x1000 && KVM_DEV_RISCV_APLIC_SIZE == 0x4000 &&
	       KVM_DEV_RISCV_APLIC_MAX_HARTS == 0x4000 && KVM_DEV_RISCV_IMSIC_ALIGN == 0x1000 &&
	       KVM_DEV_RISCV_IMSIC_SIZE == 0x1000, "AIA sizes");
_Static_assert(KVM_DEV_RISCV_AIA_GRP_CONFIG == 0 && KVM_DEV_RISCV_AIA_CONFIG_MODE == 0 &&
	       KVM_DEV_RISCV_AIA_CONFIG_IDS == 1 && KVM_DEV_RISCV_AIA_CONFIG_SRCS == 2 &&
	       KVM_DEV_RISCV_AIA_CONFIG_GROUP_BITS == 3 && KVM_DEV_RISCV_AIA_CONFIG_GROUP_SHIFT == 4 &&
	       KVM_DEV_RISCV_AIA_CONFIG_HART_BITS == 5 && KVM_DEV_RISCV_AIA_CONFIG_GUEST_BITS == 6,
	       "AIA config");
_Static_assert(KVM_DEV_RISCV_AIA_MODE_EMUL == 0 && KVM_DEV_RISCV_AIA_MODE_HWACCEL == 1 &&
	       KVM_DEV_RISCV_AIA_MODE_AUTO == 2, "AIA modes");
_Static_assert(KVM_DEV_RISCV_AIA_IDS_MIN == 63 && KVM_DEV_RISCV_AIA_IDS_MAX == 2048 &&
	       KVM_DEV_RISCV_AIA_SRCS_MAX == 1024 && KVM_DEV_RISCV_AIA_HART_BITS_MAX == 16,
	       "AIA limits");
_Static_assert(KVM_DEV_RISCV_AIA_GRP_ADDR == 1 && KVM_DEV_RISCV_AIA_ADDR_APLIC == 0 &&
	       KVM_DEV_RISCV_AIA_ADDR_IMSIC(0) == 1 && KVM_DEV_RISCV_AIA_GRP_CTRL == 2 &&
	       KVM_DEV_RISCV_AIA_CTRL_INIT == 0 && KVM_DEV_RISCV_AIA_GRP_APLIC == 3 &&
	       KVM_DEV_RISCV_AIA_GRP_IMSIC == 4 && KVM_DEV_RISCV_AIA_IMSIC_ISEL_BITS == 12,
	       "AIA groups");
_Static_assert(KVM_INTERRUPT_SET == 0xffffffffu && KVM_INTERRUPT_UNSET == 0xfffffffeu,
	       "KVM_INTERRUPT values");
_Static_assert(CKVM_ARCH_DIRTY_LOG_PAGE_OFFSET == 64, "dirty ring offset");
_Static_assert(KVM_CAP_RISCV_MP_STATE_RESET == 242, "MP_STATE_RESET");
_Static_assert(KVM_COALESCED_MMIO_PAGE_OFFSET == 1, "coalesced page");

static void test_values(void **state)
{
	(void)state;
	assert_int_equal(KVM_DEV_RISCV_AIA_ADDR_MAX, 1 + 0x4000);
	assert_int_equal(KVM_DEV_RISCV_AIA_IMSIC_ISEL_MASK, 0xfff);
	assert_int_equal(ckvm_riscv_aia_csr_reg(0), KVM_REG_RISCV | KVM_REG_SIZE_U64 |
			 KVM_REG_RISCV_CSR | KVM_REG_RISCV_CSR_AIA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
