/* SPDX-License-Identifier: MIT */
/*
 * test_sync_regs.c - KVM_CAP_SYNC_REGS: with sync regs enabled,
 * ckvm_vcpu_get/set_regs, _sregs and _vcpu_events use the run page and
 * issue no ioctl, and the values written there reach the guest.
 *
 * The "no ioctl" proof is a seccomp filter: KVM_{GET,SET}_{REGS,SREGS,
 * VCPU_EVENTS} on the vCPU fd trap (SECCOMP_RET_TRAP) to a SIGSYS handler
 * that counts them and performs the ioctl on a dup of the fd (which the
 * filter lets through), so everything keeps working and the counts are
 * exact. A control step shows the filter does catch the ioctl path.
 */
#include "guest.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static volatile int trapped_fd = -1, forward_fd = -1;
static volatile sig_atomic_t counts[6];
static const unsigned long watched[6] = {
	KVM_GET_REGS, KVM_SET_REGS, KVM_GET_SREGS, KVM_SET_SREGS,
	KVM_GET_VCPU_EVENTS, KVM_SET_VCPU_EVENTS,
};

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *gr = uc->uc_mcontext.gregs;
	unsigned long req = (unsigned long)gr[REG_RSI];
	long r;

	(void)sig;
	(void)si;
	for (int i = 0; i < 6; i++)
		if (req == watched[i])
			counts[i]++;
	r = syscall(SYS_ioctl, forward_fd, req, (void *)gr[REG_RDX]);
	gr[REG_RAX] = r < 0 ? -errno : r;
}

static int total(void)
{
	int n = 0;

	for (int i = 0; i < 6; i++)
		n += counts[i];
	return n;
}

static void reset_counts(void)
{
	for (int i = 0; i < 6; i++)
		counts[i] = 0;
}

static void install_filter(int fd)
{
	struct sigaction sa;
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)fd, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)KVM_GET_REGS, 6, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)KVM_SET_REGS, 5, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)KVM_GET_SREGS, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)KVM_SET_SREGS, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)KVM_GET_VCPU_EVENTS, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)KVM_SET_VCPU_EVENTS, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	assert_int_equal(sigaction(SIGSYS, &sa, NULL), 0);
	trapped_fd = fd;
	forward_fd = dup(fd);
	assert_true(forward_fd >= 0);
	assert_int_equal(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	assert_int_equal(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog), 0);
}

