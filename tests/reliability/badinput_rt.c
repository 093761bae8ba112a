/* SPDX-License-Identifier: MIT */
/* badinput_rt.c - runtime of the generated bad-input table test; see badinput_rt.h. */
#include "badinput_rt.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Resolve a ckvm function at run time (see the header). */
#define FN(name) ((__typeof__(&name))bi_sym_quiet(#name))

static void *bi_sym_quiet(const char *name)
{
	return dlsym(RTLD_DEFAULT, name);
}

void *bi_sym(const char *name)
{
	void *p = bi_sym_quiet(name);

	if (!p)
		fail_msg("%s is declared in the public headers but libckvm does not export it", name);
	return p;
}

/* ---- shared valid objects ------------------------------------------------ */
static struct {
	struct ckvm *kvm;
	struct ckvm_vm *vm;
	struct ckvm_vcpu *vcpu;
	struct ckvm_device *dev;
	int dev_fd;          /* eventfd behind a fake device, or -1 */
	struct ckvm_stats *stats;
	int stats_fd;
	struct ckvm_snapshot_ctx *snapctx;
} S = { .dev_fd = -1, .stats_fd = -1 };

static const struct ckvm_fam_type famtype = {
	.hdr_size = 8, .entry_size = 8, .count_offset = 0, .count_size = 4, .max = 64,
};

static uint8_t bufs[BI_BUFS][BI_BUF_SIZE] __attribute__((aligned(4096)));
static char long_string[PATH_MAX * 2];

static int nfail_total, ncalls_total, nfail_fn;

static int count_fds(void)
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
	return n - 1; /* the directory's own fd */
}

void bi_setup(void)
{
	int r;

	S.kvm = t_require_kvm();
	r = ckvm_create_vm(S.kvm, &S.vm);
	if (r < 0) {
		fprintf(stderr, "FAIL: ckvm_create_vm: %s\n", strerror(-r));
		exit(1);
	}
	r = ckvm_vm_create_vcpu(S.vm, 0, &S.vcpu);
	if (r < 0) {
		fprintf(stderr, "FAIL: ckvm_vm_create_vcpu: %s\n", strerror(-r));
		exit(1);
	}
#ifdef KVM_DEV_TYPE_VFIO
	if (ckvm_vm_create_device(S.vm, KVM_DEV_TYPE_VFIO, 0, &S.dev) < 0)
		S.dev = NULL;
#endif
	if (!S.dev) {
		/* No device type available: a device handle over an eventfd. */
		S.dev_fd = eventfd(0, EFD_CLOEXEC);
		if (S.dev_fd < 0 || ckvm_device_from_fd(S.dev_fd, &S.dev) < 0) {
			fprintf(stderr, "FAIL: cannot make a device handle\n");
			exit(1);
		}
	}
	S.stats_fd = ckvm_vm_get_stats_fd(S.vm);
	if (S.stats_fd < 0 || ckvm_stats_open(S.stats_fd, &S.stats) < 0)
		S.stats = NULL;
	if (FN(ckvm_snapshot_ctx_create) &&
	    FN(ckvm_snapshot_ctx_create)(S.kvm, S.vm, &S.snapctx) < 0)
		S.snapctx = NULL;
	if (!S.stats || !S.snapctx)
		fprintf(stderr, "note: %s%s unavailable; calls that need it use NULL\n",
			S.stats ? "" : "stats ", S.snapctx ? "" : "snapshot ctx");
	memset(long_string, 'a', sizeof(long_string) - 1);
}

void bi_teardown(void)
{
	if (S.snapctx)
		FN(ckvm_snapshot_ctx_free)(S.snapctx);
	if (S.stats)
		ckvm_stats_close(S.stats);
	if (S.stats_fd >= 0)
		close(S.stats_fd);
	ckvm_device_close(S.dev); /* owns dev_fd when it is a fake one */
	ckvm_vcpu_close(S.vcpu);
	ckvm_vm_close(S.vm);
	ckvm_close(S.kvm);
}

