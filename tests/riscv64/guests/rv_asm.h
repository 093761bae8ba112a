/* SPDX-License-Identifier: MIT */
/* rv_asm.h - macros for the riscv64 test guests (see ../rv.h). */
#ifndef CKVM_TEST_RV_ASM_H
#define CKVM_TEST_RV_ASM_H

#define RV_GUEST_BEGIN(name) \
	.pushsection .data; .balign 16; .option push; .option norvc; \
	.global name##_start; name##_start:
#define RV_GUEST_END(name) \
	.global name##_end; name##_end: .option pop; .popsection

/* SBI SRST (EID "SRST") SYSTEM_RESET(shutdown, no reason): KVM exits with SYSTEM_EVENT SHUTDOWN. */
#define RV_SHUTDOWN \
	li a7, 0x53525354; li a6, 0; li a0, 0; li a1, 0; ecall; 1: j 1b

#endif