static void test_sync_regs_no_ioctl(void **state)
{
	struct t_guest g;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_vcpu_events ev;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	t_require_vm_cap(g.vm, KVM_CAP_SYNC_REGS);
	int avail = ckvm_vm_check_extension(g.vm, KVM_CAP_SYNC_REGS);
	uint64_t all = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS;
	assert_int_equal((uint64_t)avail & all, all);
	t_guest_load_code(&g, guest_regs);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_assert_err(ckvm_vcpu_set_sync_valid_reg(v, 1u << 5), EINVAL);
	t_assert_ok(ckvm_vcpu_set_sync_valid_reg(v, all));
	assert_int_equal(ckvm_vcpu_run_struct(v)->kvm_valid_regs, all);
	assert_ptr_equal(ckvm_vcpu_sync_regs(v), &ckvm_vcpu_run_struct(v)->s.regs);

	install_filter(ckvm_vcpu_fd(v));

	/* Control: before the first exit the run page is not current: ioctls. */
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	assert_int_equal(counts[0], 1);
	assert_int_equal(regs.rip, T_CODE_GPA);
	regs.rbx = 0x1234;
	t_assert_ok(ckvm_vcpu_set_regs(v, &regs));
	assert_int_equal(counts[1], 1);
	assert_int_equal(t_expect_report(&g, v), 0x1234);

	/* After an exit: everything through the run page, zero ioctls. */
	reset_counts();
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	assert_int_equal(regs.rbx, 0x1234);
	assert_true(regs.rip > T_CODE_GPA);
	assert_int_equal(regs.rip, ckvm_vcpu_sync_regs(v)->regs.rip);
	regs.rbx = 0xabcd;
	t_assert_ok(ckvm_vcpu_set_regs(v, &regs));
	t_assert_ok(ckvm_vcpu_get_sregs(v, &sregs));
	assert_int_equal(sregs.cr3, T_PML4_GPA);
	assert_int_equal(sregs.cs.selector, T_SEL_CODE64);
	sregs.cr2 = 0x5000;
	t_assert_ok(ckvm_vcpu_set_sregs(v, &sregs));
	t_assert_ok(ckvm_vcpu_get_vcpu_events(v, &ev));
	assert_int_equal(ev.nmi.pending, 0);
	t_assert_ok(ckvm_vcpu_set_vcpu_events(v, &ev));
	/* A read after a write returns the written copy. */
	memset(&regs, 0, sizeof(regs));
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	assert_int_equal(regs.rbx, 0xabcd);
	assert_int_equal(ckvm_vcpu_run_struct(v)->kvm_dirty_regs, all);
	assert_int_equal(total(), 0);

	/* KVM loads the dirty copies on entry: the guest sees CR2 and RBX. */
	assert_int_equal(t_expect_report(&g, v), 0x5000);
	assert_int_equal(ckvm_vcpu_run_struct(v)->kvm_dirty_regs, 0);
	assert_int_equal(t_expect_report(&g, v), 0xabcd);
	assert_int_equal(total(), 0);

	/* Without sync regs for REGS, get_regs is an ioctl again. */
	t_assert_ok(ckvm_vcpu_clear_sync_valid_reg(v, KVM_SYNC_X86_REGS));
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	assert_int_equal(counts[0], 1);
	assert_int_equal(regs.rbx, 0xabcd);
	t_assert_ok(ckvm_vcpu_get_sregs(v, &sregs)); /* still synced */
	assert_int_equal(counts[2], 0);
	t_expect_done(&g, v);
	t_guest_destroy(&g);
	close(forward_fd);
}

/* A vCPU running guest_regs_loop with all three classes synced, after its first exit. */
static struct ckvm_vcpu *synced_vcpu(struct t_guest *g)
{
	const uint64_t all = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS;

	t_guest_create(g, 1 << 20, 0);
	t_guest_load_code(g, guest_regs_loop);
	struct ckvm_vcpu *v = t_guest_add_vcpu(g, T_MODE_LONG64, T_CODE_GPA);
	struct kvm_regs regs;
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	regs.rbx = 0x1000;
	t_assert_ok(ckvm_vcpu_set_regs(v, &regs));
	t_assert_ok(ckvm_vcpu_set_sync_valid_reg(v, all));
	assert_int_equal(t_expect_report(g, v), 0x1000); /* RBX */
	return v;
}

/*
 * The fast path stays coherent with every other vCPU call: a write pending
 * in the run page is seen by later ioctls and is never loaded over their
 * effects, and state those ioctls change is read back from KVM.
 */