/* ---- per-call resources --------------------------------------------------- */
static void add_res(struct bi_call *c, int code, void *p, int fd)
{
	struct stat st;

	if (c->nres >= BI_MAX_RES)
		fail_msg("%s: too many resources in one call", c->fn);
	c->res[c->nres].code = code;
	c->res[c->nres].p = p;
	c->res[c->nres].fd = fd;
	c->res[c->nres].ino = (fd >= 0 && fstat(fd, &st) == 0) ? (unsigned long)st.st_ino : 0;
	c->nres++;
}

static void free_obj(int code, void *p)
{
	if (!p)
		return;
	switch (code) {
	case BI_O_KVM: ckvm_close(p); break;
	case BI_O_VM: ckvm_vm_close(p); break;
	case BI_O_VCPU: ckvm_vcpu_close(p); break;
	case BI_O_DEV: ckvm_device_close(p); break;
	case BI_O_STATS: ckvm_stats_close(p); break;
	case BI_O_SNAPCTX: FN(ckvm_snapshot_ctx_free)(p); break;
	case BI_O_WRITER: FN(ckvm_snapshot_writer_free)(p); break;
#if defined(__x86_64__)
	case BI_O_X86VCPUST: FN(ckvm_x86_vcpu_state_free)(p); break;
	case BI_O_X86VMST: FN(ckvm_x86_vm_state_free)(p); break;
	case BI_O_CPUID: ckvm_cpuid2_free(p); break;
	case BI_O_MSRS: ckvm_msrs_free(p); break;
	case BI_O_MSRLIST: ckvm_msr_list_free(p); break;
	case BI_O_XSAVE: ckvm_xsave_free(p); break;
#endif
	case BI_O_REGLIST: ckvm_reg_list_free(p); break;
	case BI_O_ROUTING: ckvm_irq_routing_free(p); break;
	case BI_O_FAMGEN: ckvm_fam_free(p); break;
	case BI_O_BLOB: FN(ckvm_snapshot_free)(p); break;
	default: fail_msg("free_obj: unknown object %d", code);
	}
}

void *bi_obj(struct bi_call *c, enum bi_obj code)
{
	void *p = NULL;

	switch (code) {
	case BI_O_KVM: return S.kvm;
	case BI_O_VM: return S.vm;
	case BI_O_VCPU:
		/* Any KVM_RUN returns at once with -EINTR. */
		ckvm_vcpu_set_immediate_exit(S.vcpu, true);
		return S.vcpu;
	case BI_O_DEV: return S.dev;
	case BI_O_STATS: return S.stats;
	case BI_O_SNAPCTX: return S.snapctx;
	case BI_O_WRITER:
		if (FN(ckvm_snapshot_writer_create))
			FN(ckvm_snapshot_writer_create)(0, CKVM_SNAPSHOT_KIND_VCPU, 0,
							(struct ckvm_snapshot_writer **)&p);
		break;
#if defined(__x86_64__)
	case BI_O_X86VCPUST:
		if (FN(ckvm_x86_vcpu_state_alloc))
			FN(ckvm_x86_vcpu_state_alloc)((struct ckvm_x86_vcpu_state **)&p);
		break;
	case BI_O_X86VMST:
		if (FN(ckvm_x86_vm_state_alloc))
			FN(ckvm_x86_vm_state_alloc)((struct ckvm_x86_vm_state **)&p);
		break;
	case BI_O_CPUID: ckvm_cpuid2_alloc(8, (struct kvm_cpuid2 **)&p); break;
	case BI_O_MSRS: ckvm_msrs_alloc(8, (struct kvm_msrs **)&p); break;
	case BI_O_MSRLIST: ckvm_msr_list_alloc(8, (struct kvm_msr_list **)&p); break;
	case BI_O_XSAVE: ckvm_xsave_alloc(16384, (struct kvm_xsave **)&p); break;
#endif
	case BI_O_REGLIST: ckvm_reg_list_alloc(8, (struct kvm_reg_list **)&p); break;
	case BI_O_ROUTING: ckvm_irq_routing_alloc(8, (struct kvm_irq_routing **)&p); break;
	case BI_O_FAMGEN: ckvm_fam_alloc(&famtype, 8, &p); break;
	default: fail_msg("bi_obj: no valid object of kind %d", code);
	}
	if (!p)
		fail_msg("%s: could not make a valid object of kind %d", c->fn, code);
	add_res(c, code, p, -1);
	return p;
}

