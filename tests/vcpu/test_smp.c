/* SPDX-License-Identifier: MIT */
/*
 * test_smp.c - two vCPUs of one VM on two threads, both at CPL3 doing
 * LOCK INC on a shared counter: the total is exact and each vCPU reports
 * its own index.
 */
#include "guest.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define ITERS 2000000ull

struct vthread {
	struct t_guest *g;
	struct ckvm_vcpu *v;
	uint64_t reported;
	int done;
	int bad_exit;
};

/* Thread body: no cmocka calls here (they are not thread-safe). */
static void *run_vcpu(void *arg)
{
	struct vthread *t = arg;
	struct ckvm_exit e;

	for (;;) {
		uint64_t val = 0;
		int r = ckvm_vcpu_run(t->v, &e);

		if (r < 0) {
			t->bad_exit = r;
			return NULL;
		}
		if (e.kind != CKVM_EXIT_MMIO_WRITE) {
			t->bad_exit = 1000 + (int)e.kind;
			return NULL;
		}
		memcpy(&val, e.mmio.data, e.mmio.len);
		if (e.mmio.gpa == T_UCALL_MMIO_REPORT) {
			t->reported = val;
		} else if (e.mmio.gpa == T_UCALL_MMIO_DONE) {
			t->done = 1;
			return NULL;
		} else {
			t->bad_exit = 2000;
			return NULL;
		}
	}
}

static void test_two_vcpus_two_threads(void **state)
{
	struct t_guest g;
	struct vthread t[2];
	pthread_t th[2];
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	t_guest_load_code(&g, guest_smp);
	memset(t, 0, sizeof(t));
	for (int i = 0; i < 2; i++) {
		struct kvm_regs regs;

		t[i].g = &g;
		t[i].v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
		assert_int_equal(ckvm_vcpu_id(t[i].v), (unsigned long)i);
		t_assert_ok(ckvm_vcpu_get_regs(t[i].v, &regs));
		regs.rdi = 100 + (uint64_t)i;
		regs.rsi = ITERS;
		regs.rsp = T_STACK_TOP - (uint64_t)i * 0x800; /* own kernel stack */
		t_assert_ok(ckvm_vcpu_set_regs(t[i].v, &regs));
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, run_vcpu, &t[i]), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(t[i].bad_exit, 0);
		assert_int_equal(t[i].done, 1);
		assert_int_equal(t[i].reported, 100 + (uint64_t)i);
	}
	uint64_t counter;
	memcpy(&counter, t_gpa(&g, T_DATA_GPA, 8), 8);
	assert_int_equal(counter, 2 * ITERS);
	t_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_vcpus_two_threads),
	};
	ckvm_close(t_require_kvm());
	t_watchdog(50);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
