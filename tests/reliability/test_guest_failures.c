/* SPDX-License-Identifier: MIT */
/*
 * test_guest_failures - guests that end in every kind of failure give the
 * right exit, decoded, and leave the process healthy.
 *
 *  - triple fault: ud2 with an empty IDT (#UD -> #NP -> #DF -> shutdown)
 *    gives CKVM_EXIT_SHUTDOWN;
 *  - emulation failure: executing from guest-physical space that is not
 *    RAM (0xd0000000) gives CKVM_EXIT_INTERNAL_ERROR with suberror
 *    KVM_INTERNAL_ERROR_EMULATION and its data decoded;
 *  - invalid state refused: KVM_SET_SREGS with EFER.LMA but CR0.PG clear
 *    fails with -EINVAL, leaves the vCPU's state as it was, and the vCPU
 *    then runs its guest to completion;
 *  - invalid state on entry: a 64-bit code segment with both L and D set.
 *    VMX refuses the entry (CKVM_EXIT_FAIL_ENTRY with a hardware reason);
 *    hosts that do not check (SVM, this machine's PVM) run the guest, which
 *    then completes or faults. Each outcome is decoded and reported.
 *
 * After every case a fresh VM runs a good guest to its DONE ucall, the
 * failed vCPU answers KVM ioctls, and the number of open fds is back to
 * where it was.
 */
#include "guest.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define NOT_RAM_GPA 0xd0000000ull

/* xor %eax,%eax; movabs %rax, T_UCALL_MMIO_DONE */
static const unsigned char good_guest[] = {
	0x31, 0xc0, 0x48, 0xa3,
	(unsigned char)(T_UCALL_MMIO_DONE & 0xff), (unsigned char)((T_UCALL_MMIO_DONE >> 8) & 0xff),
	(unsigned char)((T_UCALL_MMIO_DONE >> 16) & 0xff), (unsigned char)((T_UCALL_MMIO_DONE >> 24) & 0xff),
	0, 0, 0, 0,
};
static const unsigned char ud2_guest[] = { 0x0f, 0x0b };

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;
}

/* A fresh VM runs a good guest to DONE. */
static void assert_healthy(int fds_before, const char *after)
{
	struct t_guest g;
	struct ckvm_vcpu *v;

	t_guest_create(&g, 1 << 20, 0);
	t_guest_load(&g, T_CODE_GPA, good_guest, good_guest + sizeof(good_guest));
	v = t_guest_add_vcpu(&g, T_MODE_USER64, T_CODE_GPA);
	t_expect_done(&g, v);
	t_guest_destroy(&g);
	if (count_fds() != fds_before)
		fail_msg("after %s: %d fds open, %d before", after, count_fds(), fds_before);
}

/* The failed vCPU still answers ioctls. */
static void assert_vcpu_answers(struct ckvm_vcpu *v)
{
	struct kvm_regs regs;
	struct kvm_mp_state mp;

	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	t_assert_ok(ckvm_vcpu_get_mp_state(v, &mp));
}

static void test_triple_fault(void **state)
{
	int fds = count_fds();
	struct ckvm_exit e;
	struct t_guest g;
	struct ckvm_vcpu *v;

	(void)state;
	t_watchdog(30);
	t_guest_create(&g, 1 << 20, 0);
	t_guest_load(&g, T_CODE_GPA, ud2_guest, ud2_guest + sizeof(ud2_guest));
	v = t_guest_add_vcpu(&g, T_MODE_USER64, T_CODE_GPA);
	t_expect_exit(&g, v, CKVM_EXIT_SHUTDOWN, &e);
	assert_int_equal(e.reason, KVM_EXIT_SHUTDOWN);
	assert_ptr_equal(e.run, ckvm_vcpu_run_struct(v));
	assert_vcpu_answers(v);
	t_guest_destroy(&g);
	assert_healthy(fds, "a triple fault");
	t_watchdog(0);
}

