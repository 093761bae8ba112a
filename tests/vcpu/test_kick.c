/* SPDX-License-Identifier: MIT */
/*
 * test_kick.c - the kick protocol (immediate_exit + a caller-chosen signal)
 * against a vCPU spinning at CPL3: thousands of kicks, each one observed,
 * no lost wakeup and no hang; kicks from a signal handler; and the
 * KVM_SET_SIGNAL_MASK variant where the signal is blocked outside the guest.
 */
#include "guest.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define KICK_SIG SIGUSR1

struct kick_ctx {
	struct t_guest *g;
	struct ckvm_vcpu *v;
	int signo;
	bool use_sigmask;     /* block signo in the thread, unblock it in the guest */
	int interrupted;      /* INTERRUPTED returns seen (atomic) */
	int stop;             /* main -> vCPU thread (atomic) */
	int ready;            /* vCPU thread set up (atomic) */
	int bad;              /* first anomaly seen by the vCPU thread */
	int intr_reason;      /* runs that ended with exit_reason KVM_EXIT_INTR */
	int by_kick;          /* INTERRUPTED with interrupted.immediate_exit set (atomic) */
};

static void on_kick(int sig)
{
	(void)sig; /* empty: its only job is to interrupt KVM_RUN */
}

static void *vcpu_thread(void *arg)
{
	struct kick_ctx *c = arg;
	struct ckvm_exit e;

	if (c->use_sigmask) {
		sigset_t block, in_guest;

		sigemptyset(&block);
		sigaddset(&block, c->signo);
		pthread_sigmask(SIG_BLOCK, &block, NULL);
		/* In the guest: the thread's mask minus the kick signal. */
		pthread_sigmask(SIG_BLOCK, NULL, &in_guest);
		sigdelset(&in_guest, c->signo);
		if (ckvm_vcpu_set_signal_mask(c->v, &in_guest) < 0)
			c->bad = 1;
	}
	if (ckvm_vcpu_set_kick_signal(c->v, c->signo) < 0)
		c->bad = 2;
	__atomic_store_n(&c->ready, 1, __ATOMIC_RELEASE);

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		int r = ckvm_vcpu_run(c->v, &e);

		if (r == -EINTR) {
			if (e.kind != CKVM_EXIT_INTERRUPTED)
				c->bad = 3;
			/*
			 * That immediate_exit is cleared on return is checked by
			 * test_kick_before_run_and_args, single-threaded: here another
			 * kick may legitimately set it again right after the return.
			 */
			if (e.reason == KVM_EXIT_INTR)
				c->intr_reason++;
			if (e.interrupted.immediate_exit)
				__atomic_add_fetch(&c->by_kick, 1, __ATOMIC_SEQ_CST);
			if (c->use_sigmask) {
				/* The signal stayed pending (blocked here): consume it. */
				sigset_t s;
				struct timespec zero = { 0, 0 };

				sigemptyset(&s);
				sigaddset(&s, c->signo);
				while (sigtimedwait(&s, NULL, &zero) == c->signo)
					;
			}
			__atomic_add_fetch(&c->interrupted, 1, __ATOMIC_SEQ_CST);
			continue;
		}
		/* The guest only spins: any other exit is an error. */
		c->bad = 5;
		break;
	}
	/* No kick may pthread_kill() this thread once it is gone. */
	if (ckvm_vcpu_set_kick_signal(c->v, 0) < 0)
		c->bad = 6;
	return NULL;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Kick and wait until the vCPU thread has seen it; false on timeout. */
static bool kick_and_wait(struct kick_ctx *c)
{
	int target = __atomic_load_n(&c->interrupted, __ATOMIC_SEQ_CST) + 1;
	uint64_t deadline = now_ms() + 5000;

	t_assert_ok(ckvm_vcpu_kick(c->v));
	while (__atomic_load_n(&c->interrupted, __ATOMIC_SEQ_CST) < target) {
		if (now_ms() > deadline)
			return false;
		usleep(20); /* leave the CPU to the vCPU thread (2 cores, shared) */
	}
	return true;
}

static void start(struct kick_ctx *c, struct t_guest *g, int signo, bool use_sigmask,
		  pthread_t *th)
{
	struct sigaction sa;

	memset(c, 0, sizeof(*c));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick; /* no SA_RESTART */
	sigaction(signo, &sa, NULL);
	t_guest_create(g, 1 << 20, 0);
	t_guest_load_code(g, guest_spin);
	c->g = g;
	c->v = t_guest_add_vcpu(g, T_MODE_LONG64, T_CODE_GPA);
	c->signo = signo;
	c->use_sigmask = use_sigmask;
	assert_int_equal(pthread_create(th, NULL, vcpu_thread, c), 0);
	while (!__atomic_load_n(&c->ready, __ATOMIC_ACQUIRE))
		sched_yield();
}

