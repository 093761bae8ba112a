/* SPDX-License-Identifier: MIT */
/*
 * bench_snapshot - save and restore latency of ckvm snapshots (issue 5):
 *
 *  vCPU: a vCPU of a VM with an in-kernel irqchip, stopped at a port-I/O
 *    exit. save = ckvm_snapshot_save_vcpu (complete the I/O, read every
 *    state ioctl, encode, CRC); restore = ckvm_snapshot_restore_vcpu into a
 *    fresh vCPU of another VM (validate, decode, write every state ioctl).
 *    Also the format's own share: encode and validate+decode alone.
 *
 *  1 GiB guest (every page non-zero, filled from the host):
 *    full save    = vCPU blob + VM blob + ckvm_snapshot_mem_save to a memfd
 *    full restore = a new VM: VM blob + vCPU blob + either
 *                   ckvm_snapshot_mem_restore (copy into fresh memory) or
 *                   ckvm_snapshot_mem_map (MAP_PRIVATE; pages load lazily)
 *    dirty-only   = the guest (CPL3) writes one byte to every 10th page from
 *                   2 MiB (26,163 pages, 10%), then
 *                   save    = vCPU blob + VM blob + ckvm_snapshot_mem_save_dirty
 *                   restore = ckvm_snapshot_mem_restore_dirty (revert the
 *                             dirtied pages from the file) + VM + vCPU blob
 *                             into the same VM.
 *
 * Prints its BENCHMARKS.md section (markdown) on stdout; progress on
 * stderr. Usage: bench_snapshot [--reps N] [--quick]
 */
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEM (1ull << 30)
#define BASE (2ull << 20)
#define STRIDE (10ull * 4096)

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static double us(uint64_t ns)
{
	return (double)ns / 1e3;
}

struct row {
	const char *what;
	const char *unit;
	double v[BENCH_MAX_REPS];
	int n;
};

