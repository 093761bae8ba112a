/* SPDX-License-Identifier: MIT */
/* bench.c - shared helpers of ckvm's benchmarks; see bench.h. */
#include "bench.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

void bench_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("FAIL: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void bench_parse(int argc, char **argv, struct bench_opts *o, int reps, long count)
{
	memset(o, 0, sizeof(*o));
	o->reps = reps;
	o->count = count;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			o->reps = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--count") && i + 1 < argc)
			o->count = atol(argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			o->only = argv[++i];
		else if (!strcmp(argv[i], "--variant") && i + 1 < argc)
			o->variant = argv[++i];
		else if (!strcmp(argv[i], "--quick"))
			o->quick = 1;
		else
			bench_fail("usage: %s [--reps N] [--count N] [--quick] [--only NAME] "
				   "[--variant NAME]", argv[0]);
	}
	if (o->reps < 1 || o->reps > BENCH_MAX_REPS || o->count < 1)
		bench_fail("bad --reps or --count");
}

int bench_want(const struct bench_opts *o, const char *only, const char *variant)
{
	if (only && o->only && strcmp(only, o->only))
		return 0;
	if (variant && o->variant && strcmp(variant, o->variant))
		return 0;
	return 1;
}

uint64_t bench_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct bench_stat bench_stat_of(const double *v, int n)
{
	double s[BENCH_MAX_REPS * 2];
	struct bench_stat st = { 0, 0, 0 };

	if (n <= 0 || n > BENCH_MAX_REPS * 2)
		return st;
	memcpy(s, v, sizeof(double) * (size_t)n);
	qsort(s, (size_t)n, sizeof(double), cmp_double);
	st.min = s[0];
	st.max = s[n - 1];
	st.median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	return st;
}

void bench_emit(const char *bench, const char *metric, const char *variant, const char *unit,
		const double *v, int n)
{
	struct bench_stat st = bench_stat_of(v, n);

	printf("{\"bench\":\"%s\",\"metric\":\"%s\",\"variant\":\"%s\",\"unit\":\"%s\",\"values\":[",
	       bench, metric, variant, unit);
	for (int i = 0; i < n; i++)
		printf("%s%.6g", i ? "," : "", v[i]);
	printf("],\"median\":%.6g,\"min\":%.6g,\"max\":%.6g}\n", st.median, st.min, st.max);
	fflush(stdout);
	fprintf(stderr, "  %-10s %-24s %-22s median %.6g %s (min %.6g, max %.6g, n=%d)\n",
		bench, metric, variant, st.median, unit, st.min, st.max, n);
}

void bench_note(const char *bench, const char *key, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("{\"bench\":\"%s\",\"note\":\"%s\",\"value\":\"", bench, key);
	for (const char *p = buf; *p; p++) {
		if (*p == '"' || *p == '\\')
			putchar('\\');
		putchar(*p);
	}
	printf("\"}\n");
	fflush(stdout);
	fprintf(stderr, "  %-10s %s: %s\n", bench, key, buf);
}

int bench_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

long bench_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	long kib = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

int bench_count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	int n = 0, c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* ---- guest -------------------------------------------------------------------- */
static struct kvm_segment seg(uint16_t sel, uint8_t type, bool code)
{
	struct kvm_segment s;

	memset(&s, 0, sizeof(s));
	s.base = 0;
	s.limit = 0xffffffff;
	s.selector = sel;
	s.type = type;
	s.present = 1;
	s.dpl = 3;
	s.s = 1;
	s.l = code;
	s.db = !code;
	s.g = 1;
	return s;
}

void bguest_create(struct bguest *g, size_t mem_size, uint32_t slot_flags,
		   uint32_t ring_bytes, const void *start, const void *end,
		   uint64_t rbx, uint64_t rdx, uint64_t rsi, uint64_t r8)
{
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	uint64_t *pml4, *pdpt, *pd;
	size_t len = (size_t)((const uint8_t *)end - (const uint8_t *)start);

	memset(g, 0, sizeof(*g));
	BENCH_CHECK(ckvm_open(&g->kvm));
	BENCH_CHECK(ckvm_create_vm(g->kvm, &g->vm));
	if (ring_bytes)
		BENCH_CHECK(ckvm_vm_enable_dirty_ring(g->vm, ring_bytes));
	g->mem_size = mem_size;
	g->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (g->mem == MAP_FAILED)
		bench_fail("mmap %zu bytes: %s", mem_size, strerror(errno));
	memset(&region, 0, sizeof(region));
	region.slot = 0;
	region.flags = slot_flags;
	region.guest_phys_addr = 0;
	region.memory_size = mem_size;
	region.userspace_addr = (uintptr_t)g->mem;
	BENCH_CHECK(ckvm_vm_set_user_memory_region(g->vm, &region));

	/* Identity map of the first 4 GiB with 2 MiB user pages. */
	pml4 = (uint64_t *)(g->mem + BG_PML4_GPA);
	pdpt = (uint64_t *)(g->mem + BG_PDPT_GPA);
	pml4[0] = BG_PDPT_GPA | 7;
	for (int i = 0; i < 4; i++) {
		pdpt[i] = (BG_PD_GPA + 0x1000ull * (uint64_t)i) | 7;
		pd = (uint64_t *)(g->mem + BG_PD_GPA + 0x1000 * i);
		for (int j = 0; j < 512; j++)
			pd[j] = (((uint64_t)i << 30) | ((uint64_t)j << 21)) | 0x87;
	}
	if (len > 0x10000)
		bench_fail("guest code too large");
	memcpy(g->mem + BG_CODE_GPA, start, len);

	BENCH_CHECK(ckvm_vm_create_vcpu(g->vm, 0, &g->vcpu));
	BENCH_CHECK(ckvm_vcpu_get_sregs(g->vcpu, &sregs));
	sregs.cr0 = 0x80050033;
	sregs.cr3 = BG_PML4_GPA;
	sregs.cr4 = 0x620;
	sregs.efer = 0x500;
	sregs.cs = seg(0x23, 11, true);
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = seg(0x2b, 3, false);
	BENCH_CHECK(ckvm_vcpu_set_sregs(g->vcpu, &sregs));
	memset(&regs, 0, sizeof(regs));
	regs.rip = BG_CODE_GPA;
	regs.rsp = BG_STACK;
	regs.rflags = 0x3002;
	regs.rbx = rbx;
	regs.rdx = rdx;
	regs.rsi = rsi;
	regs.r8 = r8;
	BENCH_CHECK(ckvm_vcpu_set_regs(g->vcpu, &regs));
}

void bguest_destroy(struct bguest *g)
{
	ckvm_vcpu_close(g->vcpu);
	ckvm_vm_close(g->vm);
	if (g->mem && g->mem != MAP_FAILED)
		munmap(g->mem, g->mem_size);
	ckvm_close(g->kvm);
	memset(g, 0, sizeof(*g));
}