static void stop(struct kick_ctx *c, pthread_t th)
{
	__atomic_store_n(&c->stop, 1, __ATOMIC_RELEASE);
	/* One more kick gets it out of the guest to see `stop`. */
	for (int i = 0; i < 100 && pthread_tryjoin_np(th, NULL) == EBUSY; i++) {
		ckvm_vcpu_kick(c->v);
		usleep(10000);
	}
	assert_int_equal(c->bad, 0);
}

static void test_kick_thousands(void **state)
{
	struct t_guest g;
	struct kick_ctx c;
	pthread_t th;
	volatile uint64_t *spins;
	uint64_t last = 0;
	int n = 5000;
	(void)state;

	start(&c, &g, KICK_SIG, false, &th);
	spins = t_gpa(&g, T_DATA_GPA, 8);
	for (int i = 0; i < n; i++) {
		/*
		 * Vary the timing so kicks land while the vCPU is in the guest
		 * and while it is between two KVM_RUNs.
		 */
		if (i % 7 == 3)
			usleep((useconds_t)(i % 200));
		if (!kick_and_wait(&c))
			fail_msg("kick %d of %d was lost (vCPU never returned)", i, n);
		assert_int_equal(c.bad, 0);
		if (i % 1000 == 999) {
			/* The guest really runs between kicks. */
			uint64_t s = *spins;
			assert_true(s > last);
			last = s;
		}
	}
	assert_true(c.interrupted >= n);
	/* Most kicks found the vCPU in the guest: KVM reported KVM_EXIT_INTR. */
	assert_true(c.intr_reason > 0);
	/*
	 * Kicks are seen with immediate_exit set; a kick's signal that lands
	 * after the kick was consumed (between two runs) adds a signal-only
	 * interruption, and a kick then may coalesce with the next one.
	 */
	print_message("# %d interruptions, %d by a kick, %d in the guest\n", c.interrupted,
		      c.by_kick, c.intr_reason);
	assert_true(c.by_kick >= n / 2);
	assert_true(c.by_kick <= c.interrupted);
	stop(&c, th);
	t_guest_destroy(&g);
}

/*
 * A plain signal (no kick) also interrupts KVM_RUN, and ckvm tells it apart:
 * interrupted.immediate_exit is false for it, true for a kick.
 */
static void test_signal_without_kick(void **state)
{
	struct t_guest g;
	struct kick_ctx c;
	pthread_t th;
	(void)state;

	start(&c, &g, KICK_SIG, false, &th);
	/*
	 * A bare signal is not a kick: one that lands while the thread is
	 * between two KVM_RUNs is handled in user space and lost (the reason
	 * ckvm_vcpu_kick also sets immediate_exit). So resend until KVM_RUN
	 * reports it, and count how often a bare signal was lost.
	 */
	int lost = 0;
	for (int i = 0; i < 200; i++) {
		int target = __atomic_load_n(&c.interrupted, __ATOMIC_SEQ_CST) + 1;
		uint64_t deadline = now_ms() + 5000, resend = now_ms() + 50;

		assert_int_equal(pthread_kill(th, KICK_SIG), 0);
		while (__atomic_load_n(&c.interrupted, __ATOMIC_SEQ_CST) < target) {
			if (now_ms() > deadline)
				fail_msg("signal %d never interrupted KVM_RUN", i);
			if (now_ms() > resend) {
				lost++;
				assert_int_equal(pthread_kill(th, KICK_SIG), 0);
				resend = now_ms() + 50;
			}
			usleep(20);
		}
	}
	print_message("# 200 bare signals interrupted KVM_RUN; %d lost between runs and resent\n",
		      lost);
	assert_int_equal(__atomic_load_n(&c.by_kick, __ATOMIC_SEQ_CST), 0);
	assert_true(c.intr_reason > 0); /* KVM_EXIT_INTR: the signal found it in the guest */
	if (!kick_and_wait(&c))
		fail_msg("kick lost");
	assert_true(__atomic_load_n(&c.by_kick, __ATOMIC_SEQ_CST) >= 1);
	stop(&c, th);
	t_guest_destroy(&g);
}

static void test_kick_bursts_coalesce(void **state)
{
	struct t_guest g;
	struct kick_ctx c;
	pthread_t th;
	(void)state;

	start(&c, &g, KICK_SIG, false, &th);
	/* Bursts of kicks: never more INTERRUPTED returns than kicks, never a hang. */
	int kicks = 0;
	for (int i = 0; i < 300; i++) {
		int burst = 1 + i % 5;

		for (int k = 0; k < burst; k++, kicks++)
			t_assert_ok(ckvm_vcpu_kick(c.v));
		if (!kick_and_wait(&c))
			fail_msg("burst %d: vCPU did not return", i);
		kicks++;
	}
	assert_true(c.interrupted <= kicks);
	assert_true(c.interrupted >= 300);
	stop(&c, th);
	t_guest_destroy(&g);
}

