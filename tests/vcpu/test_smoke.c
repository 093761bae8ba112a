/* SPDX-License-Identifier: MIT */
/* Smoke tests of the tiny-guest harness: real mode and long mode + CPL3. */
#include "guest.h"

static void test_real_mode(void **state)
{
	struct t_guest g;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	t_guest_load_code(&g, guest_real_smoke);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_REAL, T_CODE_GPA);
	assert_int_equal(t_expect_report(&g, v), 0x1234);
	g.input = 0x5555aaa0;
	assert_int_equal(t_expect_report(&g, v), 0x5555aaa1);
	assert_int_equal(t_expect_report(&g, v), 0xbeef);
	t_expect_done(&g, v);
	t_guest_destroy(&g);
}

static void test_long_mode_user(void **state)
{
	struct t_guest g;
	(void)state;

	t_guest_create(&g, 2 << 20, 0);
	t_guest_load_code(&g, guest_long_smoke);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	assert_int_equal(t_expect_report(&g, v), 42);
	assert_int_equal(t_expect_report(&g, v), 10000000);
	assert_int_equal(t_expect_report(&g, v), 3);
	g.input = 0x123456789aULL;
	assert_int_equal(t_expect_report(&g, v), 0x123456789bULL);
	t_expect_done(&g, v);
	t_guest_destroy(&g);
}

static void test_prot_mode(void **state)
{
	struct t_guest g;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	t_guest_load_code(&g, guest_prot_smoke);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_PROT32, T_CODE_GPA);
	assert_int_equal(t_expect_report(&g, v), 1);
	assert_int_equal(t_expect_report(&g, v), 0xcafef00d);
	t_expect_done(&g, v);
	t_guest_destroy(&g);
}

static void test_user_start(void **state)
{
	struct t_guest g;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	t_guest_load_code(&g, guest_user_smoke);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_USER64, T_CODE_GPA);
	assert_int_equal(t_expect_report(&g, v), 3);
	t_expect_done(&g, v);
	t_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_mode),
		cmocka_unit_test(test_long_mode_user),
		cmocka_unit_test(test_prot_mode),
		cmocka_unit_test(test_user_start),
	};
	ckvm_close(t_require_kvm());
	t_watchdog(30);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
