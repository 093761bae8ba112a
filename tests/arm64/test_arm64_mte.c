/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_mte.c (kvm) - KVM_CAP_ARM_MTE and KVM_ARM_MTE_COPY_TAGS: MTE
 * is enabled on a fresh VM (before vCPUs), tags of one guest page are
 * written from a pattern and read back identical; unaligned requests are
 * refused; enabling after a vCPU exists is refused.
 */
#include "a64.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static void test_copy_tags(void **state)
{
	struct a64_guest g;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t out[65536 / 16], in[65536 / 16];
	size_t n = page / 16, i;

	(void)state;
	a64_guest_create(&g, 0);
	t_require_vm_cap(g.vm, KVM_CAP_ARM_MTE);
	assert_true(n <= sizeof(out));
	t_assert_ok(ckvm_vm_arm_enable_mte(g.vm));
	for (i = 0; i < n; i++)
		out[i] = (uint8_t)(i & 0xf);
	assert_int_equal(ckvm_vm_arm_mte_copy_tags(g.vm, A64_DATA_GPA & ~(uint64_t)(page - 1), page,
						   out, true), (int)page);
	memset(in, 0xff, sizeof(in));
	assert_int_equal(ckvm_vm_arm_mte_copy_tags(g.vm, A64_DATA_GPA & ~(uint64_t)(page - 1), page,
						   in, false), (int)page);
	assert_memory_equal(in, out, n);
	t_assert_err(ckvm_vm_arm_mte_copy_tags(g.vm, A64_DATA_GPA + 16, page, in, false), EINVAL);
	t_assert_err(ckvm_vm_arm_mte_copy_tags(g.vm, A64_DATA_GPA, 1ull << 40, in, false), E2BIG);
	a64_guest_add_vcpu(&g, 0);
	/* too late once a vCPU exists */
	t_assert_err(ckvm_vm_arm_enable_mte(g.vm), EINVAL);
	a64_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_tags),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
