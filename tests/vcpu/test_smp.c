/* SPDX-License-Identifier: MIT */
/*
 * test_smp.c - two vCPUs of one VM on two threads, both at CPL3 doing
 * LOCK INC on a shared counter: the total is exact and each vCPU reports
 * its own index. And an AP started by INIT/SIPI from the BSP through the
 * in-kernel LAPIC: its KVM_RUN returns -EAGAIN when it leaves the
 * wait-for-SIPI state, and running it again executes the SIPI vector code.
 */
#include "guest.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* ---- INIT/SIPI ---------------------------------------------------------------- */

#define SIPI_VECTOR 0x30
#define SIPI_GPA ((uint64_t)SIPI_VECTOR << 12)

struct ap_thread {
	struct ckvm_vcpu *v;
	int eagain;          /* KVM_RUN returned -EAGAIN this many times */
	int runs;
	uint64_t report[2];
	int nreports;
	int done;
	int bad;             /* first unexpected result (0: none) */
};

/* The AP's run loop. No cmocka calls here (not thread-safe). */
static void *run_ap(void *arg)
{
	struct ap_thread *t = arg;
	struct ckvm_exit e;

	while (t->runs < 100) {
		int r = ckvm_vcpu_run(t->v, &e);

		t->runs++;
		if (r == -EAGAIN) {
			/* it left the wait-for-SIPI state: simply run again */
			t->eagain++;
			continue;
		}
		if (r < 0) {
			t->bad = r;
			return NULL;
		}
		if (e.kind != CKVM_EXIT_IO_OUT || e.io.size > 4) {
			t->bad = 1000 + (int)e.kind;
			return NULL;
		}
		uint32_t val = 0;
		memcpy(&val, e.io.data, e.io.size);
		if (e.io.port == T_PORT_REPORT && t->nreports < 2) {
			t->report[t->nreports++] = val;
		} else if (e.io.port == T_PORT_DONE) {
			t->done = 1;
			return NULL;
		} else {
			t->bad = 2000 + e.io.port;
			return NULL;
		}
	}
	t->bad = 3000;
	return NULL;
}

/*
 * vCPU 1 waits for INIT/SIPI (UNINITIALIZED: the state KVM gives an AP
 * with the in-kernel irqchip) with its thread blocked in KVM_RUN. The BSP
 * sends INIT then SIPI through the LAPIC's ICR. The AP's KVM_RUN returns
 * -EAGAIN (documented for ckvm_vcpu_run), the run loop simply calls it
 * again, and the AP executes the real-mode code at vector << 12.
 */
static void test_init_sipi(void **state)
{
	struct t_guest g;
	struct ap_thread ap;
	struct kvm_mp_state mp;
	struct kvm_sregs sregs;
	pthread_t th;
	(void)state;

	t_guest_create_vm(&g);
	t_require_cap(g.kvm, KVM_CAP_IRQCHIP);
	t_require_cap(g.kvm, KVM_CAP_MP_STATE);
	t_assert_ok(ckvm_vm_create_irq_chip(g.vm));
	t_guest_add_memory(&g, 1 << 20, 0);
	t_guest_load_code(&g, guest_sipi_bsp);
	{
		extern const unsigned char guest_sipi_ap_start[], guest_sipi_ap_end[];

		t_guest_load(&g, SIPI_GPA, guest_sipi_ap_start, guest_sipi_ap_end);
	}
	struct ckvm_vcpu *bsp = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	memset(&ap, 0, sizeof(ap));
	ap.v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);

	/* KVM starts a non-boot vCPU with the in-kernel irqchip waiting for INIT/SIPI */
	t_assert_ok(ckvm_vcpu_get_mp_state(bsp, &mp));
	assert_int_equal(mp.mp_state, KVM_MP_STATE_RUNNABLE);
	t_assert_ok(ckvm_vcpu_get_mp_state(ap.v, &mp));
	assert_int_equal(mp.mp_state, KVM_MP_STATE_UNINITIALIZED);
	mp.mp_state = KVM_MP_STATE_UNINITIALIZED; /* and say so explicitly */
	t_assert_ok(ckvm_vcpu_set_mp_state(ap.v, &mp));

	/* the AP's thread enters KVM_RUN and blocks there (no event yet) */
	assert_int_equal(pthread_create(&th, NULL, run_ap, &ap), 0);
	nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
	/* the BSP sends INIT + SIPI and finishes */
	t_expect_done(&g, bsp);
	assert_int_equal(pthread_join(th, NULL), 0);

	print_message("# AP: %d runs, %d returned -EAGAIN\n", ap.runs, ap.eagain);
	assert_int_equal(ap.bad, 0);
	assert_true(ap.eagain >= 1);
	assert_int_equal(ap.nreports, 2);
	assert_int_equal(ap.report[0], 0x5197);
	assert_int_equal(ap.report[1], SIPI_VECTOR << 8); /* CS = vector << 8 */
	assert_int_equal(ap.done, 1);
	t_assert_ok(ckvm_vcpu_get_mp_state(ap.v, &mp));
	assert_int_equal(mp.mp_state, KVM_MP_STATE_RUNNABLE);
	t_assert_ok(ckvm_vcpu_get_sregs(ap.v, &sregs));
	assert_int_equal(sregs.cs.base, SIPI_GPA);
	assert_int_equal(sregs.cr0 & 1, 0); /* real mode */
	t_guest_destroy(&g);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_vcpus_two_threads),
	};
	/* may skip (capability): its own meson test */
	const struct CMUnitTest alone[] = {
		cmocka_unit_test(test_init_sipi),
	};

	ckvm_close(t_require_kvm());
	t_watchdog(50);
	return t_main(argc, argv, tests, T_ARRAY_LEN(tests), alone, T_ARRAY_LEN(alone));
}
