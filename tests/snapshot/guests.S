/* SPDX-License-Identifier: MIT */
/*
 * Guests of the snapshot tests (see tests/lib/guest.h for the harness).
 * CPL0 parts are a few instructions (PVM emulates CPL0 ~1000x slower);
 * the computation runs at CPL3.
 */
#include "x86_64/guest_asm.h"

/*
 * snap_fixture_guest (long mode): at CPL0 set MSR_KERNEL_GS_BASE (wrmsr is
 * emulated; PVM cannot emulate SSE at CPL0), then at CPL3 put recognisable
 * values in RBX, R15 and XMM1 and stop at an MMIO report of 1 (the save
 * point, with the MMIO write pending). Resumed, it reports RBX and XMM1
 * (low 32 bits) so the host can check they survived a save/restore.
 * DO NOT CHANGE this guest: the committed fixture
 * tests/data/snapshot-v1.0-x86_64-vcpu.bin was saved at its save point and
 * test_kvm.c resumes it on this code.
 */
GUEST_BEGIN(snap_fixture_guest)
	.code64
	mov $0xc0000102, %ecx
	movabs $0xfffffacecafe0000, %rax
	mov %rax, %rdx
	shr $32, %rdx
	wrmsr
	GUEST_TO_USER(snap_fixture_user, T_USER_STACK)
snap_fixture_user:
	movabs $0x1111222233334444, %rbx
	movabs $0x0f0f0f0f0f0f0f0f, %r15
	movabs $0x5555555555555555, %rax
	movq %rax, %xmm1
	punpcklqdq %xmm1, %xmm1
	UCALL_M_REPORT(1)
	mov %ebx, %eax
	UCALL_M_REPORT_RAX
	movq %xmm1, %rax
	mov %eax, %eax
	UCALL_M_REPORT_RAX
	UCALL_M_DONE
1:
	jmp 1b
GUEST_END(snap_fixture_guest)

/*
 * snap_compute_guest: a long computation at CPL3 whose state lives in
 * general registers, SSE registers, (with r12 != 0) AVX2 YMM registers and
 * a 64 KiB array in guest memory. Inputs from the host: rdi = iterations,
 * rsi = checkpoint iteration (an MMIO report of the iteration number, ~0 for
 * none), r12 = 1 to use AVX2. At the end it reports a fold of all of it
 * and DONE.
 */
#define ARRAY_QWORDS 8192
GUEST_BEGIN(snap_compute_guest)
	.code64
	GUEST_TO_USER(snap_compute_user, T_USER_STACK)
snap_compute_user:
	movabs $0x9e3779b97f4a7c15, %rbx
	xor %r8, %r8
	xor %ecx, %ecx
	mov $T_DATA_GPA, %r9
	movabs $0x0123456789abcdef, %rax
	movq %rax, %xmm0
	movabs $0x1000000000000001, %rax
	movq %rax, %xmm1
	punpcklqdq %xmm1, %xmm1
	test %r12, %r12
	jz 1f
	vinserti128 $1, %xmm1, %ymm0, %ymm3
	vinserti128 $1, %xmm0, %ymm1, %ymm4
1:
	/* h = h * K + i; acc ^= rol(h, 13) */
	movabs $6364136223846793005, %rax
	imul %rax, %rbx
	add %rcx, %rbx
	mov %rbx, %rax
	rol $13, %rax
	xor %rax, %r8
	/* mem[(h >> 40) % ARRAY_QWORDS] += h */
	mov %rbx, %rdx
	shr $40, %rdx
	and $(ARRAY_QWORDS - 1), %rdx
	add %rbx, (%r9,%rdx,8)
	test %r12, %r12
	jnz 7f
	/* SSE state */
	movq %rbx, %xmm2
	paddq %xmm1, %xmm0
	pxor %xmm2, %xmm1
	pshufd $0x4e, %xmm0, %xmm0
	jmp 2f
7:
	/* the same with VEX encodings (no SSE/AVX transitions), plus YMM state */
	vmovq %rbx, %xmm2
	vpaddq %xmm1, %xmm0, %xmm0
	vpxor %xmm2, %xmm1, %xmm1
	vpshufd $0x4e, %xmm0, %xmm0
	vpaddq %ymm4, %ymm3, %ymm3
	vpermq $0x39, %ymm3, %ymm3
	vpxor %ymm3, %ymm4, %ymm4
	vpaddq %ymm2, %ymm4, %ymm4
2:
	cmp %rsi, %rcx
	jne 3f
	mov %rcx, %rax
	UCALL_M_REPORT_RAX
3:
	inc %rcx
	cmp %rdi, %rcx
	jne 1b

	/* fold registers */
	mov %rbx, %rax
	xor %r8, %rax
	movq %xmm0, %rdx
	xor %rdx, %rax
	pshufd $0x4e, %xmm0, %xmm5
	movq %xmm5, %rdx
	rol $7, %rax
	xor %rdx, %rax
	movq %xmm1, %rdx
	rol $7, %rax
	xor %rdx, %rax
	test %r12, %r12
	jz 4f
	vextracti128 $1, %ymm3, %xmm5
	movq %xmm5, %rdx
	rol $7, %rax
	xor %rdx, %rax
	vextracti128 $1, %ymm4, %xmm5
	pshufd $0x4e, %xmm5, %xmm5
	movq %xmm5, %rdx
	rol $7, %rax
	xor %rdx, %rax
	vzeroupper
4:
	/* fold memory */
	xor %ecx, %ecx
5:
	rol $5, %rax
	add (%r9,%rcx,8), %rax
	inc %ecx
	cmp $ARRAY_QWORDS, %ecx
	jne 5b
	UCALL_M_REPORT_RAX
	UCALL_M_DONE
6:
	jmp 6b
GUEST_END(snap_compute_guest)

/*
 * snap_dirty_guest (CPL3): write one qword into every rsi-th page of
 * [rdi, rdi + rdx) then report the number of pages written and loop
 * (so the host can run it again for a second round with r8 as value).
 */
GUEST_BEGIN(snap_dirty_guest)
	.code64
	GUEST_TO_USER(snap_dirty_user, T_USER_STACK)
snap_dirty_user:
	xor %ecx, %ecx
	mov %rdi, %r10
1:
	mov %r8, (%r10)
	inc %rcx
	mov %rsi, %rax
	shl $12, %rax
	add %rax, %r10
	mov %r10, %rax
	sub %rdi, %rax
	cmp %rdx, %rax
	jb 1b
	mov %rcx, %rax
	UCALL_M_REPORT_RAX
	inc %r8
	jmp snap_dirty_user
GUEST_END(snap_dirty_guest)

/*
 * snap_split_guest (64-bit CPL0): an 8-byte MMIO write, then an 8-byte MMIO
 * read, each across a page boundary, which KVM splits into two exits of 4
 * bytes; then report RAX (the value read) and finish. Saving the vCPU at the
 * first half completes it, which produces the second half: save returns
 * -EAGAIN until the VMM has handled that exit.
 */
GUEST_BEGIN(snap_split_guest)
	.code64
	movabs $0x1122334455667788, %rax
	movabs %rax, 0xd0000ffc
	.globl snap_split_read
snap_split_read:
	movabs 0xd0001ffc, %rax
	.globl snap_split_after
snap_split_after:
	UCALL_M_REPORT_RAX
	UCALL_M_DONE
GUEST_END(snap_split_guest)
