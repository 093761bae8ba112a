/* SPDX-License-Identifier: MIT */
/*
 * fuzz_exit_decode - libFuzzer target for ckvm_exit_decode() over arbitrary
 * struct kvm_run contents.
 *
 * Input layout:
 *   byte 0      selects run_errno (0, EINTR, EFAULT, EHWPOISON or another)
 *   bytes 1..2  select run_size (little endian; see run_size_from())
 *   bytes 3..   the bytes of the run buffer (zero-padded, or cut, to run_size)
 *
 * The buffer is allocated with exactly run_size bytes, so AddressSanitizer
 * reports any read past what the caller declared. On top of memory safety
 * the target checks the decoder's contract (exit.h):
 *   - it returns 0 or -EINVAL, and -EINVAL for run_size < sizeof(kvm_run)
 *     and for an errno other than 0, EINTR, EFAULT and EHWPOISON;
 *   - it never writes to the run buffer (a pure function);
 *   - EINTR gives CKVM_EXIT_INTERRUPTED;
 *   - the kind is in range and has a name;
 *   - every data pointer of the decoded exit lies inside the buffer with all
 *     of the bytes it announces (each byte is read and written back so ASan
 *     checks it too), and counts are clamped to their arrays.
 */
#include <ckvm.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef EHWPOISON
#define EHWPOISON 133
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RUN_MAX 12288u

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_exit_decode: check failed: %s (line %d)\n", #cond, __LINE__); \
		abort(); \
	} \
} while (0)

static size_t run_size_from(unsigned sel)
{
	if (sel & 0x8000)           /* anything up to RUN_MAX, often too small */
		return (sel & 0x7fff) % (RUN_MAX + 1);
	return sizeof(struct kvm_run) + sel % (RUN_MAX - sizeof(struct kvm_run) + 1);
}

static int errno_from(uint8_t sel)
{
	switch (sel % 8) {
	case 0: case 1: case 2: case 3: return 0;
	case 4: return EINTR;
	case 5: return EFAULT;
	case 6: return EHWPOISON;
	default: return sel / 8; /* 0..31: mostly "another errno" */
	}
}

/* [p, p+len) must lie inside [base, base+size); touch every byte. */
static void check_span(const uint8_t *base, size_t size, const void *p, size_t len)
{
	const uint8_t *q = p;
	volatile uint8_t *v;

	CHECK(q != NULL);
	CHECK(q >= base);
	CHECK((size_t)(q - base) <= size);
	CHECK(len <= size - (size_t)(q - base));
	v = (volatile uint8_t *)q;
	for (size_t i = 0; i < len; i++)
		v[i] = v[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ckvm_exit exit;
	uint8_t *buf, *copy;
	size_t run_size, n;
	int run_errno, r;

	if (size < 3)
		return 0;
	run_errno = errno_from(data[0]);
	run_size = run_size_from((unsigned)data[1] | (unsigned)data[2] << 8);
	data += 3;
	size -= 3;

	buf = malloc(run_size ? run_size : 1);
	copy = malloc(run_size ? run_size : 1);
	if (!buf || !copy)
		abort();
	n = size < run_size ? size : run_size;
	memset(buf, 0, run_size);
	memcpy(buf, data, n);
	memcpy(copy, buf, run_size);
	memset(&exit, 0xa5, sizeof(exit));

	r = ckvm_exit_decode((struct kvm_run *)(void *)buf, run_size, run_errno, &exit);

	CHECK(r == 0 || r == -EINVAL);
	CHECK(memcmp(buf, copy, run_size) == 0);
	if (run_size < sizeof(struct kvm_run))
		CHECK(r == -EINVAL);
	if (run_errno != 0 && run_errno != EINTR && run_errno != EFAULT && run_errno != EHWPOISON)
		CHECK(r == -EINVAL);
	if (r == 0) {
		struct kvm_run *run = (struct kvm_run *)(void *)buf;

		CHECK(exit.run == run);
		CHECK((unsigned)exit.kind < CKVM_EXIT_KIND_COUNT);
		CHECK(ckvm_exit_kind_name(exit.kind) != NULL);
		if (run_errno == EINTR)
			CHECK(exit.kind == CKVM_EXIT_INTERRUPTED);
		else
			CHECK(exit.reason == run->exit_reason);
		if (run_errno == EFAULT || run_errno == EHWPOISON)
			CHECK(exit.kind == CKVM_EXIT_MEMORY_FAULT);

		switch (exit.kind) {
		case CKVM_EXIT_IO_IN:
		case CKVM_EXIT_IO_OUT:
			CHECK(exit.io.size == 1 || exit.io.size == 2 || exit.io.size == 4);
			CHECK(exit.io.len == (size_t)exit.io.size * exit.io.count);
			CHECK(exit.io.direction == (exit.kind == CKVM_EXIT_IO_IN ?
						    KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT));
			check_span(buf, run_size, exit.io.data, exit.io.len);
			break;
		case CKVM_EXIT_MMIO_READ:
		case CKVM_EXIT_MMIO_WRITE:
			CHECK(exit.mmio.len >= 1 && exit.mmio.len <= 8);
			CHECK(exit.mmio.is_write == (exit.kind == CKVM_EXIT_MMIO_WRITE));
			check_span(buf, run_size, exit.mmio.data, exit.mmio.len);
			break;
		case CKVM_EXIT_HYPERCALL:
			check_span(buf, run_size, exit.hypercall.args, 6 * sizeof(uint64_t));
			check_span(buf, run_size, exit.hypercall.ret, sizeof(uint64_t));
			break;
		case CKVM_EXIT_DEBUG:
			check_span(buf, run_size, exit.debug.arch, sizeof(struct kvm_debug_exit_arch));
			break;
		case CKVM_EXIT_INTERNAL_ERROR:
			CHECK(exit.internal.ndata <= 16);
			if (exit.internal.ndata)
				check_span(buf, run_size, exit.internal.data,
					   exit.internal.ndata * sizeof(uint64_t));
			break;
		case CKVM_EXIT_SYSTEM_EVENT:
			CHECK(exit.system_event.ndata <= 16);
			if (exit.system_event.ndata)
				check_span(buf, run_size, exit.system_event.data,
					   exit.system_event.ndata * sizeof(uint64_t));
			break;
		case CKVM_EXIT_X86_RDMSR:
		case CKVM_EXIT_X86_WRMSR:
			check_span(buf, run_size, exit.msr.error, 1);
			check_span(buf, run_size, exit.msr.data, sizeof(uint64_t));
			break;
		case CKVM_EXIT_HYPERV:
			check_span(buf, run_size, exit.hyperv, 1);
			break;
		case CKVM_EXIT_XEN:
			check_span(buf, run_size, exit.xen, 1);
			break;
		case CKVM_EXIT_RISCV_SBI:
			check_span(buf, run_size, exit.riscv_sbi.args, 6 * sizeof(unsigned long));
			check_span(buf, run_size, exit.riscv_sbi.ret, 2 * sizeof(unsigned long));
			break;
		case CKVM_EXIT_RISCV_CSR:
			check_span(buf, run_size, exit.riscv_csr.ret_value, sizeof(unsigned long));
			break;
		default:
			break;
		}
	}
	free(copy);
	free(buf);
	return 0;
}
