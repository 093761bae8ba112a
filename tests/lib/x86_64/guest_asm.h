/* SPDX-License-Identifier: MIT */
/*
 * guest_asm.h - macros for guest code in GNU assembly (.S) files.
 *
 *   #include "x86_64/guest_asm.h"
 *   GUEST_BEGIN(my_guest)
 *       .code64
 *       mov $42, %eax
 *       UCALL_REPORT_EAX
 *       UCALL_DONE
 *   GUEST_END(my_guest)
 *
 * The bytes between my_guest_start and my_guest_end live in .data of the
 * test binary; t_guest_load_code(g, my_guest) copies them to T_CODE_GPA.
 * G(label) is the guest-physical (= identity-mapped virtual) address of a
 * label of the current guest, usable as an absolute operand; it is valid
 * between a GUEST_BEGIN and the next one. One guest per GUEST_BEGIN/END.
 */
#ifndef CKVM_TEST_GUEST_ASM_H
#define CKVM_TEST_GUEST_ASM_H

#include "x86_64/guest_layout.h"

/* Guest code is data: no executable stack for the test binary. */
.section .note.GNU-stack, "", @progbits

/*
 * The numeric label 7777 marks the start of the current guest (G() refers
 * back to the latest one): numeric labels may be redefined, which a .set
 * symbol may not be with clang's assembler. Guest code must not use 7777.
 */
#define GUEST_BEGIN(name)                           \
	.pushsection .data.guest.name, "aw";        \
	.balign 16;                                 \
	.globl name##_start;                        \
	name##_start:                               \
	7777:

#define GUEST_END(name)                             \
	.globl name##_end;                          \
	name##_end:                                 \
	.popsection

#define G(label) ((label) - 7777b + T_CODE_GPA)

/* Port-I/O ucalls; clobber %edx (and %eax for the immediates). Any mode. */
#define UCALL_REPORT_EAX  mov $T_PORT_REPORT, %dx; out %eax, %dx
#define UCALL_REPORT(v)   mov $(v), %eax; UCALL_REPORT_EAX
#define UCALL_DONE        mov $T_PORT_DONE, %dx; xor %eax, %eax; out %eax, %dx
#define UCALL_FAIL(code)  mov $T_PORT_FAIL, %dx; mov $(code), %eax; out %eax, %dx
#define UCALL_INPUT_EAX   mov $T_PORT_INPUT, %dx; in %dx, %eax

/* MMIO ucalls for 64-bit code at any CPL (the only way from CPL3). Use %rax. */
#define UCALL_M_REPORT_RAX movabs %rax, T_UCALL_MMIO_REPORT
#define UCALL_M_REPORT(v)  mov $(v), %rax; UCALL_M_REPORT_RAX
#define UCALL_M_DONE       xor %eax, %eax; movabs %rax, T_UCALL_MMIO_DONE
#define UCALL_M_FAIL(code) mov $(code), %rax; movabs %rax, T_UCALL_MMIO_FAIL
#define UCALL_M_INPUT_RAX  movabs T_UCALL_MMIO_INPUT, %rax

/*
 * 64-bit CPL0 -> CPL3 at label with RSP = stack, asking for IOPL=3 (PVM
 * ignores that: use the UCALL_M_* macros in user code). Clobbers %rax.
 */
#define GUEST_TO_USER(label, stack)                 \
	pushq $T_SEL_UDATA;                         \
	pushq $(stack);                             \
	pushq $T_RFLAGS_IOPL3;                      \
	pushq $T_SEL_UCODE64;                       \
	lea label(%rip), %rax;                      \
	pushq %rax;                                 \
	iretq

#endif
