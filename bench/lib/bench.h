/* SPDX-License-Identifier: MIT */
/*
 * bench.h - shared helpers of ckvm's benchmarks: timing, statistics,
 * machine-readable output and the x86_64 benchmark guests.
 *
 * Every benchmark prints one JSON object per line on stdout:
 *   {"bench":B,"metric":M,"variant":V,"unit":U,"values":[...],
 *    "median":x,"min":x,"max":x}
 * and bench/report.py turns them into BENCHMARKS.md. Progress and notes go
 * to stderr. Any failure prints "FAIL: ..." and exits 1.
 */
#ifndef CKVM_BENCH_H
#define CKVM_BENCH_H

#include <ckvm.h>

#include <stddef.h>
#include <stdint.h>

#define BENCH_MAX_REPS 64

/* ---- options ------------------------------------------------------------ */
struct bench_opts {
	int reps;          /* repetitions of each measurement (--reps) */
	long count;        /* work per repetition (--count), benchmark-specific default */
	int quick;         /* --quick: small counts for a smoke run */
	const char *only;  /* --only NAME: one sub-benchmark */
	const char *variant; /* --variant NAME: one variant (e.g. for callgrind) */
};
/* Parse --reps N, --count N, --quick, --only NAME, --variant NAME; defaults are given. */
int bench_want(const struct bench_opts *o, const char *only, const char *variant);
void bench_parse(int argc, char **argv, struct bench_opts *o, int reps, long count);

/* ---- time and statistics ------------------------------------------------- */
uint64_t bench_now_ns(void);
struct bench_stat {
	double median, min, max;
};
struct bench_stat bench_stat_of(const double *v, int n);
/* Print one result line (see the top of this file). */
void bench_emit(const char *bench, const char *metric, const char *variant, const char *unit,
		const double *v, int n);
/* A free-form key/value line: {"bench":B,"note":K,"value":"..."} */
void bench_note(const char *bench, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print "FAIL: ..." and exit(1). */
void bench_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Abort with a message when r < 0 (r is a ckvm return value). */
#define BENCH_CHECK(expr) do { \
	long bench__r = (long)(expr); \
	if (bench__r < 0) \
		bench_fail("%s:%d: %s = %ld", __FILE__, __LINE__, #expr, bench__r); \
} while (0)

/* Process state for growth checks. */
int bench_count_fds(void);
long bench_rss_kib(void);
int bench_count_maps(void);

/* ---- the benchmark guest (x86_64) ------------------------------------------ */
#define BG_PML4_GPA 0x1000
#define BG_PDPT_GPA 0x2000
#define BG_PD_GPA   0x3000   /* 4 page directories: identity map of 4 GiB, 2 MiB pages */
#define BG_CODE_GPA 0x10000
#define BG_STACK    0x20000
#define BG_MMIO_GPA 0xd0000000ull /* identity-mapped, outside any memory slot */

struct bguest {
	struct ckvm *kvm;
	struct ckvm_vm *vm;
	struct ckvm_vcpu *vcpu;
	uint8_t *mem;
	size_t mem_size;
};

/*
 * Create a VM with mem_size bytes of RAM at GPA 0 (slot 0, slot_flags), a
 * dirty ring of ring_bytes (0: none) and one vCPU in 64-bit mode at CPL3
 * running the code [start, end) from BG_CODE_GPA with the given rbx, rdx,
 * rsi, r8. Uses only ckvm calls.
 */
void bguest_create(struct bguest *g, size_t mem_size, uint32_t slot_flags,
		   uint32_t ring_bytes, const void *start, const void *end,
		   uint64_t rbx, uint64_t rdx, uint64_t rsi, uint64_t r8);
void bguest_destroy(struct bguest *g);

extern const unsigned char bg_pio_start[], bg_pio_end[];
extern const unsigned char bg_mmio_start[], bg_mmio_end[];
extern const unsigned char bg_dirty_start[], bg_dirty_end[];

#endif
