/* SPDX-License-Identifier: MIT */
/*
 * test_headers_c11.c (unit) - the umbrella header compiled as strict ISO C11
 * (-std=c11, not gnu11) and linked: every header-declared inline helper and
 * a few functions from each header are callable.
 */
#include <ckvm.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

static void test_umbrella_c11(void **state)
{
	struct kvm_irq_routing *r = NULL;

	(void)state;
	assert_true(__STDC_VERSION__ >= 201112L);
	assert_string_equal(ckvm_version(), CKVM_VERSION_STRING);
	assert_string_equal(ckvm_cap_name(KVM_CAP_USER_MEMORY2), "KVM_CAP_USER_MEMORY2");
	assert_int_equal(ckvm_reg_size(KVM_REG_SIZE_U64), 8);
	assert_int_equal(ckvm_irq_routing_alloc(1, &r), 0);
	ckvm_irq_routing_free(r);
	/* linkage of the close functions (NULL is allowed) and of the decoder */
	ckvm_close(NULL);
	ckvm_vm_close(NULL);
	ckvm_vcpu_close(NULL);
	ckvm_device_close(NULL);
	ckvm_stats_close(NULL);
	assert_int_equal(ckvm_exit_decode(NULL, 0, 0, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_umbrella_c11),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
