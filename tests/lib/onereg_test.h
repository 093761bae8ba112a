/* SPDX-License-Identifier: MIT */
/*
 * onereg_test.h - test helpers shared by the architectures whose vCPU
 * state is ONE_REG registers (tests/arm64, tests/riscv64): the plumbing of
 * their tiny-guest harnesses (a64.c, rv.c), KVM-generic checks both run on
 * their guests, synthetic snapshot blobs and synthetic kvm_run exits.
 * Built into the test library for aarch64 and riscv64 only
 * (tests/lib/meson.build). Every helper fails the current cmocka test on
 * any error; none of them skips.
 */
#ifndef CKVM_TEST_ONEREG_TEST_H
#define CKVM_TEST_ONEREG_TEST_H

#include "t.h"

#include <stdbool.h>

/* ---- tiny-guest plumbing (a64.c, rv.c) ---------------------------------- */
/* Open /dev/kvm (skip without it) into *kvm, arm a 30 s watchdog, create a VM. */
struct ckvm_vm *t_guest_vm(struct ckvm **kvm);
/*
 * Anonymous RAM of size bytes rounded up to the host page size, registered
 * as slot 0 at gpa with slot_flags; *mapped gets the rounded size.
 */
uint8_t *t_guest_ram(struct ckvm_vm *vm, uint64_t gpa, uint64_t size, uint32_t slot_flags,
		     size_t *mapped);
/* Host pointer to [gpa, gpa + len) in RAM mem of mem_size bytes at ram_gpa. */
void *t_guest_ram_at(uint8_t *mem, size_t mem_size, uint64_t ram_gpa, uint64_t gpa, size_t len);
/* Close the vCPU, VM and system handles (any may be NULL), unmap RAM, disarm the watchdog. */
void t_guest_close(struct ckvm *kvm, struct ckvm_vm *vm, struct ckvm_vcpu *vcpu, uint8_t *mem,
		   size_t mem_size);
/* A 64-bit register by ONE_REG id. */
void t_set_reg64(struct ckvm_vcpu *vcpu, uint64_t id, uint64_t val);
uint64_t t_get_reg64(struct ckvm_vcpu *vcpu, uint64_t id);
/* Run and require an exit of `kind`; the failure message shows the pc (register pc_id). */
struct ckvm_exit t_run_expect(struct ckvm_vcpu *vcpu, enum ckvm_exit_kind kind, uint64_t pc_id);

/* ---- register names (unit tests) ------------------------------------------ */
/* name(id) must succeed with exactly want, returning its length. */
void t_check_reg_name(int (*name)(uint64_t id, char *buf, size_t len), uint64_t id,
		      const char *want);

/* ---- KVM-generic checks on an architecture's guest (kvm tests) ----------- */
/*
 * Memory slots: slot 1 (one page at free_gpa) is added, an overlap with
 * slot 0 at ram_gpa refused (EEXIST), slot 1 moved 0x10000000 up and
 * deleted; with KVM_CAP_USER_MEMORY2 slot 3 at free_gpa + 0x20000000 is
 * added and deleted through the 2 interface, without it that call fails.
 */
void t_check_memory_slots(struct ckvm_vm *vm, uint64_t ram_gpa, uint64_t free_gpa);
/* The kvm_run mapping has KVM_GET_VCPU_MMAP_SIZE bytes; the VM and vCPU stats fds open. */
void t_check_run_struct_and_stats(struct ckvm *kvm, struct ckvm_vm *vm, struct ckvm_vcpu *vcpu);
/* With immediate_exit set, KVM_RUN gives EINTR / INTERRUPTED and the pc stays code_gpa. */
void t_check_immediate_exit(struct ckvm_vcpu *vcpu, uint64_t pc_id, uint64_t code_gpa);
/* The number of pages set in the dirty log of slot (mem_size bytes); resets it. */
unsigned t_dirty_pages(struct ckvm_vm *vm, uint32_t slot, size_t mem_size);
/* The coalesced MMIO ring holds exactly one 4-byte write of value at gpa. */
void t_check_coalesced_write(struct ckvm_vcpu *vcpu, uint64_t gpa, uint32_t value);
/* An eventfd counted exactly one signal. */
void t_check_eventfd_once(int efd);
/*
 * KVM_GET_REG_LIST through the helper: more than min_n ids, the nmust ids
 * of must among them, each named by name() and read with exactly its size.
 */
void t_check_reg_list(struct ckvm_vcpu *vcpu, int (*name)(uint64_t id, char *buf, size_t len),
		      uint64_t min_n, const uint64_t *must, size_t nmust);
/* The raw ioctl under the helper: a one-entry list gives E2BIG and the count, then fits. */
void t_check_reg_list_e2big(struct ckvm_vcpu *vcpu);
/* MP state: RUNNABLE at creation, STOPPED once set. */
void t_check_mp_state_stop(struct ckvm_vcpu *vcpu);
/* Every register a lists but ignore() ones reads the same on b; a difference names it. */
void t_compare_regs(struct ckvm_vcpu *a, struct ckvm_vcpu *b, bool (*ignore)(uint64_t id),
		    int (*name)(uint64_t id, char *buf, size_t len));

/* ---- synthetic snapshot blobs (unit tests) --------------------------------- */
void t_put32(uint8_t *p, uint32_t v); /* little-endian, like every supported host */
void t_put64(uint8_t *p, uint64_t v);
struct ckvm_snapshot_writer *t_snap_writer(uint32_t arch, uint32_t kind);
/* Finish and free w, then ckvm_snapshot_validate's answer for the blob. */
int t_snap_validate(struct ckvm_snapshot_writer *w);
void t_snap_add_mp(struct ckvm_snapshot_writer *w, uint32_t state);
/* One entry of an ARM64_VGIC_ATTRS / RISCV_AIA_ATTRS payload. */
struct t_snap_attr {
	uint32_t group, size;
	uint64_t attr, value;
};
/* Write the payload of n entries (u64 count, 24 bytes each) to p; its length. */
size_t t_snap_attrs(uint8_t *p, const struct t_snap_attr *e, unsigned n);
/*
 * ckvm_snapshot_validate's answer for a VM blob of the host's architecture
 * holding an irqchip configuration record (cfg_type, cfg_len bytes at cfg;
 * left out when cfg is NULL) and its attribute list (attrs_type, n <= 8
 * entries; left out when n is 0).
 */
int t_snap_validate_vm(uint16_t cfg_type, const void *cfg, size_t cfg_len, uint16_t attrs_type,
		       const struct t_snap_attr *e, unsigned n);

/* ---- synthetic exits (unit tests) ------------------------------------------ */
#define T_RUN_BYTES 4096
/* A kvm_run of T_RUN_BYTES stale bytes with exit_reason set (one static buffer). */
struct kvm_run *t_run_fresh(uint32_t reason);
/* ckvm_exit_decode must succeed with kind want, the raw reason and the run pointer. */
struct ckvm_exit t_exit_decode(struct kvm_run *run, enum ckvm_exit_kind want);
/* Fill run with a system event (type, ndata, data[0]) and decode it: the fields must come through. */
struct ckvm_exit t_system_event(struct kvm_run *run, uint32_t type, uint32_t ndata, uint64_t data0);

#endif