/* A number with about three significant digits, thousands separated by commas. */
static const char *num(char *buf, size_t n, double v)
{
	char tmp[64];
	int digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
	int len, lead, i, o = 0;

	snprintf(tmp, sizeof(tmp), "%.*f", digits, v);
	len = (int)strcspn(tmp, ".");
	lead = len % 3 ? len % 3 : 3;
	for (i = 0; tmp[i] && o < (int)n - 2; i++) {
		if (i < len && i != 0 && (i - lead) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = 0;
	return buf;
}

static void row_print(const struct row *r)
{
	struct bench_stat s = bench_stat_of(r->v, r->n);
	char a[32], b[32], c[32];

	printf("| %s | %s | %s | %s | %s |\n", r->what, num(a, sizeof(a), s.median),
	       num(b, sizeof(b), s.min), num(c, sizeof(c), s.max), r->unit);
}

static void run_to_out(struct ckvm_vcpu *v, uint16_t port)
{
	struct ckvm_exit exit;

	BENCH_CHECK(ckvm_vcpu_run(v, &exit));
	if (exit.kind != CKVM_EXIT_IO_OUT || exit.io.port != port)
		bench_fail("unexpected exit kind %d (reason %u)", exit.kind, exit.reason);
}

/* ---- vCPU --------------------------------------------------------------- */
static struct ckvm_vcpu *plain_vcpu(struct ckvm *kvm, struct ckvm_vm **vm, void **mem)
{
	struct kvm_userspace_memory_region region;
	struct kvm_cpuid2 *cpuid = NULL;
	struct ckvm_vcpu *v;

	BENCH_CHECK(ckvm_create_vm(kvm, vm));
	BENCH_CHECK(ckvm_vm_create_irq_chip(*vm));
	*mem = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (*mem == MAP_FAILED)
		bench_fail("mmap");
	memset(&region, 0, sizeof(region));
	region.memory_size = 4 << 20;
	region.userspace_addr = (uintptr_t)*mem;
	BENCH_CHECK(ckvm_vm_set_user_memory_region(*vm, &region));
	BENCH_CHECK(ckvm_vm_create_vcpu(*vm, 0, &v));
	BENCH_CHECK(ckvm_get_supported_cpuid(kvm, &cpuid));
	BENCH_CHECK(ckvm_vcpu_set_cpuid2(v, cpuid));
	ckvm_cpuid2_free(cpuid);
	return v;
}

static void bench_vcpu(const struct bench_opts *o)
{
	const int iters = o->quick ? 20 : 200;
	struct row save = { "vCPU save (`ckvm_snapshot_save_vcpu`)", "µs", { 0 }, 0 };
	struct row restore = { "vCPU restore (`ckvm_snapshot_restore_vcpu`)", "µs", { 0 }, 0 };
	struct row enc = { "encode only (records + CRC)", "µs", { 0 }, 0 };
	struct row dec = { "validate + decode only", "µs", { 0 }, 0 };
	struct ckvm_snapshot_ctx *ctx, *ctx2;
	struct ckvm_x86_vcpu_state *st;
	struct ckvm_vm *vm2;
	struct ckvm_vcpu *v2;
	struct bguest g;
	size_t len = 0;
	void *blob = NULL, *mem2;
	uint32_t nmsrs;

	/* a VM with an irqchip (so LAPIC state is saved), stopped at an OUT */
	memset(&g, 0, sizeof(g));
	BENCH_CHECK(ckvm_open(&g.kvm));
	{
		/* bguest_create has no irqchip: build the source like it, with one */
		struct bguest tmp;

		bguest_create(&tmp, 4 << 20, 0, 0, bg_pio_start, bg_pio_end, 0, 0, 0, 0);
		g.vcpu = plain_vcpu(g.kvm, &g.vm, (void **)&g.mem);
		memcpy(g.mem, tmp.mem, 4 << 20);
		{
			struct kvm_sregs s;
			struct kvm_regs r;

			BENCH_CHECK(ckvm_vcpu_get_sregs(tmp.vcpu, &s));
			BENCH_CHECK(ckvm_vcpu_set_sregs(g.vcpu, &s));
			BENCH_CHECK(ckvm_vcpu_get_regs(tmp.vcpu, &r));
			BENCH_CHECK(ckvm_vcpu_set_regs(g.vcpu, &r));
		}
		bguest_destroy(&tmp);
	}
	run_to_out(g.vcpu, 0x10);
	BENCH_CHECK(ckvm_snapshot_ctx_create(g.kvm, g.vm, &ctx));
	v2 = plain_vcpu(g.kvm, &vm2, &mem2);
	BENCH_CHECK(ckvm_snapshot_ctx_create(g.kvm, vm2, &ctx2));
	BENCH_CHECK(ckvm_x86_vcpu_state_alloc(&st));

	for (int rep = 0; rep < o->reps; rep++) {
		uint64_t t_save = 0, t_restore = 0, t_enc = 0, t_dec = 0;

		for (int i = 0; i < iters; i++) {
			uint64_t t0 = bench_now_ns();
			struct ckvm_snapshot_writer *w;
			void *b2;
			size_t l2;

			ckvm_snapshot_free(blob);
			BENCH_CHECK(ckvm_snapshot_save_vcpu(ctx, g.vcpu, 0, &blob, &len));
			t_save += bench_now_ns() - t0;
			t0 = bench_now_ns();
			BENCH_CHECK(ckvm_snapshot_restore_vcpu(ctx2, v2, blob, len, 0));
			t_restore += bench_now_ns() - t0;
			t0 = bench_now_ns();
			BENCH_CHECK(ckvm_x86_vcpu_state_decode(blob, len, st));
			t_dec += bench_now_ns() - t0;
			t0 = bench_now_ns();
			BENCH_CHECK(ckvm_snapshot_writer_create(0, CKVM_SNAPSHOT_KIND_VCPU, 0, &w));
			BENCH_CHECK(ckvm_x86_vcpu_state_encode(st, w));
			BENCH_CHECK(ckvm_snapshot_writer_finish(w, &b2, &l2));
			ckvm_snapshot_writer_free(w);
			t_enc += bench_now_ns() - t0;
			if (l2 != len || memcmp(b2, blob, len))
				bench_fail("re-encoded vCPU blob differs");
			ckvm_snapshot_free(b2);
		}
		save.v[save.n++] = us(t_save) / iters;
		restore.v[restore.n++] = us(t_restore) / iters;
		enc.v[enc.n++] = us(t_enc) / iters;
		dec.v[dec.n++] = us(t_dec) / iters;
		fprintf(stderr, "  vcpu rep %d: save %.1f us, restore %.1f us\n", rep,
			save.v[rep], restore.v[rep]);
	}
	nmsrs = st->msrs ? st->msrs->nmsrs : 0;
	printf("### vCPU\n\n");
	printf("A vCPU of a VM with an in-kernel irqchip, stopped at a port-I/O exit of a CPL3 "
	       "guest. Each repetition times %d save/restore pairs and reports the mean; the "
	       "table gives the median [min, max] over %d repetitions. The blob is %zu bytes "
	       "(%u MSRs, XSAVE %d bytes, LAPIC, CPUID %u entries, every other record of the "
	       "x86_64 set that this host supports).\n\n",
	       iters, o->reps, len, nmsrs, st->xsave ? (int)ckvm_xsave_size(st->xsave) : 0,
	       st->cpuid ? st->cpuid->nent : 0);
	printf("| operation | median | min | max | unit |\n|---|---|---|---|---|\n");
	row_print(&save);
	row_print(&restore);
	row_print(&enc);
	row_print(&dec);
	printf("\nSave and restore are dominated by the state ioctls (about 20 of them each, "
	       "each a few µs on this PVM host); the format itself (encode, validate + "
	       "decode) is the last two rows.\n\n");
	ckvm_x86_vcpu_state_free(st);
	ckvm_snapshot_free(blob);
	ckvm_snapshot_ctx_free(ctx);
	ckvm_snapshot_ctx_free(ctx2);
	ckvm_vcpu_close(v2);
	ckvm_vm_close(vm2);
	munmap(mem2, 4 << 20);
	ckvm_vcpu_close(g.vcpu);
	ckvm_vm_close(g.vm);
	munmap(g.mem, 4 << 20);
	ckvm_close(g.kvm);
}

/* ---- 1 GiB guest -------------------------------------------------------- */
struct target {
	struct ckvm_vm *vm;
	struct ckvm_vcpu *vcpu;
	struct ckvm_snapshot_ctx *ctx;
	struct ckvm_snapshot_region reg;
	bool mapped;
};

/* A new VM like the source (no irqchip, one vCPU), memory not yet attached. */
static void target_create(struct ckvm *kvm, struct target *t)
{
	memset(t, 0, sizeof(*t));
	BENCH_CHECK(ckvm_create_vm(kvm, &t->vm));
	BENCH_CHECK(ckvm_vm_create_vcpu(t->vm, 0, &t->vcpu));
	BENCH_CHECK(ckvm_snapshot_ctx_create(kvm, t->vm, &t->ctx));
}

static void target_attach(struct target *t)
{
	struct kvm_userspace_memory_region m;

	memset(&m, 0, sizeof(m));
	m.slot = t->reg.slot;
	m.flags = t->reg.flags;
	m.guest_phys_addr = t->reg.guest_phys_addr;
	m.memory_size = t->reg.memory_size;
	m.userspace_addr = (uintptr_t)t->reg.host;
	BENCH_CHECK(ckvm_vm_set_user_memory_region(t->vm, &m));
}

static void target_destroy(struct target *t)
{
	ckvm_snapshot_ctx_free(t->ctx);
	ckvm_vcpu_close(t->vcpu);
	ckvm_vm_close(t->vm);
	if (t->mapped)
		ckvm_snapshot_mem_unmap(&t->reg, 1);
	else if (t->reg.host)
		munmap(t->reg.host, t->reg.memory_size);
}

static void bench_guest(const struct bench_opts *o)
{
	const int reps = o->quick ? 2 : o->reps;
	const uint64_t touched = (MEM - BASE) / STRIDE;
	struct row fsave = { "full save (vCPU + VM + 1 GiB memory)", "ms", { 0 }, 0 };
	struct row fmem = { "of which `ckvm_snapshot_mem_save`", "ms", { 0 }, 0 };
	struct row fcopy = { "full restore, copy (`mem_restore` + VM + vCPU)", "ms", { 0 }, 0 };
	struct row fmap = { "full restore, mmap (`mem_map` + slot + VM + vCPU)", "ms", { 0 }, 0 };
	struct row dsave = { "dirty-only save (vCPU + VM + `mem_save_dirty`)", "ms", { 0 }, 0 };
	struct row drest = { "dirty-only restore (`mem_restore_dirty` + VM + vCPU)", "ms", { 0 }, 0 };
	struct row dpages = { "pages written / reverted per dirty-only save / restore", "pages",
			      { 0 }, 0 };
	struct ckvm_snapshot_ctx *ctx;
	struct ckvm_snapshot_region reg;
	struct bguest g;
	uint64_t fsize, pages;
	void *vb = NULL, *mb = NULL;
	size_t vl = 0, ml = 0;
	int fd;

	bguest_create(&g, MEM, KVM_MEM_LOG_DIRTY_PAGES, 0, bg_dirty_start, bg_dirty_end, 0,
		      BASE, touched, STRIDE);
	/* every page non-zero (page tables and code live in the first 2 MiB) */
	for (uint64_t off = BASE; off < MEM; off += 4096)
		memset(g.mem + off, (int)(off >> 12) | 1, 4096);
	run_to_out(g.vcpu, 0x11); /* warm-up pass */
	BENCH_CHECK(ckvm_snapshot_ctx_create(g.kvm, g.vm, &ctx));
	memset(&reg, 0, sizeof(reg));
	reg.flags = KVM_MEM_LOG_DIRTY_PAGES;
	reg.memory_size = MEM;
	reg.host = g.mem;
	BENCH_CHECK(ckvm_snapshot_mem_layout(&reg, 1, 0, &fsize));
	fd = memfd_create("ckvm-bench-snapshot", MFD_CLOEXEC);
	if (fd < 0)
		bench_fail("memfd_create: %s", strerror(errno));

	/* ---- full save ---- */
	for (int rep = 0; rep < reps; rep++) {
		uint64_t t0 = bench_now_ns(), t1;

		ckvm_snapshot_free(vb);
		ckvm_snapshot_free(mb);
		BENCH_CHECK(ckvm_snapshot_save_vcpu(ctx, g.vcpu, 0, &vb, &vl));
		BENCH_CHECK(ckvm_snapshot_save_vm(ctx, &reg, 1, 0, &mb, &ml));
		t1 = bench_now_ns();
		BENCH_CHECK(ckvm_snapshot_mem_save(fd, &reg, 1));
		fsave.v[fsave.n++] = ms(bench_now_ns() - t0);
		fmem.v[fmem.n++] = ms(bench_now_ns() - t1);
		fprintf(stderr, "  full save rep %d: %.1f ms\n", rep, fsave.v[rep]);
	}
	/* ---- full restore into a new VM ---- */
	for (int rep = 0; rep < reps; rep++) {
		struct target t;
		uint64_t t0;
		int n;

		/* copy into fresh memory */
		target_create(g.kvm, &t);
		t0 = bench_now_ns();
		n = ckvm_snapshot_get_regions(mb, ml, &t.reg, 1);
		if (n != 1)
			bench_fail("get_regions = %d", n);
		t.reg.host = mmap(NULL, MEM, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (t.reg.host == MAP_FAILED)
			bench_fail("mmap");
		BENCH_CHECK(ckvm_snapshot_mem_restore(fd, &t.reg, 1));
		target_attach(&t);
		BENCH_CHECK(ckvm_snapshot_restore_vm(t.ctx, mb, ml, 0));
		BENCH_CHECK(ckvm_snapshot_restore_vcpu(t.ctx, t.vcpu, vb, vl, 0));
		fcopy.v[fcopy.n++] = ms(bench_now_ns() - t0);
		if (memcmp((uint8_t *)t.reg.host + MEM - 4096, g.mem + MEM - 4096, 4096))
			bench_fail("restored memory differs");
		target_destroy(&t);
		/* map the file */
		target_create(g.kvm, &t);
		t0 = bench_now_ns();
		n = ckvm_snapshot_get_regions(mb, ml, &t.reg, 1);
		if (n != 1)
			bench_fail("get_regions = %d", n);
		BENCH_CHECK(ckvm_snapshot_mem_map(fd, &t.reg, 1, false));
		t.mapped = true;
		target_attach(&t);
		BENCH_CHECK(ckvm_snapshot_restore_vm(t.ctx, mb, ml, 0));
		BENCH_CHECK(ckvm_snapshot_restore_vcpu(t.ctx, t.vcpu, vb, vl, 0));
		fmap.v[fmap.n++] = ms(bench_now_ns() - t0);
		if (memcmp((uint8_t *)t.reg.host + MEM - 4096, g.mem + MEM - 4096, 4096))
			bench_fail("mapped memory differs");
		target_destroy(&t);
		fprintf(stderr, "  full restore rep %d: copy %.1f ms, mmap %.2f ms\n", rep,
			fcopy.v[rep], fmap.v[rep]);
	}
	/* ---- dirty-only: the file holds a full save; the log was reset by a read ---- */
	BENCH_CHECK(ckvm_snapshot_mem_save_dirty(g.vm, fd, &reg, 1, &pages));
	for (int rep = 0; rep < (o->quick ? 2 : 2 * o->reps); rep++) {
		uint64_t t0;

		run_to_out(g.vcpu, 0x11); /* the guest dirties 10% */
		t0 = bench_now_ns();
		ckvm_snapshot_free(vb);
		ckvm_snapshot_free(mb);
		BENCH_CHECK(ckvm_snapshot_save_vcpu(ctx, g.vcpu, 0, &vb, &vl));
		BENCH_CHECK(ckvm_snapshot_save_vm(ctx, &reg, 1, 0, &mb, &ml));
		BENCH_CHECK(ckvm_snapshot_mem_save_dirty(g.vm, fd, &reg, 1, &pages));
		dsave.v[dsave.n++] = ms(bench_now_ns() - t0);
		dpages.v[dpages.n++] = (double)pages;
		if (pages < touched)
			bench_fail("dirty-only save wrote %llu pages, the guest wrote %llu",
				   (unsigned long long)pages, (unsigned long long)touched);

		run_to_out(g.vcpu, 0x11); /* dirty them again, then revert */
		t0 = bench_now_ns();
		BENCH_CHECK(ckvm_snapshot_mem_restore_dirty(g.vm, fd, &reg, 1, &pages));
		BENCH_CHECK(ckvm_snapshot_restore_vm(ctx, mb, ml, 0));
		BENCH_CHECK(ckvm_snapshot_restore_vcpu(ctx, g.vcpu, vb, vl, 0));
		drest.v[drest.n++] = ms(bench_now_ns() - t0);
		if (pages < touched)
			bench_fail("dirty-only restore reverted %llu pages", (unsigned long long)pages);
		fprintf(stderr, "  dirty-only rep %d: save %.2f ms, restore %.2f ms (%llu pages)\n",
			rep, dsave.v[rep], drest.v[rep], (unsigned long long)pages);
	}

	printf("### 1 GiB guest\n\n");
	printf("A 1 GiB guest (one slot with `KVM_MEM_LOG_DIRTY_PAGES`, no irqchip) whose every "
	       "page was filled from the host, so a full save writes all %llu MiB; the memory "
	       "file is a memfd (tmpfs). *Full restore* builds a new VM: copy = read the file "
	       "into fresh anonymous memory; mmap = map the file `MAP_PRIVATE` (pages are read "
	       "on first access, copy-on-write). *Dirty-only*: between measurements the CPL3 "
	       "guest writes one byte to every 10th page from 2 MiB (%llu pages, %.1f%% of "
	       "the guest); save writes the pages the dirty log reports into the file in "
	       "place, restore reverts the pages dirtied since the last log read from the file "
	       "and reloads the VM and vCPU state into the same VM. %d repetitions of full "
	       "save/restore, %d of dirty-only; median [min, max].\n\n",
	       (unsigned long long)(MEM >> 20), (unsigned long long)touched,
	       100.0 * (double)touched / (double)(MEM / 4096), reps,
	       o->quick ? 2 : 2 * o->reps);
	printf("| operation | median | min | max | unit |\n|---|---|---|---|---|\n");
	row_print(&fsave);
	row_print(&fmem);
	row_print(&fcopy);
	row_print(&fmap);
	row_print(&dsave);
	row_print(&drest);
	row_print(&dpages);
	printf("\n");
	{
		struct bench_stat f = bench_stat_of(fsave.v, fsave.n), d = bench_stat_of(dsave.v, dsave.n);
		struct bench_stat fc = bench_stat_of(fcopy.v, fcopy.n), dr = bench_stat_of(drest.v, drest.n);

		printf("Dirty-only vs full (medians): save %.1fx faster, restore %.1fx faster than "
		       "the copying full restore.\n\n", f.median / d.median, fc.median / dr.median);
	}
	ckvm_snapshot_free(vb);
	ckvm_snapshot_free(mb);
	ckvm_snapshot_ctx_free(ctx);
	close(fd);
	bguest_destroy(&g);
}

int main(int argc, char **argv)
{
	struct bench_opts o;

	bench_parse(argc, argv, &o, 10, 1);
	printf("## Snapshot\n\n");
	printf("Save and restore latency of `include/ckvm/snapshot.h` (issue 5; format in "
	       "docs/snapshot-format.md). Wall time (`CLOCK_MONOTONIC`) on this shared 2-core "
	       "machine. Produced by `bench/snapshot/run`.\n\n");
	if (bench_want(&o, "vcpu", NULL))
		bench_vcpu(&o);
	if (bench_want(&o, "guest", NULL))
		bench_guest(&o);
	return 0;
}
