/* SPDX-License-Identifier: MIT */
/*
 * bench_exits - exit round trip: a CPL3 guest doing one port-I/O (or MMIO)
 * exit per loop iteration, driven by
 *   raw:  ioctl(KVM_RUN) + a check of kvm_run's exit fields, written here;
 *   ckvm: ckvm_vcpu_run() + the decoded struct ckvm_exit.
 * Both loops do the same handler work (check the exit, read the data byte).
 * Each repetition builds a fresh guest and runs --count exits
 * (default 1,000,000) per variant after 1,000 untimed warm-up exits. The
 * variants drive the same vCPU, interleaved in blocks of 1,000 exits
 * (alternating which goes first), so that both see the same guest and the
 * same load on a shared machine. Reports wall
 * and thread-CPU ns per exit for both and the ratio ckvm/raw of each
 * repetition.
 */
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#define PIO_PORT 0x10
#define WARMUP 1000

static volatile uint8_t sink;

static void raw_loop(struct bguest *g, int mmio, long n)
{
	int fd = ckvm_vcpu_fd(g->vcpu);
	struct kvm_run *run = ckvm_vcpu_run_struct(g->vcpu);

	for (long i = 0; i < n; i++) {
		if (ioctl(fd, KVM_RUN, 0) < 0)
			bench_fail("KVM_RUN: %s", strerror(errno));
		if (mmio) {
			if (run->exit_reason != KVM_EXIT_MMIO || !run->mmio.is_write ||
			    run->mmio.phys_addr != BG_MMIO_GPA || run->mmio.len != 4)
				bench_fail("raw: unexpected exit %u", run->exit_reason);
			sink = run->mmio.data[0];
		} else {
			if (run->exit_reason != KVM_EXIT_IO || run->io.direction != KVM_EXIT_IO_OUT ||
			    run->io.port != PIO_PORT || run->io.size != 4)
				bench_fail("raw: unexpected exit %u", run->exit_reason);
			sink = *((uint8_t *)run + run->io.data_offset);
		}
	}
}

static void ckvm_loop(struct bguest *g, int mmio, long n)
{
	struct ckvm_exit exit;

	for (long i = 0; i < n; i++) {
		int r = ckvm_vcpu_run(g->vcpu, &exit);

		if (r < 0)
			bench_fail("ckvm_vcpu_run: %s", strerror(-r));
		if (mmio) {
			if (exit.kind != CKVM_EXIT_MMIO_WRITE || exit.mmio.gpa != BG_MMIO_GPA ||
			    exit.mmio.len != 4)
				bench_fail("ckvm: unexpected exit kind %d", exit.kind);
			sink = exit.mmio.data[0];
		} else {
			if (exit.kind != CKVM_EXIT_IO_OUT || exit.io.port != PIO_PORT ||
			    exit.io.size != 4)
				bench_fail("ckvm: unexpected exit kind %d", exit.kind);
			sink = exit.io.data[0];
		}
	}
}

#define BLOCK 1000

static uint64_t cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void make(struct bguest *g, int mmio)
{
	if (mmio)
		bguest_create(g, 2 << 20, 0, 0, bg_mmio_start, bg_mmio_end, BG_MMIO_GPA, 0, 0, 0);
	else
		bguest_create(g, 2 << 20, 0, 0, bg_pio_start, bg_pio_end, 0, 0, 0, 0);
}

/*
 * One repetition: both variants drive the same vCPU of one fresh guest, n
 * exits each, in alternating blocks of BLOCK exits (alternating which goes
 * first), so that both see the same guest and the same machine load. Wall
 * and thread-CPU ns per exit.
 */
static void one(int mmio, long n, int want_raw, int want_ck, double *raw, double *ck,
		double *raw_cpu, double *ck_cpu)
{
	struct bguest g;
	uint64_t tr = 0, tc = 0, cr = 0, cc = 0, t0, c0;
	long done = 0;

	make(&g, mmio);
	raw_loop(&g, mmio, WARMUP);
	ckvm_loop(&g, mmio, WARMUP);
	for (long b = 0; done < n; b++) {
		long k = n - done < BLOCK ? n - done : BLOCK;

		for (int j = 0; j < 2; j++) {
			int ckvm_turn = (int)((b + j) & 1);

			if (ckvm_turn && !want_ck)
				continue;
			if (!ckvm_turn && !want_raw)
				continue;
			t0 = bench_now_ns();
			c0 = cpu_ns();
			if (ckvm_turn)
				ckvm_loop(&g, mmio, k);
			else
				raw_loop(&g, mmio, k);
			if (ckvm_turn) {
				cc += cpu_ns() - c0;
				tc += bench_now_ns() - t0;
			} else {
				cr += cpu_ns() - c0;
				tr += bench_now_ns() - t0;
			}
		}
		done += k;
	}
	bguest_destroy(&g);
	*raw = (double)tr / (double)n;
	*ck = (double)tc / (double)n;
	*raw_cpu = (double)cr / (double)n;
	*ck_cpu = (double)cc / (double)n;
}

static void bench_kind(const struct bench_opts *o, int mmio)
{
	const char *name = mmio ? "mmio" : "pio";
	double raw[BENCH_MAX_REPS], ck[BENCH_MAX_REPS], ratio[BENCH_MAX_REPS];
	double rawc[BENCH_MAX_REPS], ckc[BENCH_MAX_REPS], ratioc[BENCH_MAX_REPS];
	int want_raw = bench_want(o, NULL, "raw"), want_ck = bench_want(o, NULL, "ckvm");

	fprintf(stderr, "exits/%s: %d x %ld exits per variant\n", name, o->reps, o->count);
	for (int i = 0; i < o->reps; i++) {
		one(mmio, o->count, want_raw, want_ck, &raw[i], &ck[i], &rawc[i], &ckc[i]);
		ratio[i] = raw[i] > 0 ? ck[i] / raw[i] : 0;
		ratioc[i] = rawc[i] > 0 ? ckc[i] / rawc[i] : 0;
		fprintf(stderr, "  rep %d: wall raw %.1f ckvm %.1f ns/exit (ratio %.4f); "
			"cpu raw %.1f ckvm %.1f (ratio %.4f)\n",
			i, raw[i], ck[i], ratio[i], rawc[i], ckc[i], ratioc[i]);
	}
	if (want_raw)
		bench_emit("exits", name, "raw ioctl(KVM_RUN)", "ns/exit", raw, o->reps);
	if (want_ck)
		bench_emit("exits", name, "ckvm_vcpu_run+decode", "ns/exit", ck, o->reps);
	if (want_raw && want_ck) {
		bench_emit("exits", name, "ratio ckvm/raw", "x", ratio, o->reps);
		bench_emit("exits", name, "raw ioctl(KVM_RUN), thread CPU", "ns/exit", rawc, o->reps);
		bench_emit("exits", name, "ckvm_vcpu_run+decode, thread CPU", "ns/exit", ckc, o->reps);
		bench_emit("exits", name, "ratio ckvm/raw, thread CPU", "x", ratioc, o->reps);
	}
}

int main(int argc, char **argv)
{
	struct bench_opts o;

	bench_parse(argc, argv, &o, 3, 1000000);
	if (o.quick)
		o.count = 20000;
	bench_note("exits", "count", "%ld exits per run, %d runs per variant", o.count, o.reps);
	if (bench_want(&o, "pio", NULL))
		bench_kind(&o, 0);
	if (bench_want(&o, "mmio", NULL))
		bench_kind(&o, 1);
	return 0;
}
