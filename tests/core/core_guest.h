/* SPDX-License-Identifier: MIT */
/*
 * core_guest.h - the core tests' use of the tiny-guest harness: a VM with
 * 1 MiB of RAM at GPA 0 running guests/rw.S (a mailbox command loop) on
 * one 64-bit CPL0 vCPU. See guests/rw.S for the commands.
 */
#ifndef CKVM_CORE_GUEST_H
#define CKVM_CORE_GUEST_H

#include "guest.h"

enum core_op {
	OP_READ32 = 0,
	OP_WRITE8 = 1,
	OP_WRITE16 = 2,
	OP_WRITE32 = 3,
	OP_WRITE64 = 4,
	OP_OUT8 = 5,
	OP_OUT16 = 6,
	OP_OUT32 = 7,
	OP_IN8 = 8,
	OP_RDMSR = 9,
	OP_WRMSR = 10,
	OP_PITRD = 11,
	OP_WAITIRQ = 12,
};

#define CORE_OP_DONE 0xd0e
#define CORE_IRQ_SEEN 0x1e0
/* A second RAM slot that tests create themselves: GPA and slot number. */
#define CORE_SLOT 1
#define CORE_SLOT_GPA 0x10000000ULL

/* t_guest_create_vm + t_guest_add_memory(1 MiB) + load rw.S; no vCPU yet. */
void core_guest_memory(struct t_guest *g);
/* Load the guest and add vCPU 0 in long mode at its entry. */
struct ckvm_vcpu *core_guest_vcpu(struct t_guest *g);
/* Everything at once (VM, memory, vCPU), watchdog armed. */
struct ckvm_vcpu *core_guest(struct t_guest *g);

/* Post a command and run once: returns the ucall kind, *value / *exit filled. */
enum t_ucall core_cmd(struct t_guest *g, struct ckvm_vcpu *v, enum core_op op,
		      uint64_t addr, uint64_t value, struct ckvm_exit *exit, uint64_t *result);
/* Post a command and require a REPORT; returns its value. */
uint64_t core_do(struct t_guest *g, struct ckvm_vcpu *v, enum core_op op, uint64_t addr,
		 uint64_t value);
/* Post a command that must exit with `kind` (MMIO, IO, MSR...) first. */
void core_expect_exit(struct t_guest *g, struct ckvm_vcpu *v, enum core_op op, uint64_t addr,
		      uint64_t value, enum ckvm_exit_kind kind, struct ckvm_exit *exit);

/* mmap'ed anonymous memory (fails the test on error); unmap with core_unmap. */
void *core_map(size_t len);
void core_unmap(void *p, size_t len);
/* Add/delete a plain memory slot. */
int core_slot(struct ckvm_vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa, void *hva,
	      uint64_t size);
/* Nonblocking eventfd; value read (0 if none pending). */
int core_eventfd(void);
uint64_t core_eventfd_read(int efd);

#endif