/* Kicks from a signal handler (ckvm_vcpu_kick is async-signal-safe). */
static struct ckvm_vcpu *handler_vcpu;
static volatile sig_atomic_t handler_kicks;

static void on_timer(int sig)
{
	(void)sig;
	if (ckvm_vcpu_kick(handler_vcpu) == 0)
		handler_kicks++;
}

static void test_kick_from_signal_handler(void **state)
{
	struct t_guest g;
	struct kick_ctx c;
	pthread_t th;
	struct sigaction sa;
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } }, off = { { 0, 0 }, { 0, 0 } };
	(void)state;

	start(&c, &g, KICK_SIG, false, &th);
	handler_vcpu = c.v;
	handler_kicks = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_timer;
	sigaction(SIGPROF, &sa, NULL);
	setitimer(ITIMER_PROF, &it, NULL);
	uint64_t deadline = now_ms() + 20000;
	/*
	 * ITIMER_PROF counts the process's CPU time, the vCPU thread's guest
	 * time included; sleep here so that thread gets the CPU even under
	 * valgrind, which runs one thread at a time.
	 */
	while (__atomic_load_n(&c.interrupted, __ATOMIC_SEQ_CST) < 100 && now_ms() < deadline)
		usleep(200);
	setitimer(ITIMER_PROF, &off, NULL);
	assert_true(handler_kicks >= 100);
	assert_true(c.interrupted >= 100);
	stop(&c, th);
	t_guest_destroy(&g);
}

static void test_kick_with_signal_mask(void **state)
{
	struct t_guest g;
	struct kick_ctx c;
	pthread_t th;
	(void)state;

	/* The kick signal is blocked in the thread and only unblocked in the guest. */
	start(&c, &g, SIGUSR2, true, &th);
	for (int i = 0; i < 2000; i++) {
		if (i % 5 == 2)
			usleep((useconds_t)(i % 100));
		if (!kick_and_wait(&c))
			fail_msg("kick %d was lost with KVM_SET_SIGNAL_MASK", i);
	}
	assert_int_equal(c.bad, 0);
	stop(&c, th);
	t_assert_ok(ckvm_vcpu_set_signal_mask(c.v, NULL));
	t_guest_destroy(&g);
}

static void test_kick_before_run_and_args(void **state)
{
	struct t_guest g;
	struct ckvm_exit e;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	t_guest_load_code(&g, guest_spin);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_assert_err(ckvm_vcpu_set_kick_signal(v, -1), EINVAL);
	t_assert_err(ckvm_vcpu_set_kick_signal(v, NSIG), EINVAL);
	t_assert_err(ckvm_vcpu_kick(NULL), EINVAL);
	/* No signal registered: a kick is immediate_exit alone, and is not lost. */
	t_assert_ok(ckvm_vcpu_kick(v));
	assert_int_equal(ckvm_vcpu_run_struct(v)->immediate_exit, 1);
	t_assert_err(ckvm_vcpu_run(v, &e), EINTR);
	assert_int_equal(e.kind, CKVM_EXIT_INTERRUPTED);
	assert_true(e.interrupted.immediate_exit);   /* a kick, not a signal */
	assert_ptr_equal(e.run, ckvm_vcpu_run_struct(v));
	assert_int_equal(ckvm_vcpu_run_struct(v)->immediate_exit, 0);
	/* several kicks before a run coalesce into one interruption */
	t_assert_ok(ckvm_vcpu_kick(v));
	t_assert_ok(ckvm_vcpu_kick(v));
	t_assert_err(ckvm_vcpu_run(v, &e), EINTR);
	assert_int_equal(ckvm_vcpu_run_struct(v)->immediate_exit, 0);
	/* set_immediate_exit directly */
	ckvm_vcpu_set_immediate_exit(v, true);
	t_assert_err(ckvm_vcpu_run(v, NULL), EINTR);
	assert_int_equal(ckvm_vcpu_run_struct(v)->immediate_exit, 0);
	t_guest_destroy(&g);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kick_before_run_and_args),
		cmocka_unit_test(test_signal_without_kick),
		cmocka_unit_test(test_kick_thousands),
		cmocka_unit_test(test_kick_bursts_coalesce),
		cmocka_unit_test(test_kick_from_signal_handler),
		cmocka_unit_test(test_kick_with_signal_mask),
	};
	struct ckvm *kvm = t_require_kvm();
	t_require_cap(kvm, KVM_CAP_IMMEDIATE_EXIT);
	ckvm_close(kvm);
	t_watchdog(55);
	/* every case needs KVM_CAP_IMMEDIATE_EXIT: the whole program skips without it */
	return t_main(argc, argv, tests, T_ARRAY_LEN(tests), NULL, 0);
}
