/* SPDX-License-Identifier: MIT */
/* a64_asm.h - macros for the arm64 test guests (see ../a64.h). */
#ifndef CKVM_TEST_A64_ASM_H
#define CKVM_TEST_A64_ASM_H

/* The guest's bytes live in .data between name_start and name_end. */
#define A64_GUEST_BEGIN(name) \
	.pushsection .data; .balign 16; .global name##_start; name##_start:
#define A64_GUEST_END(name) \
	.global name##_end; name##_end: .popsection

/* w0 = PSCI 0.2 SYSTEM_OFF (0x84000008), then HVC: KVM exits with SYSTEM_EVENT SHUTDOWN. */
#define A64_PSCI_OFF \
	movz w0, #0x0008; movk w0, #0x8400, lsl #16; hvc #0; b .

#endif
