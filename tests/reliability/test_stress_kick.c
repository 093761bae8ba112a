/* SPDX-License-Identifier: MIT */
/*
 * test_stress_kick - 2 vCPUs on 2 threads, spinning at CPL3 (no exits of
 * their own), kicked 1,000,000 times from a third thread with
 * ckvm_vcpu_kick(). CKVM_STRESS_KICKS overrides the count (for experiments).
 *
 * Most kicks are fire-and-forget (they may coalesce, as documented). Every
 * 512th kick to a vCPU is a handshake that proves no wakeup is lost: the
 * kicker publishes a generation number, kicks, and waits until the vCPU
 * thread, after a return from ckvm_vcpu_run(), has acknowledged that
 * generation; if that takes longer than HANDSHAKE_TIMEOUT_NS the kick was
 * lost and the test fails. The vCPU threads check every return (-EINTR with
 * CKVM_EXIT_INTERRUPTED; the spinning guest never exits on its own). At the end both vCPUs
 * are stopped with a last handshake, joined with a deadline, and must
 * still be inside the spin loop. The whole test is bounded by a watchdog.
 */
#include "guest.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <time.h>

#define KICKS 1000000L
#define HANDSHAKE_EVERY 512
#define HANDSHAKE_TIMEOUT_NS (5ull * 1000000000ull)
#define KICK_SIG SIGUSR1

struct vctx {
	struct ckvm_vcpu *v;
	pthread_t thread;
	long req;      /* generation the kicker waits for (kicker -> vCPU) */
	long ack;      /* last generation seen after a return (vCPU -> kicker) */
	long returns;  /* INTERRUPTED returns */
	int stop;
	int ready;
	int bad;       /* first anomaly */
	int bad_r;
};

static void on_kick(int sig)
{
	(void)sig;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void *vcpu_thread(void *arg)
{
	struct vctx *c = arg;
	struct ckvm_exit e;

	/*
	 * The spinning vCPUs would otherwise starve the kicker on a 2-core
	 * machine; a lower priority leaves the kick rate to the kicker.
	 */
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
	if (ckvm_vcpu_set_kick_signal(c->v, KICK_SIG) < 0)
		c->bad = 1;
	__atomic_store_n(&c->ready, 1, __ATOMIC_RELEASE);
	for (;;) {
		int r = ckvm_vcpu_run(c->v, &e);

		if (r == -EINTR) {
			if (e.kind != CKVM_EXIT_INTERRUPTED && !c->bad)
				c->bad = 2;
			c->returns++;
		} else if (!c->bad) {
			c->bad = 4; /* the spinning guest exited on its own */
			c->bad_r = r < 0 ? r : (int)e.reason;
		}
		__atomic_store_n(&c->ack, __atomic_load_n(&c->req, __ATOMIC_ACQUIRE),
				 __ATOMIC_RELEASE);
		if (__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE) || c->bad == 4)
			break;
	}
	return NULL;
}

/* Kick and wait for the acknowledgement; false if the wakeup was lost. */
static bool handshake(struct vctx *c)
{
	long want = __atomic_load_n(&c->req, __ATOMIC_RELAXED) + 1;
	uint64_t deadline;

	__atomic_store_n(&c->req, want, __ATOMIC_RELEASE);
	t_assert_ok(ckvm_vcpu_kick(c->v));
	deadline = now_ns() + HANDSHAKE_TIMEOUT_NS;
	while (__atomic_load_n(&c->ack, __ATOMIC_ACQUIRE) < want) {
		if (now_ns() > deadline)
			return false;
		sched_yield();
	}
	return true;
}

static void test_kick_storm(void **state)
{
	static const unsigned char spin[] = { 0xeb, 0xfe }; /* 1: jmp 1b */
	struct vctx c[2];
	struct sigaction sa;
	struct t_guest g;
	uint64_t t0, t1;
	struct timespec cpu0, cpu1;
	long handshakes = 0, kicks = KICKS;
	const char *env = getenv("CKVM_STRESS_KICKS");

	(void)state;
	if (env && atol(env) > 0)
		kicks = atol(env);
	t_watchdog(55);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick; /* no SA_RESTART */
	sigaction(KICK_SIG, &sa, NULL);

	t_guest_create(&g, 1 << 20, 0);
	t_guest_load(&g, T_CODE_GPA, spin, spin + sizeof(spin));
	memset(c, 0, sizeof(c));
	for (int i = 0; i < 2; i++) {
		c[i].v = t_guest_add_vcpu(&g, T_MODE_USER64, T_CODE_GPA);
		assert_int_equal(pthread_create(&c[i].thread, NULL, vcpu_thread, &c[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		while (!__atomic_load_n(&c[i].ready, __ATOMIC_ACQUIRE))
			sched_yield();

	t0 = now_ns();
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
	for (long k = 0; k < kicks; k++) {
		struct vctx *v = &c[k & 1];

		if ((k >> 1) % HANDSHAKE_EVERY == 0) {
			if (!handshake(v))
				fail_msg("lost wakeup: vCPU %ld did not return within 5 s of kick %ld",
					 k & 1, k);
			handshakes++;
		} else {
			t_assert_ok(ckvm_vcpu_kick(v->v));
		}
		if (c[0].bad || c[1].bad)
			break;
	}
	t1 = now_ns();
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1);
	for (int i = 0; i < 2; i++) {
		struct timespec dl;

		__atomic_store_n(&c[i].stop, 1, __ATOMIC_RELEASE);
		if (!handshake(&c[i]))
			fail_msg("vCPU %d did not stop within 5 s", i);
		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_sec += 5;
		if (pthread_timedjoin_np(c[i].thread, NULL, &dl) != 0)
			fail_msg("vCPU thread %d did not end", i);
	}
	for (int i = 0; i < 2; i++) {
		struct kvm_regs regs;

		if (c[i].bad)
			fail_msg("vCPU %d: anomaly %d (%d)", i, c[i].bad, c[i].bad_r);
		assert_true(c[i].returns > 0);
		/* Still spinning where it started: the kicks disturbed nothing. */
		t_assert_ok(ckvm_vcpu_get_regs(c[i].v, &regs));
		assert_int_equal(regs.rip, T_CODE_GPA);
	}
	print_message("%ld kicks (%ld handshakes, none lost) in %.2f s (%.0f kicks/s, kicker CPU "
		      "%.2f us/kick); vCPU returns %ld + %ld\n", kicks, handshakes,
		      (double)(t1 - t0) / 1e9, (double)kicks / ((double)(t1 - t0) / 1e9),
		      ((double)(cpu1.tv_sec - cpu0.tv_sec) * 1e9 + (double)(cpu1.tv_nsec - cpu0.tv_nsec)) /
		      1e3 / (double)kicks, c[0].returns, c[1].returns);
	t_guest_destroy(&g);
	t_watchdog(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kick_storm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
