/* SPDX-License-Identifier: MIT */
/*
 * Guests for the arm64 kvm tests. They run at EL1 with the MMU off; x8 is
 * the RAM data address and x9 the MMIO window (set by a64_guest_load).
 */
#include "a64_asm.h"

/*
 * run_code (kvm-ioctls' aarch64 test_run_code scenario): dirty one RAM
 * page, read 32 bits of MMIO, compare with 0x0506, write 0x0304 (or 0 on
 * mismatch) back to MMIO, then PSCI SYSTEM_OFF.
 */
A64_GUEST_BEGIN(a64_run_code)
	mov	w1, #0x55
	str	w1, [x8]
	ldr	w2, [x9]
	mov	w3, #0x506
	cmp	w2, w3
	b.ne	1f
	mov	w4, #0x304
	str	w4, [x9]
	b	2f
1:	str	wzr, [x9]
2:	A64_PSCI_OFF
A64_GUEST_END(a64_run_code)

/*
 * smccc: an HVC to OEM fast call 0xc3000001 with x1..x6 = 0x11..0x66, which
 * the SMCCC filter forwards to userspace; then store the four result
 * registers x0..x3 to MMIO (64-bit) and PSCI SYSTEM_OFF.
 */
A64_GUEST_BEGIN(a64_smccc)
	movz	w0, #0x0001
	movk	w0, #0xc300, lsl #16
	mov	x1, #0x11
	mov	x2, #0x22
	mov	x3, #0x33
	mov	x4, #0x44
	mov	x5, #0x55
	mov	x6, #0x66
	hvc	#0
	str	x0, [x9]
	str	x1, [x9]
	str	x2, [x9]
	str	x3, [x9]
	A64_PSCI_OFF
A64_GUEST_END(a64_smccc)

/* debug: a hardware breakpoint is placed on a64_debug_bp. */
A64_GUEST_BEGIN(a64_debug)
	mov	x1, #1
	.global a64_debug_bp
a64_debug_bp:
	add	x1, x1, #1
	str	x1, [x9]
	A64_PSCI_OFF
A64_GUEST_END(a64_debug)

/* loop: count in x1 and report through MMIO each 2^16 iterations (snapshot test). */
A64_GUEST_BEGIN(a64_count)
	mov	x1, #0
1:	add	x1, x1, #1
	str	x1, [x8]
	tst	x1, #0xff
	b.ne	1b
	str	x1, [x9]
	cmp	x1, #0x300
	b.ne	1b
	A64_PSCI_OFF
A64_GUEST_END(a64_count)

/* nisv: a load pair from MMIO has no instruction syndrome (ISV = 0). */
A64_GUEST_BEGIN(a64_nisv)
	ldp	x1, x2, [x9]
	A64_PSCI_OFF
A64_GUEST_END(a64_nisv)

/* suspend: PSCI SYSTEM_SUSPEND (64-bit, 0xc400000e) with entry point 1f and context 0x77. */
A64_GUEST_BEGIN(a64_suspend)
	movz	w0, #0x000e
	movk	w0, #0xc400, lsl #16
	adr	x1, 1f
	mov	x2, #0x77
	hvc	#0
1:	A64_PSCI_OFF
A64_GUEST_END(a64_suspend)