static void test_sync_regs_coherence(void **state)
{
	struct t_guest g;
	struct kvm_regs regs, raw;
	struct kvm_vcpu_events ev;
	struct kvm_run *run;
	(void)state;

	struct ckvm_vcpu *v = synced_vcpu(&g);
	run = ckvm_vcpu_run_struct(v);

	/* 1. A pending register write is what a raw KVM_GET_REGS sees. */
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	regs.rbx = 0x4242;
	t_assert_ok(ckvm_vcpu_set_regs(v, &regs));
	assert_int_equal(run->kvm_dirty_regs, KVM_SYNC_X86_REGS);
	t_assert_ok(ckvm_vcpu_ioctl(v, KVM_GET_REGS, &raw));
	assert_int_equal(raw.rbx, 0x4242);
	assert_int_equal(run->kvm_dirty_regs, 0); /* applied, nothing left to load */
	assert_int_equal(t_expect_report(&g, v), 0); /* CR2 */
	assert_int_equal(t_expect_report(&g, v), 0x4242);

	/*
	 * 2. An NMI injected after a fast events write: the write is applied
	 * first, so it cannot clear the NMI on entry, and reading the events
	 * back asks KVM, which has the NMI pending.
	 */
	t_assert_ok(ckvm_vcpu_get_vcpu_events(v, &ev));
	assert_int_equal(ev.nmi.pending, 0);
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
	t_assert_ok(ckvm_vcpu_set_vcpu_events(v, &ev));
	assert_int_equal(run->kvm_dirty_regs, KVM_SYNC_X86_EVENTS);
	t_assert_ok(ckvm_vcpu_nmi(v));
	assert_int_equal(run->kvm_dirty_regs, 0);
	memset(&ev, 0, sizeof(ev));
	t_assert_ok(ckvm_vcpu_get_vcpu_events(v, &ev));
	assert_int_equal(ev.nmi.pending, 1);
	/* (the guest has no NMI handler: withdraw it again before running) */
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
	ev.nmi.pending = 0;
	t_assert_ok(ckvm_vcpu_set_vcpu_events(v, &ev));
	memset(&ev, 0xff, sizeof(ev));
	t_assert_ok(ckvm_vcpu_get_vcpu_events(v, &ev));
	assert_int_equal(ev.nmi.pending, 0);
	assert_int_equal(t_expect_report(&g, v), 0);
	assert_int_equal(t_expect_report(&g, v), 0x4242);

	/* 3. A cancelled write (dirty bit cleared) is dropped and not read back. */
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	regs.rbx = 0x9999;
	t_assert_ok(ckvm_vcpu_set_regs(v, &regs));
	t_assert_ok(ckvm_vcpu_clear_sync_dirty_reg(v, KVM_SYNC_X86_REGS));
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	assert_int_equal(regs.rbx, 0x4242);
	assert_int_equal(t_expect_report(&g, v), 0);
	assert_int_equal(t_expect_report(&g, v), 0x4242);

	/* 4. A pending write survives a kick (KVM loads it before it checks immediate_exit). */
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	regs.rbx = 0x5151;
	t_assert_ok(ckvm_vcpu_set_regs(v, &regs));
	ckvm_vcpu_set_immediate_exit(v, true);
	t_assert_err(ckvm_vcpu_run(v, NULL), EINTR);
	memset(&regs, 0, sizeof(regs));
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	assert_int_equal(regs.rbx, 0x5151);
	assert_int_equal(t_expect_report(&g, v), 0);
	assert_int_equal(t_expect_report(&g, v), 0x5151);

	/* 5. A failing flush is reported by the call that needed it; the write stays pending. */
	struct kvm_sregs sregs;
	t_assert_ok(ckvm_vcpu_get_sregs(v, &sregs));
	uint64_t cr0 = sregs.cr0;
	sregs.cr0 = (sregs.cr0 | (1ull << 31)) & ~1ull; /* PG without PE: invalid */
	t_assert_ok(ckvm_vcpu_set_sregs(v, &sregs));
	t_assert_err(ckvm_vcpu_get_fpu(v, &(struct kvm_fpu){ 0 }), EINVAL);
	assert_int_equal(run->kvm_dirty_regs, KVM_SYNC_X86_SREGS);
	sregs.cr0 = cr0;
	t_assert_ok(ckvm_vcpu_set_sregs(v, &sregs));
	t_assert_ok(ckvm_vcpu_get_fpu(v, &(struct kvm_fpu){ 0 }));
	assert_int_equal(run->kvm_dirty_regs, 0);
	assert_int_equal(t_expect_report(&g, v), 0);
	t_guest_destroy(&g);
}