static void test_emulation_failure(void **state)
{
	int fds = count_fds();
	struct ckvm_exit e;
	struct t_guest g;
	struct ckvm_vcpu *v;

	(void)state;
	t_watchdog(30);
	t_guest_create(&g, 1 << 20, 0);
	v = t_guest_add_vcpu(&g, T_MODE_USER64, NOT_RAM_GPA);
	t_expect_exit(&g, v, CKVM_EXIT_INTERNAL_ERROR, &e);
	assert_int_equal(e.reason, KVM_EXIT_INTERNAL_ERROR);
	assert_int_equal(e.internal.suberror, KVM_INTERNAL_ERROR_EMULATION);
	assert_true(e.internal.ndata <= 16);
	if (e.internal.ndata)
		assert_ptr_equal(e.internal.data, ckvm_vcpu_run_struct(v)->internal.data);
	print_message("emulation failure: suberror %u, %u data words\n", e.internal.suberror,
		      e.internal.ndata);
	assert_vcpu_answers(v);
	t_guest_destroy(&g);
	assert_healthy(fds, "an emulation failure");
	t_watchdog(0);
}

static void test_invalid_state_refused(void **state)
{
	int fds = count_fds();
	struct kvm_sregs good, bad, now;
	struct t_guest g;
	struct ckvm_vcpu *v;

	(void)state;
	t_watchdog(30);
	t_guest_create(&g, 1 << 20, 0);
	t_guest_load(&g, T_CODE_GPA, good_guest, good_guest + sizeof(good_guest));
	v = t_guest_add_vcpu(&g, T_MODE_USER64, T_CODE_GPA);
	t_assert_ok(ckvm_vcpu_get_sregs(v, &good));
	bad = good;
	bad.cr0 &= ~0x80000000ull; /* long mode active without paging */
	t_assert_err(ckvm_vcpu_set_sregs(v, &bad), EINVAL);
	t_assert_ok(ckvm_vcpu_get_sregs(v, &now));
	assert_int_equal(now.cr0, good.cr0);
	assert_int_equal(now.efer, good.efer);
	t_expect_done(&g, v); /* the refused state changed nothing */
	t_guest_destroy(&g);
	assert_healthy(fds, "a refused state");
	t_watchdog(0);
}

static void test_invalid_state_on_entry(void **state)
{
	int fds = count_fds();
	struct kvm_sregs sregs;
	struct ckvm_exit e;
	struct t_guest g;
	struct ckvm_vcpu *v;
	enum t_ucall u;
	int r;

	(void)state;
	t_watchdog(30);
	t_guest_create(&g, 1 << 20, 0);
	t_guest_load(&g, T_CODE_GPA, good_guest, good_guest + sizeof(good_guest));
	v = t_guest_add_vcpu(&g, T_MODE_USER64, T_CODE_GPA);
	t_assert_ok(ckvm_vcpu_get_sregs(v, &sregs));
	sregs.cs.db = 1; /* L and D both set: reserved for 64-bit code segments */
	r = ckvm_vcpu_set_sregs(v, &sregs);
	if (r == -EINVAL) {
		print_message("invalid state on entry: refused by KVM_SET_SREGS\n");
	} else {
		t_assert_ok(r);
		u = t_run_ucall(&g, v, &e, NULL);
		switch (u) {
		case T_UCALL_DONE:
			print_message("invalid state on entry: this host does not check the "
				      "segment (SVM/PVM); the guest ran to DONE\n");
			break;
		case T_UCALL_NONE:
			if (e.kind == CKVM_EXIT_FAIL_ENTRY) {
				assert_int_equal(e.reason, KVM_EXIT_FAIL_ENTRY);
				assert_true(e.fail_entry.hardware_entry_failure_reason != 0);
				print_message("invalid state on entry: FAIL_ENTRY, hardware reason "
					      "0x%llx, cpu %u\n", (unsigned long long)
					      e.fail_entry.hardware_entry_failure_reason,
					      e.fail_entry.cpu);
			} else if (e.kind == CKVM_EXIT_INTERNAL_ERROR || e.kind == CKVM_EXIT_SHUTDOWN) {
				print_message("invalid state on entry: %s\n", t_exit_str(&e));
			} else {
				fail_msg("invalid state on entry: unexpected %s", t_exit_str(&e));
			}
			break;
		default:
			fail_msg("invalid state on entry: unexpected ucall %d", u);
		}
	}
	assert_vcpu_answers(v);
	t_guest_destroy(&g);
	assert_healthy(fds, "an invalid entry state");
	t_watchdog(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_triple_fault),
		cmocka_unit_test(test_emulation_failure),
		cmocka_unit_test(test_invalid_state_refused),
		cmocka_unit_test(test_invalid_state_on_entry),
	};
	struct ckvm *kvm = t_require_kvm();

	ckvm_close(kvm);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
