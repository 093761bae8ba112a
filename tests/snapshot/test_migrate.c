/* SPDX-License-Identifier: MIT */
/*
 * test_migrate.c - a guest in the middle of a computation is paused, saved
 * (vCPU blob, VM blob, memory file), its VM destroyed, and restored into a
 * new VM in a NEW PROCESS (this binary re-executed with --restore DIR),
 * where it must finish with exactly the result of an uninterrupted run.
 *
 * The computation (tests/snapshot/guests.S: snap_compute_guest) runs at
 * CPL3 with its state in general registers, SSE registers, AVX2 YMM
 * registers (upper halves included; when the guest CPUID offers AVX2) and a
 * 64 KiB array in guest memory (AVX2: run with --avx, its own meson test).
 * Two ways to pause it:
 *  - checkpoint: the guest does an MMIO write at a chosen iteration, so the
 *    save happens with an MMIO exit pending (completed by the save);
 *  - kick: another thread kicks the vCPU at an arbitrary moment (a third of
 *    the reference run's time), so the state is wherever the loop was.
 */
#include "snap_test.h"
#include "guest.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SSE_ITERS 150000000ull
#define AVX_ITERS 150000000ull
#define NO_CHECKPOINT (~0ull)

static const char *restore_dir;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Can the guest use AVX2 (so YMM state is exercised)? KVM must support the
 * AVX XSAVE component (CPUID 0xD.0 EAX bits 0-2) and the host CPU AVX2.
 * Some hosts (this project's PVM) leave XSAVE/AVX/AVX2 out of the
 * supported CPUID leaves 1 and 7 while supporting the state: the guest
 * CPUID is then given those bits (KVM accepts it, and XCR0 = 7 below).
 */
static bool avx_possible(struct t_guest *g, bool *forced)
{
	struct kvm_cpuid_entry2 *l1 = ckvm_cpuid2_find(g->cpuid, 1, 0);
	struct kvm_cpuid_entry2 *l7 = ckvm_cpuid2_find(g->cpuid, 7, 0);
	struct kvm_cpuid_entry2 *ld = ckvm_cpuid2_find(g->cpuid, 0xd, 0);

	*forced = false;
	if (!l1 || !l7 || !ld || (ld->eax & 7) != 7 || !__builtin_cpu_supports("avx2"))
		return false;
	if (!(l1->ecx & (1u << 26)) || !(l1->ecx & (1u << 28)) || !(l7->ebx & (1u << 5))) {
		l1->ecx |= (1u << 26) | (1u << 28);
		l7->ebx |= 1u << 5;
		*forced = true;
	}
	return true;
}

/* A VM (in-kernel irqchip, 1 MiB) running snap_compute_guest. */
static struct ckvm_vcpu *start_compute(struct t_guest *g, uint64_t iters, uint64_t checkpoint,
				       const bool *avx)
{
	struct ckvm_vcpu *v;
	struct kvm_regs regs;

	t_guest_create_vm(g);
	if (*avx) {
		bool forced;

		assert_true(avx_possible(g, &forced));
	}
	t_assert_ok(ckvm_vm_create_irq_chip(g->vm));
	t_guest_add_memory(g, 0x100000, 0);
	t_guest_load_code(g, snap_compute_guest);
	v = t_guest_add_vcpu(g, T_MODE_LONG64, T_CODE_GPA);
	if (*avx) {
		struct kvm_sregs sregs;
		struct kvm_xcrs xcrs;

		/* CR4.OSXSAVE and XCR0 = x87|SSE|AVX, set from the host (no CPL0 xsetbv) */
		t_assert_ok(ckvm_vcpu_get_sregs(v, &sregs));
		sregs.cr4 |= 1u << 18;
		t_assert_ok(ckvm_vcpu_set_sregs(v, &sregs));
		memset(&xcrs, 0, sizeof(xcrs));
		xcrs.nr_xcrs = 1;
		xcrs.xcrs[0].xcr = 0;
		xcrs.xcrs[0].value = 7;
		t_assert_ok(ckvm_vcpu_set_xcrs(v, &xcrs));
	}
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	regs.rdi = iters;
	regs.rsi = checkpoint;
	regs.r12 = *avx;
	t_assert_ok(ckvm_vcpu_set_regs(v, &regs));
	return v;
}

/* Run to the final report and DONE; return the report. */
static uint64_t finish(struct t_guest *g, struct ckvm_vcpu *v)
{
	uint64_t r = t_expect_report(g, v);

	t_expect_done(g, v);
	return r;
}

static uint64_t reference(uint64_t iters, bool avx, double *secs)
{
	struct t_guest g;
	struct ckvm_vcpu *v = start_compute(&g, iters, NO_CHECKPOINT, &avx);

	double t0 = now();
	uint64_t r = finish(&g, v);

	if (secs)
		*secs = now() - t0;
	t_guest_destroy(&g);
	return r;
}

static void path(char *buf, size_t n, const char *dir, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

static void write_file(const char *dir, const char *name, const void *p, size_t len)
{
	char fn[512];
	int fd;

	path(fn, sizeof(fn), dir, name);
	fd = open(fn, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, len), (ssize_t)len);
	close(fd);
}

static void *read_all_file(const char *dir, const char *name, size_t *len)
{
	char fn[512];
	struct stat st;
	void *p;
	int fd;

	path(fn, sizeof(fn), dir, name);
	fd = open(fn, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("open %s: %s", fn, strerror(errno));
	assert_int_equal(fstat(fd, &st), 0);
	p = malloc((size_t)st.st_size + 1);
	assert_non_null(p);
	assert_int_equal(read(fd, p, (size_t)st.st_size), st.st_size);
	((char *)p)[st.st_size] = 0;
	close(fd);
	*len = (size_t)st.st_size;
	return p;
}

/* Save everything a restore needs into dir, then destroy the source VM. */
static void save_and_destroy(struct t_guest *g, struct ckvm_vcpu *v, const char *dir, bool avx)
{
	struct ckvm_snapshot_ctx *ctx;
	struct ckvm_snapshot_region reg = { 0 };
	uint64_t fsize;
	char fn[512];
	void *blob;
	size_t len;
	int fd;

	t_assert_ok(ckvm_snapshot_ctx_create(g->kvm, g->vm, &ctx));
	t_assert_ok(ckvm_snapshot_save_vcpu(ctx, v, 0, &blob, &len));
	write_file(dir, "vcpu0.bin", blob, len);
	{
		/* the saved XSAVE area holds live SSE state, and with AVX the YMM upper halves */
		struct ckvm_x86_vcpu_state *st;
		const uint8_t *x;
		uint64_t bv;
		size_t k, nz = 0;

		t_assert_ok(ckvm_x86_vcpu_state_alloc(&st));
		t_assert_ok(ckvm_x86_vcpu_state_decode(blob, len, st));
		x = (const uint8_t *)st->xsave->region;
		memcpy(&bv, x + 512, 8);
		for (k = 160; k < 160 + 16 * 16; k++) /* XMM0-15 */
			nz += x[k] != 0;
		assert_true(nz > 0);
		if (avx) {
			assert_true(bv & 4);
			/* YMM_Hi128 at 576: the loop keeps YMM3 and YMM4 full */
			for (k = 576 + 3 * 16, nz = 0; k < 576 + 5 * 16; k++)
				nz += x[k] != 0;
			assert_true(nz >= 16);
		}
		ckvm_x86_vcpu_state_free(st);
	}
	ckvm_snapshot_free(blob);
	reg.slot = 0;
	reg.memory_size = g->mem_size;
	reg.host = g->mem;
	t_assert_ok(ckvm_snapshot_mem_layout(&reg, 1, 0, &fsize));
	t_assert_ok(ckvm_snapshot_save_vm(ctx, &reg, 1, 0, &blob, &len));
	write_file(dir, "vm.bin", blob, len);
	ckvm_snapshot_free(blob);
	path(fn, sizeof(fn), dir, "mem.bin");
	fd = open(fn, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	t_assert_ok(ckvm_snapshot_mem_save(fd, &reg, 1));
	close(fd);
	ckvm_snapshot_ctx_free(ctx);
	t_guest_destroy(g);
}

/* fork + exec this binary with --restore dir; return the result it computed. */
static uint64_t restore_in_new_process(const char *dir)
{
	char self[512];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	unsigned long long result = 0;
	int status = 0;
	size_t len;
	char *text;
	pid_t pid;

	assert_true(n > 0);
	self[n] = 0;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(self, self, "--restore", dir, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("restore process failed (status %#x)", status);
	text = read_all_file(dir, "result", &len);
	assert_int_equal(sscanf(text, "%llx", &result), 1);
	free(text);
	return result;
}

static void cleanup_dir(const char *dir)
{
	static const char *files[] = { "vcpu0.bin", "vm.bin", "mem.bin", "result" };
	char fn[512];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		path(fn, sizeof(fn), dir, files[i]);
		unlink(fn);
	}
	rmdir(dir);
}

static char *make_dir(void)
{
	static char tmpl[64];
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	snprintf(tmpl, sizeof(tmpl), "%.40s/ckvm-snap-XXXXXX", base);
	assert_non_null(mkdtemp(tmpl));
	return tmpl;
}

/* ---- the child: a new process, a new VM ------------------------------------ */
static void test_child_restore(void **state)
{
	struct t_guest g;
	struct ckvm_snapshot_ctx *ctx;
	struct ckvm_snapshot_region reg[4];
	struct kvm_userspace_memory_region m;
	struct ckvm_snapshot_info info;
	struct ckvm_vcpu *v;
	char fn[512], out[32];
	void *vm_blob, *vcpu_blob;
	size_t vm_len, vcpu_len;
	uint64_t result;
	int n, i, fd;

	(void)state;
	t_watchdog(50);
	vm_blob = read_all_file(restore_dir, "vm.bin", &vm_len);
	vcpu_blob = read_all_file(restore_dir, "vcpu0.bin", &vcpu_len);
	/* the same configuration: in-kernel irqchip, before any vCPU */
	t_guest_create_vm(&g);
	t_assert_ok(ckvm_vm_create_irq_chip(g.vm));
	/* memory: map the memory file copy-on-write, one slot per region */
	n = ckvm_snapshot_get_regions(vm_blob, vm_len, reg, 4);
	assert_true(n >= 1 && n <= 4);
	path(fn, sizeof(fn), restore_dir, "mem.bin");
	fd = open(fn, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	t_assert_ok(ckvm_snapshot_mem_map(fd, reg, (size_t)n, false));
	close(fd);
	for (i = 0; i < n; i++) {
		memset(&m, 0, sizeof(m));
		m.slot = reg[i].slot;
		m.flags = reg[i].flags;
		m.guest_phys_addr = reg[i].guest_phys_addr;
		m.memory_size = reg[i].memory_size;
		m.userspace_addr = (uint64_t)(uintptr_t)reg[i].host;
		t_assert_ok(ckvm_vm_set_user_memory_region(g.vm, &m));
	}
	t_assert_ok(ckvm_snapshot_parse(vcpu_blob, vcpu_len, &info));
	t_assert_ok(ckvm_vm_create_vcpu(g.vm, (unsigned long)info.id, &v));
	g.vcpu[g.nr_vcpus++] = v;
	t_assert_ok(ckvm_snapshot_ctx_create(g.kvm, g.vm, &ctx));
	t_assert_ok(ckvm_snapshot_restore_vm(ctx, vm_blob, vm_len, 0));
	t_assert_ok(ckvm_snapshot_restore_vcpu(ctx, v, vcpu_blob, vcpu_len, 0));
	result = finish(&g, v);
	snprintf(out, sizeof(out), "%llx\n", (unsigned long long)result);
	write_file(restore_dir, "result", out, strlen(out));
	ckvm_snapshot_ctx_free(ctx);
	t_guest_destroy(&g);
	ckvm_snapshot_mem_unmap(reg, (size_t)n);
	free(vm_blob);
	free(vcpu_blob);
}

/* ---- the parent ------------------------------------------------------------ */
/* Checkpoint: paused by the guest's own MMIO report at a third of the run. */
static void migrate_checkpoint(bool avx, uint64_t iters)
{
	uint64_t ref, got, ck = iters / 3;
	struct t_guest g;
	struct ckvm_vcpu *v;
	char *dir = make_dir();
	double secs;

	t_watchdog(55);
	ref = reference(iters, avx, &secs);
	v = start_compute(&g, iters, ck, &avx);
	/* stops at the checkpoint with its MMIO write pending */
	assert_int_equal(t_expect_report(&g, v), ck);
	save_and_destroy(&g, v, dir, avx);
	got = restore_in_new_process(dir);
	fprintf(stderr, "%s checkpoint at %llu of %llu (reference run %.3f s): reference %#llx, "
		"restored %#llx\n", avx ? "AVX2" : "SSE", (unsigned long long)ck,
		(unsigned long long)iters, secs, (unsigned long long)ref, (unsigned long long)got);
	assert_int_equal(got, ref);
	if (avx) {
		/*
		 * Control: the same snapshot without its XSAVE and FPU records
		 * must NOT give the reference result, so the comparison above
		 * really depends on the restored SSE/AVX state.
		 */
		struct sb sbl;
		size_t len, i, j;
		uint8_t *b;
		void *blob = read_all_file(dir, "vcpu0.bin", &len);

		sb_from_blob(&sbl, blob, len);
		for (i = j = 0; i < sbl.n; i++) {
			if (sbl.rec[i].type == CKVM_SNAPSHOT_REC_X86_XSAVE ||
			    sbl.rec[i].type == CKVM_SNAPSHOT_REC_X86_FPU)
				free(sbl.rec[i].data);
			else
				sbl.rec[j++] = sbl.rec[i];
		}
		assert_int_equal(j, sbl.n - 2);
		sbl.n = j;
		b = sb_build(&sbl, &len);
		write_file(dir, "vcpu0.bin", b, len);
		got = restore_in_new_process(dir);
		fprintf(stderr, "control without XSAVE/FPU records: %#llx\n", (unsigned long long)got);
		assert_int_not_equal(got, ref);
		free(b);
		free(blob);
		sb_free(&sbl);
	}
	cleanup_dir(dir);
}

struct kicker {
	struct ckvm_vcpu *vcpu;
	double delay;
};

static void *kick_thread(void *arg)
{
	struct kicker *k = arg;
	struct timespec ts = { (time_t)k->delay, (long)((k->delay - (double)(time_t)k->delay) * 1e9) };

	nanosleep(&ts, NULL);
	ckvm_vcpu_kick(k->vcpu);
	return NULL;
}

static void on_kick(int sig)
{
	(void)sig;
}

/* Kick: paused by another thread at an arbitrary moment (a third of the reference time). */
static void migrate_kick(bool avx, uint64_t iters)
{
	uint64_t ref, got;
	struct t_guest g;
	struct ckvm_vcpu *v;
	struct ckvm_exit exit;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct sigaction sa;
	struct kicker k;
	pthread_t th;
	double secs;
	char *dir = make_dir();
	int r;

	t_watchdog(55);
	ref = reference(iters, avx, &secs);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);

	v = start_compute(&g, iters, NO_CHECKPOINT, &avx);
	t_assert_ok(ckvm_vcpu_set_kick_signal(v, SIGUSR1));
	k.vcpu = v;
	k.delay = secs / 3;
	assert_int_equal(pthread_create(&th, NULL, kick_thread, &k), 0);
	r = ckvm_vcpu_run(v, &exit);
	pthread_join(th, NULL);
	if (r != -EINTR)
		fail_msg("the guest was not interrupted (run = %d, exit %s): loop too short?", r,
			 t_exit_str(&exit));
	assert_int_equal(exit.kind, CKVM_EXIT_INTERRUPTED);
	/* paused in the middle of the CPL3 loop */
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	t_assert_ok(ckvm_vcpu_get_sregs(v, &sregs));
	assert_int_equal(sregs.cs.dpl, 3);
	assert_true(regs.rcx > 0 && regs.rcx < iters);
	save_and_destroy(&g, v, dir, avx);
	got = restore_in_new_process(dir);
	fprintf(stderr, "%s kick after %.3f s at iteration %llu of %llu (reference run %.3f s): "
		"reference %#llx, restored %#llx\n", avx ? "AVX2" : "SSE", k.delay,
		(unsigned long long)regs.rcx, (unsigned long long)iters, secs,
		(unsigned long long)ref, (unsigned long long)got);
	assert_int_equal(got, ref);
	cleanup_dir(dir);
}

/* AVX2 runs as its own meson test (--avx), so that a host without it shows a skip. */
static void require_avx(void)
{
	struct t_guest g;
	bool r, forced;

	t_guest_create_vm(&g);
	r = avx_possible(&g, &forced);
	t_guest_destroy(&g);
	if (!r)
		t_skip("this host cannot run AVX2 in a guest (no AVX XSAVE state in KVM's "
		       "CPUID 0xD or no host AVX2)");
	if (forced)
		fprintf(stderr, "note: XSAVE/AVX/AVX2 added to the guest CPUID (supported state, "
			"not advertised in KVM_GET_SUPPORTED_CPUID leaves 1/7)\n");
}

static void test_sse_checkpoint(void **state)
{
	(void)state;
	migrate_checkpoint(false, SSE_ITERS / 4);
}

static void test_sse_kick(void **state)
{
	(void)state;
	migrate_kick(false, SSE_ITERS);
}

static void test_avx_checkpoint(void **state)
{
	(void)state;
	migrate_checkpoint(true, AVX_ITERS / 4);
}

static void test_avx_kick(void **state)
{
	(void)state;
	migrate_kick(true, AVX_ITERS);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest sse[] = {
		cmocka_unit_test(test_sse_checkpoint),
		cmocka_unit_test(test_sse_kick),
	};
	const struct CMUnitTest avx[] = {
		cmocka_unit_test(test_avx_checkpoint),
		cmocka_unit_test(test_avx_kick),
	};
	const struct CMUnitTest child[] = {
		cmocka_unit_test(test_child_restore),
	};

	ckvm_close(t_require_kvm());
	if (argc == 3 && strcmp(argv[1], "--restore") == 0) {
		restore_dir = argv[2];
		return cmocka_run_group_tests(child, NULL, NULL);
	}
	if (argc == 2 && strcmp(argv[1], "--avx") == 0) {
		require_avx();
		return cmocka_run_group_tests(avx, NULL, NULL);
	}
	return cmocka_run_group_tests(sse, NULL, NULL);
}