void *bi_out(struct bi_call *c, enum bi_obj code)
{
	if (c->nout >= BI_MAX_RES)
		fail_msg("%s: too many out slots", c->fn);
	c->out[c->nout] = NULL;
	c->out_code[c->nout] = code;
	return &c->out[c->nout++];
}

void *bi_closed(struct bi_call *c, enum bi_obj code)
{
	struct ckvm *k = NULL;
	struct ckvm_vm *vm = NULL;
	struct ckvm_vcpu *v = NULL;
	struct ckvm_device *d = NULL;
	struct ckvm_stats *st = NULL;
	int fd = -1, r = -1;

	switch (code) {
	case BI_O_KVM:
		r = ckvm_open(&k);
		if (r == 0) {
			add_res(c, code, k, -1);
			fd = ckvm_fd(k);
		}
		break;
	case BI_O_VM:
		r = ckvm_create_vm(S.kvm, &vm);
		if (r == 0) {
			add_res(c, code, vm, -1);
			fd = ckvm_vm_fd(vm);
		}
		break;
	case BI_O_VCPU:
		r = ckvm_create_vm(S.kvm, &vm);
		if (r == 0) {
			add_res(c, BI_O_VM, vm, -1);
			r = ckvm_vm_create_vcpu(vm, 0, &v);
		}
		if (r == 0) {
			add_res(c, code, v, -1);
			fd = ckvm_vcpu_fd(v);
		}
		break;
	case BI_O_DEV:
		fd = eventfd(0, EFD_CLOEXEC);
		r = fd < 0 ? -errno : ckvm_device_from_fd(fd, &d);
		if (r == 0)
			add_res(c, code, d, -1);
		break;
	case BI_O_STATS:
		fd = ckvm_vm_get_stats_fd(S.vm);
		r = fd < 0 ? fd : ckvm_stats_open(fd, &st);
		if (r == 0)
			add_res(c, code, st, -1);
		break;
	default:
		fail_msg("bi_closed: kind %d has no fd", code);
	}
	if (r < 0 || fd < 0)
		fail_msg("%s: could not make a closed handle of kind %d: %s", c->fn, code,
			 strerror(r < 0 ? -r : EBADF));
	/* The handle's fd is now closed behind its back; its close() later gets EBADF. */
	close(fd);
	c->closed_idx = c->nres - 1;
	return c->res[c->nres - 1].p;
}

void *bi_buf(struct bi_call *c)
{
	void *b = bufs[c->nbuf++ % BI_BUFS];

	memset(b, 0, BI_BUF_SIZE);
	return b;
}

const struct ckvm_fam_type *bi_famtype(struct bi_call *c)
{
	(void)c;
	return &famtype;
}

int bi_fd(struct bi_call *c)
{
	int fd = memfd_create("ckvm-badinput", MFD_CLOEXEC);

	if (fd < 0)
		fail_msg("memfd_create: %s", strerror(errno));
	add_res(c, -1, NULL, fd);
	return fd;
}

int bi_efd(struct bi_call *c)
{
	int fd = eventfd(0, EFD_CLOEXEC);

	if (fd < 0)
		fail_msg("eventfd: %s", strerror(errno));
	add_res(c, -1, NULL, fd);
	return fd;
}

