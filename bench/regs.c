/* SPDX-License-Identifier: MIT */
/*
 * bench_regs - register access in an exit handler: on every port-I/O exit
 * the handler reads rax and writes rax + 1 back, with
 *   none:  no register access (the exit alone, for reference);
 *   ioctl: ioctl(KVM_GET_REGS) + ioctl(KVM_SET_REGS), written here;
 *   sync:  ckvm_vcpu_get_regs/set_regs with KVM_SYNC_X86_REGS enabled, which
 *          read and write the kvm_run page (no ioctl; KVM copies the
 *          registers out on exit and loads them on entry when dirty).
 * All variants drive the same vCPU in alternating blocks of 1,000 exits.
 * Reported per exit: the whole round trip (wall and thread CPU), the
 * register-access cost (round trip minus "none", thread CPU) and the
 * handler's own time (rdtsc around get+set). The guest never writes rax,
 * so at the end rax must equal the number of handled exits.
 */
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <x86intrin.h>

#define BLOCK 1000
#define WARMUP 1000
enum { V_NONE, V_IOCTL, V_SYNC, NV };
static const char *vname[NV] = { "none", "ioctl GET/SET_REGS", "ckvm sync regs" };

static uint64_t cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static uint64_t expected_rax;

/* n exits with variant v; returns the handler's rdtsc cycles. */
static uint64_t loop(struct bguest *g, int v, long n)
{
	struct ckvm_exit exit;
	struct kvm_regs regs;
	int fd = ckvm_vcpu_fd(g->vcpu);
	uint64_t cycles = 0;

	if (v == V_SYNC)
		BENCH_CHECK(ckvm_vcpu_set_sync_valid_reg(g->vcpu, KVM_SYNC_X86_REGS));
	else
		BENCH_CHECK(ckvm_vcpu_clear_sync_valid_reg(g->vcpu, KVM_SYNC_X86_REGS));
	for (long i = 0; i < n; i++) {
		uint64_t t0;
		int r = ckvm_vcpu_run(g->vcpu, &exit);

		if (r < 0 || exit.kind != CKVM_EXIT_IO_OUT || exit.io.port != 0x10)
			bench_fail("unexpected exit: r=%d kind=%d", r, exit.kind);
		switch (v) {
		case V_NONE:
			break;
		case V_IOCTL:
			t0 = __rdtsc();
			if (ioctl(fd, KVM_GET_REGS, &regs) < 0)
				bench_fail("KVM_GET_REGS: %s", strerror(errno));
			regs.rax++;
			if (ioctl(fd, KVM_SET_REGS, &regs) < 0)
				bench_fail("KVM_SET_REGS: %s", strerror(errno));
			cycles += __rdtsc() - t0;
			expected_rax++;
			break;
		case V_SYNC:
			t0 = __rdtsc();
			BENCH_CHECK(ckvm_vcpu_get_regs(g->vcpu, &regs));
			regs.rax++;
			BENCH_CHECK(ckvm_vcpu_set_regs(g->vcpu, &regs));
			cycles += __rdtsc() - t0;
			expected_rax++;
			break;
		}
	}
	return cycles;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	double wall[NV][BENCH_MAX_REPS], cpu[NV][BENCH_MAX_REPS], hnd[NV][BENCH_MAX_REPS];
	double cost_ioctl[BENCH_MAX_REPS], cost_sync[BENCH_MAX_REPS], ratio_cost[BENCH_MAX_REPS];
	double ratio_hnd[BENCH_MAX_REPS], ratio_total[BENCH_MAX_REPS];

	bench_parse(argc, argv, &o, 3, 200000);
	if (o.quick)
		o.count = 10000;
	bench_note("regs", "count", "%ld exits per variant per run, %d runs", o.count, o.reps);
	for (int rep = 0; rep < o.reps; rep++) {
		struct bguest g;
		uint64_t w[NV] = { 0 }, c[NV] = { 0 }, h[NV] = { 0 };
		uint64_t tsc0, ns0, tsc1, ns1;
		struct kvm_regs regs;
		double tsc_per_ns;
		long done = 0;

		bguest_create(&g, 2 << 20, 0, 0, bg_pio_start, bg_pio_end, 0, 0, 0, 0);
		expected_rax = 0;
		for (int v = 0; v < NV; v++)
			loop(&g, v, WARMUP);
		tsc0 = __rdtsc();
		ns0 = bench_now_ns();
		for (long b = 0; done < o.count; b++) {
			long k = o.count - done < BLOCK ? o.count - done : BLOCK;

			for (int j = 0; j < NV; j++) {
				int v = (int)((b + j) % NV);
				uint64_t t0 = bench_now_ns(), c0 = cpu_ns();

				h[v] += loop(&g, v, k);
				c[v] += cpu_ns() - c0;
				w[v] += bench_now_ns() - t0;
			}
			done += k;
		}
		tsc1 = __rdtsc();
		ns1 = bench_now_ns();
		tsc_per_ns = (double)(tsc1 - tsc0) / (double)(ns1 - ns0);
		/*
		 * Effect check: the handler's writes reached the guest. One more
		 * entry loads a write still pending in the run page.
		 */
		loop(&g, V_NONE, 1);
		BENCH_CHECK(ckvm_vcpu_get_regs(g.vcpu, &regs));
		if (regs.rax != expected_rax)
			bench_fail("rax = %llu after the run, expected %llu",
				   (unsigned long long)regs.rax, (unsigned long long)expected_rax);
		bguest_destroy(&g);
		for (int v = 0; v < NV; v++) {
			wall[v][rep] = (double)w[v] / (double)o.count;
			cpu[v][rep] = (double)c[v] / (double)o.count;
			hnd[v][rep] = (double)h[v] / tsc_per_ns / (double)o.count;
		}
		cost_ioctl[rep] = cpu[V_IOCTL][rep] - cpu[V_NONE][rep];
		cost_sync[rep] = cpu[V_SYNC][rep] - cpu[V_NONE][rep];
		ratio_cost[rep] = cost_sync[rep] > 0 ? cost_ioctl[rep] / cost_sync[rep] : 0;
		ratio_hnd[rep] = hnd[V_SYNC][rep] > 0 ? hnd[V_IOCTL][rep] / hnd[V_SYNC][rep] : 0;
		ratio_total[rep] = cpu[V_IOCTL][rep] / cpu[V_SYNC][rep];
		fprintf(stderr, "  rep %d: cpu ns/exit none %.0f ioctl %.0f sync %.0f; handler ns "
			"ioctl %.1f sync %.1f\n", rep, cpu[V_NONE][rep], cpu[V_IOCTL][rep],
			cpu[V_SYNC][rep], hnd[V_IOCTL][rep], hnd[V_SYNC][rep]);
	}
	for (int v = 0; v < NV; v++)
		bench_emit("regs", "round trip, wall", vname[v], "ns/exit", wall[v], o.reps);
	for (int v = 0; v < NV; v++)
		bench_emit("regs", "round trip, thread CPU", vname[v], "ns/exit", cpu[v], o.reps);
	bench_emit("regs", "access cost (minus none), CPU", vname[V_IOCTL], "ns/exit", cost_ioctl, o.reps);
	bench_emit("regs", "access cost (minus none), CPU", vname[V_SYNC], "ns/exit", cost_sync, o.reps);
	bench_emit("regs", "handler time (rdtsc)", vname[V_IOCTL], "ns/exit", hnd[V_IOCTL], o.reps);
	bench_emit("regs", "handler time (rdtsc)", vname[V_SYNC], "ns/exit", hnd[V_SYNC], o.reps);
	bench_emit("regs", "speed-up sync vs ioctl", "access cost", "x", ratio_cost, o.reps);
	bench_emit("regs", "speed-up sync vs ioctl", "handler time", "x", ratio_hnd, o.reps);
	bench_emit("regs", "speed-up sync vs ioctl", "whole round trip", "x", ratio_total, o.reps);
	return 0;
}
