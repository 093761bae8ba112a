/* SPDX-License-Identifier: MIT */
/*
 * test_riscv64_exits.c (unit) - the RISC-V exits over synthetic kvm_run
 * buffers and their reply paths: SBI calls (console putchar, DBCN,
 * experimental/vendor ranges) answered with ckvm_riscv_sbi_reply, CSR
 * accesses (seed) answered with ckvm_riscv_csr_reply, SRST system events
 * and FAIL_ENTRY. No /dev/kvm needed.
 */
#include "onereg_test.h"

#include <errno.h>
#include <string.h>

static void test_sbi_putchar(void **state)
{
	struct kvm_run *run = t_run_fresh(KVM_EXIT_RISCV_SBI);
	struct ckvm_exit e;
	unsigned i;

	(void)state;
	run->riscv_sbi.extension_id = CKVM_SBI_EXT_0_1_CONSOLE_PUTCHAR;
	run->riscv_sbi.function_id = 0;
	for (i = 0; i < 6; i++)
		run->riscv_sbi.args[i] = 'A' + i;
	e = t_exit_decode(run, CKVM_EXIT_RISCV_SBI);
	assert_int_equal(e.riscv_sbi.extension_id, 0x01);
	assert_int_equal(e.riscv_sbi.function_id, 0);
	assert_int_equal(e.riscv_sbi.args[0], 'A');
	assert_int_equal(e.riscv_sbi.args[5], 'F');
	/* the reply lands in kvm_run: a0 = error, a1 = value */
	t_assert_ok(ckvm_riscv_sbi_reply(&e, CKVM_SBI_SUCCESS, 0));
	assert_int_equal(run->riscv_sbi.ret[0], 0);
	assert_int_equal(run->riscv_sbi.ret[1], 0);
}

static void test_sbi_dbcn_and_errors(void **state)
{
	struct kvm_run *run = t_run_fresh(KVM_EXIT_RISCV_SBI);
	struct ckvm_exit e;

	(void)state;
	/* DBCN console write of 5 bytes at 0x80001000 */
	run->riscv_sbi.extension_id = CKVM_SBI_EXT_DBCN;
	run->riscv_sbi.function_id = CKVM_SBI_DBCN_CONSOLE_WRITE;
	run->riscv_sbi.args[0] = 5;
	run->riscv_sbi.args[1] = 0x80001000;
	run->riscv_sbi.args[2] = 0;
	e = t_exit_decode(run, CKVM_EXIT_RISCV_SBI);
	assert_int_equal(e.riscv_sbi.extension_id, 0x4442434e);
	assert_int_equal(e.riscv_sbi.function_id, CKVM_SBI_DBCN_CONSOLE_WRITE);
	t_assert_ok(ckvm_riscv_sbi_reply(&e, CKVM_SBI_SUCCESS, 5));
	assert_int_equal(run->riscv_sbi.ret[0], 0);
	assert_int_equal(run->riscv_sbi.ret[1], 5);
	/* an unsupported experimental call: error -2 as an unsigned long */
	run->riscv_sbi.extension_id = CKVM_SBI_EXT_EXPERIMENTAL_START + 7;
	e = t_exit_decode(run, CKVM_EXIT_RISCV_SBI);
	t_assert_ok(ckvm_riscv_sbi_reply(&e, CKVM_SBI_ERR_NOT_SUPPORTED, 0));
	assert_int_equal((long)run->riscv_sbi.ret[0], -2);
	assert_int_equal(run->riscv_sbi.ret[1], 0);
	assert_true(e.riscv_sbi.extension_id >= CKVM_SBI_EXT_EXPERIMENTAL_START &&
		    e.riscv_sbi.extension_id <= CKVM_SBI_EXT_EXPERIMENTAL_END);
	/* replying to another kind of exit is refused and writes nothing */
	run = t_run_fresh(KVM_EXIT_MMIO);
	run->mmio.len = 4;
	run->mmio.is_write = 1;
	e = t_exit_decode(run, CKVM_EXIT_MMIO_WRITE);
	t_assert_err(ckvm_riscv_sbi_reply(&e, 0, 0), EINVAL);
	t_assert_err(ckvm_riscv_csr_reply(&e, 0), EINVAL);
	t_assert_err(ckvm_riscv_sbi_reply(NULL, 0, 0), EINVAL);
	t_assert_err(ckvm_riscv_csr_reply(NULL, 0), EINVAL);
}

static void test_csr_seed(void **state)
{
	struct kvm_run *run = t_run_fresh(KVM_EXIT_RISCV_CSR);
	struct ckvm_exit e;
	unsigned long csr = 0x1234;

	(void)state;
	/* csrrw t0, seed, t1: read old value, write new under a full mask */
	run->riscv_csr.csr_num = 0x015;
	run->riscv_csr.new_value = 0xdead;
	run->riscv_csr.write_mask = ~0ul;
	run->riscv_csr.ret_value = 0;
	e = t_exit_decode(run, CKVM_EXIT_RISCV_CSR);
	assert_int_equal(e.riscv_csr.csr_num, 0x015);
	assert_int_equal(e.riscv_csr.new_value, 0xdead);
	assert_int_equal(e.riscv_csr.write_mask, ~0ul);
	t_assert_ok(ckvm_riscv_csr_reply(&e, csr));
	assert_int_equal(run->riscv_csr.ret_value, 0x1234);
	csr = ckvm_riscv_csr_new_value(csr, e.riscv_csr.new_value, e.riscv_csr.write_mask);
	assert_int_equal(csr, 0xdead);
	/* csrrs with a partial mask sets only the masked bits */
	assert_int_equal(ckvm_riscv_csr_new_value(0xf0, 0x0f, 0x03), 0xf3);
	/* a pure read (write_mask 0) leaves the value */
	assert_int_equal(ckvm_riscv_csr_new_value(0xf0, 0xff, 0), 0xf0);
}

static void test_srst_system_event(void **state)
{
	struct kvm_run *run = t_run_fresh(KVM_EXIT_SYSTEM_EVENT);

	(void)state;
	/* KVM handles SBI SRST itself and reports a system event; data[0] is the reason */
	t_system_event(run, KVM_SYSTEM_EVENT_SHUTDOWN, 1, 0);
	t_system_event(run, KVM_SYSTEM_EVENT_RESET, 1, 1); /* system failure */
}

static void test_fail_entry_no_vsfile(void **state)
{
	struct kvm_run *run = t_run_fresh(KVM_EXIT_FAIL_ENTRY);
	struct ckvm_exit e;

	(void)state;
	run->fail_entry.hardware_entry_failure_reason = KVM_EXIT_FAIL_ENTRY_NO_VSFILE;
	run->fail_entry.cpu = 1;
	e = t_exit_decode(run, CKVM_EXIT_FAIL_ENTRY);
	assert_int_equal(e.fail_entry.hardware_entry_failure_reason, 1);
	assert_int_equal(e.fail_entry.cpu, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sbi_putchar),
		cmocka_unit_test(test_sbi_dbcn_and_errors),
		cmocka_unit_test(test_csr_seed),
		cmocka_unit_test(test_srst_system_event),
		cmocka_unit_test(test_fail_entry_no_vsfile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