const char *bi_long_string(void)
{
	return long_string;
}

/* ---- calls ------------------------------------------------------------------ */
void bi_begin(struct bi_call *c, const char *fn, const char *param, const char *cls,
	      enum bi_expect expect, int returns_fd)
{
	memset(c, 0, sizeof(*c));
	c->fn = fn;
	c->param = param;
	c->cls = cls;
	c->expect = expect;
	c->returns_fd = returns_fd;
	c->closed_idx = -1;
	c->nfds_before = count_fds();
	ncalls_total++;
	if (getenv("BI_TRACE"))
		fprintf(stderr, "call %s(%s = %s)\n", fn, param, cls);
}

static void report(struct bi_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(struct bi_call *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL: %s(%s = %s): ", c->fn, c->param, c->cls);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	nfail_fn++;
	nfail_total++;
}

static void cleanup(struct bi_call *c)
{
	int n;

	for (int i = 0; i < c->nout; i++)
		free_obj(c->out_code[i], c->out[i]);
	for (int i = c->nres - 1; i >= 0; i--) {
		struct bi_res *r = &c->res[i];

		if (r->code >= 0) {
			if (!(c->consumed && i == c->closed_idx))
				free_obj(r->code, r->p);
		} else if (r->fd >= 0) {
			struct stat st;

			/* Close our fd unless the call adopted (and closed) it. */
			if (fstat(r->fd, &st) == 0 && (unsigned long)st.st_ino == r->ino)
				close(r->fd);
		}
	}
	n = count_fds();
	if (n != c->nfds_before)
		report(c, "%d fds open after the call and its cleanup, %d before (fd leak)",
		       n, c->nfds_before);
}

void bi_end_int(struct bi_call *c, long long r)
{
	int is_errno = r <= -1 && r >= -4095;

	if (c->returns_fd && r >= 0) {
		if (fcntl((int)r, F_GETFD) < 0)
			report(c, "returned %lld, which is not an open fd", r);
		close((int)r);
	}
	if (r < 0 && !is_errno)
		report(c, "returned %lld, which is neither >= 0 nor a negative errno", r);
	else if (c->expect == BI_EXPECT_FAIL && r >= 0)
		report(c, "returned %lld, expected a negative errno", r);
	else if (c->expect == BI_EXPECT_OK && r < 0)
		report(c, "returned %lld (%s), expected success", r, strerror((int)-r));
	cleanup(c);
}

void bi_end_ptr(struct bi_call *c, const void *r)
{
	if (c->expect == BI_EXPECT_FAIL && r)
		report(c, "returned %p, expected NULL", r);
	else if (c->expect == BI_EXPECT_OK && !r)
		report(c, "returned NULL, expected a pointer");
	cleanup(c);
}

void bi_end_uint(struct bi_call *c, unsigned long long r)
{
	if (c->expect == BI_EXPECT_FAIL && r != 0)
		report(c, "returned %llu, expected 0/false", r);
	cleanup(c);
}

void bi_end_void(struct bi_call *c)
{
	cleanup(c);
}

void bi_finish(const char *fn)
{
	int n = nfail_fn;

	nfail_fn = 0;
	/* The shared objects must still work after every call. */
	if (ckvm_vm_check_extension(S.vm, KVM_CAP_USER_MEMORY) <= 0)
		fail_msg("after %s: the shared VM no longer answers KVM_CHECK_EXTENSION", fn);
	if (n)
		fail_msg("%d bad-input call(s) of %s misbehaved (see FAIL lines above)", n, fn);
}

void bi_summary(int nfuncs, int nfail, int nany, int nok, int nskip)
{
	fprintf(stderr,
		"bad-input table: %d functions, %d calls made (%d must fail, %d must not crash, "
		"%d must succeed), %d skipped by rule, %d misbehaved\n",
		nfuncs, ncalls_total, nfail, nany, nok, nskip, nfail_total);
}
