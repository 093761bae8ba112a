/* SPDX-License-Identifier: MIT */
/*
 * badinput_rt.h - runtime of the generated bad-input table test
 * (badinput_table.c, written by gen_badinput.py).
 *
 * Every call is bracketed by bi_begin() and bi_end_*(). Between them the
 * argument helpers hand out valid arguments (shared handles, fresh FAM
 * objects, zeroed buffers, out-pointer slots) and bad ones (handles whose fd
 * was closed). bi_end_*() checks the result against the expectation, closes
 * whatever the call may have returned, frees the fresh objects, and checks
 * that the number of open fds is back where it was.
 *
 * Functions are resolved with dlsym() so that a function declared in the
 * headers but not exported by libckvm.so is reported as a test failure
 * instead of breaking the build.
 */
#ifndef CKVM_BADINPUT_RT_H
#define CKVM_BADINPUT_RT_H

#include "t.h"

#include <limits.h>
#include <stdint.h>

enum bi_expect {
	BI_EXPECT_FAIL, /* a negative errno / NULL / 0 */
	BI_EXPECT_ANY,  /* anything, but a negative int must be an errno */
	BI_EXPECT_OK,   /* success (>= 0 / non-NULL) */
};

enum bi_obj {
	BI_O_KVM, BI_O_VM, BI_O_VCPU, BI_O_DEV, BI_O_STATS, BI_O_SNAPCTX,
	BI_O_WRITER, BI_O_X86VCPUST, BI_O_X86VMST,
	BI_O_CPUID, BI_O_MSRS, BI_O_MSRLIST, BI_O_REGLIST, BI_O_ROUTING, BI_O_XSAVE,
	BI_O_FAMGEN, BI_O_BLOB,
	BI_O_COUNT
};

#define BI_LEN 4096      /* valid value of a byte/word length parameter */
#define BI_BUFS 8
#define BI_BUF_SIZE (64 * 1024)
#define BI_MAX_RES 16

struct bi_res {
	int code;       /* enum bi_obj, or -1 for an fd */
	void *p;
	int fd;
	unsigned long ino;
};

struct bi_call {
	const char *fn, *param, *cls;
	enum bi_expect expect;
	int returns_fd;
	int nfds_before;
	int nbuf;
	int consumed;   /* the call freed the closed handle (a close function) */
	int closed_idx; /* res[] index of the closed handle, or -1 */
	/* fresh objects to free, closed handles, fds to close */
	struct bi_res res[BI_MAX_RES];
	int nres;
	/* out-pointer slots */
	void *out[BI_MAX_RES];
	int out_code[BI_MAX_RES];
	int nout;
};

void *bi_sym(const char *name);
void bi_setup(void);
void bi_teardown(void);
void bi_begin(struct bi_call *c, const char *fn, const char *param, const char *cls,
	      enum bi_expect expect, int returns_fd);
void bi_end_int(struct bi_call *c, long long r);
void bi_end_ptr(struct bi_call *c, const void *r);
void bi_end_uint(struct bi_call *c, unsigned long long r);
void bi_end_void(struct bi_call *c);
void bi_finish(const char *fn);
void bi_summary(int nfuncs, int nfail, int nany, int nok, int nskip);

void *bi_obj(struct bi_call *c, enum bi_obj code);
void *bi_out(struct bi_call *c, enum bi_obj code);
void *bi_closed(struct bi_call *c, enum bi_obj code);
void *bi_buf(struct bi_call *c);
const struct ckvm_fam_type *bi_famtype(struct bi_call *c);
int bi_fd(struct bi_call *c);
int bi_efd(struct bi_call *c);
const char *bi_long_string(void);

#endif