/*
 * kvm-ioctls' test_sync_regs_with_run: all of the first entry's state
 * written straight into the run page (ckvm_vcpu_sync_regs) with dirty bits,
 * no SET ioctl at all.
 */
static void test_sync_regs_first_entry(void **state)
{
	struct t_guest g;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	t_guest_load_code(&g, guest_regs);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	t_assert_ok(ckvm_vcpu_get_sregs(v, &sregs));
	struct kvm_sync_regs *sr = ckvm_vcpu_sync_regs(v);
	sr->regs = regs;
	sr->regs.rbx = 0x8000;
	sr->sregs = sregs;
	sr->sregs.cr2 = 0x3000;
	t_assert_ok(ckvm_vcpu_set_sync_valid_reg(v, KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS));
	t_assert_ok(ckvm_vcpu_set_sync_dirty_reg(v, KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS));
	assert_int_equal(t_expect_report(&g, v), 0x8000);
	assert_int_equal(ckvm_vcpu_run_struct(v)->kvm_dirty_regs, 0);
	/* the run page now holds KVM's state at the exit */
	assert_int_equal(sr->regs.rbx, 0x8000);
	assert_int_equal(sr->sregs.cr2, 0x3000);
	assert_int_equal(t_expect_report(&g, v), 0x3000);
	t_guest_destroy(&g);
}

static void test_sync_regs_api(void **state)
{
	struct t_guest g;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	struct kvm_run *run = ckvm_vcpu_run_struct(v);
	t_assert_ok(ckvm_vcpu_set_sync_valid_reg(v, KVM_SYNC_X86_SREGS));
	t_assert_ok(ckvm_vcpu_set_sync_valid_reg(v, KVM_SYNC_X86_REGS));
	assert_int_equal(run->kvm_valid_regs, KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS);
	t_assert_ok(ckvm_vcpu_clear_sync_valid_reg(v, KVM_SYNC_X86_SREGS));
	assert_int_equal(run->kvm_valid_regs, KVM_SYNC_X86_REGS);
	t_assert_ok(ckvm_vcpu_set_sync_dirty_reg(v, KVM_SYNC_X86_EVENTS));
	assert_int_equal(run->kvm_dirty_regs, KVM_SYNC_X86_EVENTS);
	t_assert_ok(ckvm_vcpu_clear_sync_dirty_reg(v, KVM_SYNC_X86_EVENTS));
	assert_int_equal(run->kvm_dirty_regs, 0);
	t_assert_err(ckvm_vcpu_set_sync_dirty_reg(v, 1u << 3), EINVAL);
	t_assert_err(ckvm_vcpu_clear_sync_valid_reg(NULL, 1), EINVAL);
	t_assert_err(ckvm_vcpu_set_sync_valid_reg(NULL, 1), EINVAL);
	t_assert_err(ckvm_vcpu_set_sync_dirty_reg(NULL, 1), EINVAL);
	t_assert_err(ckvm_vcpu_clear_sync_dirty_reg(NULL, 1), EINVAL);
	assert_null(ckvm_vcpu_sync_regs(NULL));
	/* bad masks leave the run page alone */
	assert_int_equal(run->kvm_valid_regs, KVM_SYNC_X86_REGS);
	assert_int_equal(run->kvm_dirty_regs, 0);
	t_guest_destroy(&g);
}

int main(int argc, char **argv)
{
	/* The seccomp filter stays for the rest of the process: that test runs last. */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sync_regs_api),
		cmocka_unit_test(test_sync_regs_first_entry),
		cmocka_unit_test(test_sync_regs_coherence),
		cmocka_unit_test(test_sync_regs_no_ioctl),
	};
	struct ckvm *kvm = t_require_kvm();

	/* every case needs sync regs: the whole program skips without them */
	t_require_cap(kvm, KVM_CAP_SYNC_REGS);
	ckvm_close(kvm);
	t_watchdog(50);
	return t_main(argc, argv, tests, T_ARRAY_LEN(tests), NULL, 0);
}
