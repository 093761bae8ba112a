/* SPDX-License-Identifier: MIT */
/*
 * Guests for the riscv64 kvm tests. They run in S-mode with paging off; s8
 * is the RAM data address and s9 the MMIO window (set by rv_guest_load).
 */
#include "rv_asm.h"

/*
 * run_code (kvm-ioctls' riscv64 test_run_code scenario): dirty one RAM
 * page, read 32 bits of MMIO, compare with 0x0506, write 0x0607 (or 0 on
 * mismatch) back to MMIO, then shut down through SBI SRST.
 */
RV_GUEST_BEGIN(rv_run_code)
	li	t0, 0x55
	sw	t0, 0(s8)
	lw	t1, 0(s9)
	li	t2, 0x506
	bne	t1, t2, 1f
	li	t3, 0x607
	sw	t3, 0(s9)
	j	2f
1:	sw	zero, 0(s9)
2:	RV_SHUTDOWN
RV_GUEST_END(rv_run_code)

/*
 * sbi: an experimental-range SBI call (EID 0x08000000, FID 3, a0 = 41)
 * that KVM forwards to userspace; store the returned a0 (error) and a1
 * (value) to MMIO; then a legacy console putchar ('K') and its a0; then
 * shut down.
 */
RV_GUEST_BEGIN(rv_sbi)
	li	a7, 0x08000000
	li	a6, 3
	li	a0, 41
	li	a1, 0
	ecall
	sd	a0, 0(s9)
	sd	a1, 0(s9)
	li	a7, 1
	li	a0, 0x4b
	ecall
	sd	a0, 0(s9)
	RV_SHUTDOWN
RV_GUEST_END(rv_sbi)

/* csr: a read-write of the Zkr seed CSR (0x015), which KVM hands to userspace; store the old value. */
RV_GUEST_BEGIN(rv_csr)
	li	t1, 0x1234
	csrrw	t0, 0x015, t1
	sd	t0, 0(s9)
	RV_SHUTDOWN
RV_GUEST_END(rv_csr)

/* count: count in t0 and report through MMIO every 256 iterations (snapshot test). */
RV_GUEST_BEGIN(rv_count)
	li	t0, 0
	li	t2, 0x300
1:	addi	t0, t0, 1
	sd	t0, 0(s8)
	andi	t1, t0, 0xff
	bnez	t1, 1b
	sd	t0, 0(s9)
	bne	t0, t2, 1b
	RV_SHUTDOWN
RV_GUEST_END(rv_count)
