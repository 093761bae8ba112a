/* SPDX-License-Identifier: MIT */
/*
 * bench_dirty - harvesting dirty pages of a 1 GiB guest that wrote one byte
 * to every 10th page (from 2 MiB up: ~26,000 pages, 10% of the guest):
 *   bitmap: KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, then per harvest
 *           ckvm_vm_get_dirty_log + counting the bits + ckvm_vm_clear_dirty_log;
 *   ring:   a dirty ring of 65,536 entries per vCPU, then per harvest
 *           ckvm_vcpu_dirty_ring_harvest until empty + ckvm_vm_reset_dirty_rings.
 * The guest (CPL3) makes one pass over its pages, exits with OUT to port
 * 0x11, the host harvests (timed), and so on; the first pass (which also
 * faults the memory in) is a warm-up. Reports pages harvested per second
 * and the pages found per pass (which must cover every page written).
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MEM (1ull << 30)
#define BASE (2ull << 20)
#define STRIDE (10ull * 4096)
#define RING_ENTRIES 65536u

static uint64_t cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void run_pass(struct bguest *g)
{
	struct ckvm_exit exit;

	BENCH_CHECK(ckvm_vcpu_run(g->vcpu, &exit));
	if (exit.kind != CKVM_EXIT_IO_OUT || exit.io.port != 0x11)
		bench_fail("dirty guest: unexpected exit kind %d (reason %u)", exit.kind, exit.reason);
}

static uint64_t *bitmap;
static size_t nwords;
static struct ckvm_dirty_page *pages;

/* Harvest with the bitmap: returns pages found. */
static long harvest_bitmap(struct bguest *g)
{
	long n = 0;

	BENCH_CHECK(ckvm_vm_get_dirty_log(g->vm, 0, MEM, bitmap, nwords));
	for (size_t i = 0; i < nwords; i++)
		n += __builtin_popcountll(bitmap[i]);
	BENCH_CHECK(ckvm_vm_clear_dirty_log(g->vm, 0, 0, (uint32_t)(MEM / 4096), bitmap));
	return n;
}

static long harvest_ring(struct bguest *g)
{
	long n = 0;
	int r;

	while ((r = ckvm_vcpu_dirty_ring_harvest(g->vcpu, pages, RING_ENTRIES)) > 0)
		n += r;
	BENCH_CHECK(r);
	BENCH_CHECK(ckvm_vm_reset_dirty_rings(g->vm));
	return n;
}

static void bench_one(const struct bench_opts *o, int ring)
{
	const char *name = ring ? "dirty ring" : "bitmap get+clear";
	double rate[BENCH_MAX_REPS], rate_cpu[BENCH_MAX_REPS], found[BENCH_MAX_REPS];
	double usec[BENCH_MAX_REPS];
	uint64_t touched = (MEM - BASE) / STRIDE;
	struct bguest g;

	bguest_create(&g, MEM, KVM_MEM_LOG_DIRTY_PAGES, ring ? RING_ENTRIES * 16 : 0,
		      bg_dirty_start, bg_dirty_end, 0, BASE, touched, STRIDE);
	if (!ring)
		BENCH_CHECK(ckvm_vm_enable_manual_dirty_log_protect(g.vm,
				KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE));
	run_pass(&g); /* warm-up: faults the pages in */
	ring ? harvest_ring(&g) : harvest_bitmap(&g);
	for (int rep = 0; rep < o->reps; rep++) {
		uint64_t t0, c0, t, c;
		long n;

		run_pass(&g);
		t0 = bench_now_ns();
		c0 = cpu_ns();
		n = ring ? harvest_ring(&g) : harvest_bitmap(&g);
		c = cpu_ns() - c0;
		t = bench_now_ns() - t0;
		if ((uint64_t)n < touched)
			bench_fail("%s: %ld dirty pages found, the guest wrote %llu", name, n,
				   (unsigned long long)touched);
		found[rep] = (double)n;
		usec[rep] = (double)t / 1e3;
		rate[rep] = (double)n / ((double)t / 1e9);
		rate_cpu[rep] = (double)n / ((double)c / 1e9);
		fprintf(stderr, "  %s rep %d: %ld pages in %.0f us\n", name, rep, n, usec[rep]);
	}
	bguest_destroy(&g);
	bench_emit("dirty", "pages found per pass", name, "pages", found, o->reps);
	bench_emit("dirty", "harvest time per pass", name, "us", usec, o->reps);
	bench_emit("dirty", "harvest rate, wall", name, "pages/s", rate, o->reps);
	bench_emit("dirty", "harvest rate, thread CPU", name, "pages/s", rate_cpu, o->reps);
}

int main(int argc, char **argv)
{
	struct bench_opts o;

	bench_parse(argc, argv, &o, 5, 1);
	nwords = ckvm_dirty_log_words(MEM);
	bitmap = calloc(nwords, sizeof(uint64_t));
	pages = calloc(RING_ENTRIES, sizeof(*pages));
	if (!bitmap || !pages)
		bench_fail("out of memory");
	bench_note("dirty", "guest", "1 GiB, one byte written to every 10th page from 2 MiB: "
		   "%llu pages (%.1f%% of %llu)", (unsigned long long)((MEM - BASE) / STRIDE),
		   100.0 * (double)((MEM - BASE) / STRIDE) / (double)(MEM / 4096),
		   (unsigned long long)(MEM / 4096));
	if (bench_want(&o, "bitmap", NULL))
		bench_one(&o, 0);
	if (bench_want(&o, "ring", NULL))
		bench_one(&o, 1);
	free(bitmap);
	free(pages);
	return 0;
}
