/* SPDX-License-Identifier: MIT */
/*
 * onereg_fake.h - a fake /dev/kvm for unit tests of the arm64 and riscv64
 * snapshot paths (src/snapshot_onereg.c and src/<arch>/snapshot.c), which
 * otherwise run only on a host of that architecture. onereg_fake.c
 * defines ioctl(), which takes the place of libc's for libckvm too (shared
 * or static): a program compiled with it gets answers for the fds the fake
 * hands out and the real system call for every other fd (a closed fake fd
 * number stays the fake's). The fake keeps vCPU registers (ONE_REG),
 * MP state, vCPU events (arm64) and device attributes (vGIC / AIA), and
 * counts and records the writes, so a test checks effects. No /dev/kvm.
 */
#ifndef CKVM_TEST_ONEREG_FAKE_H
#define CKVM_TEST_ONEREG_FAKE_H

#include "t.h"

#include <stdbool.h>

#define FAKE_MAX_REGS 16
#define FAKE_MAX_ATTRS 4096

struct fake_vcpu {
	uint64_t ids[FAKE_MAX_REGS];     /* KVM_GET_REG_LIST, in this order */
	uint8_t val[FAKE_MAX_REGS][256];
	unsigned n;
	struct kvm_mp_state mp;
#if defined(__aarch64__)
	struct kvm_vcpu_events ev;
	unsigned event_sets;
#endif
	uint64_t fail_get_id;            /* KVM_GET_ONE_REG of this id fails... */
	int fail_get_err;                /* ...with this errno */
	unsigned sets, mp_sets;          /* KVM_SET_ONE_REG / KVM_SET_MP_STATE calls */
	uint64_t set_ids[64];            /* the ids written, in order */
};

struct fake_dev {
	uint32_t type;
	uint32_t nr_irqs;                /* vGIC NR_IRQS */
	uint32_t config[7];              /* AIA CONFIG attributes */
	uint64_t addr_salt;              /* added to every address the device reports */
	int enodev;                      /* KVM_HAS_DEVICE_ATTR may answer ENODEV */
	int has_fail_err;                /* answer every KVM_HAS_DEVICE_ATTR with this */
	unsigned n;                      /* attributes written so far */
	uint32_t group[FAKE_MAX_ATTRS];
	uint64_t attr[FAKE_MAX_ATTRS];
	uint64_t value[FAKE_MAX_ATTRS];
	unsigned sets;                   /* KVM_SET_DEVICE_ATTR calls */
};

/* The system handle on the fake (create the VMs with ckvm_create_vm). */
struct ckvm *fake_kvm(void);
/* KVM_CHECK_EXTENSION(KVM_CAP_VCPU_EVENTS) on a VM answers this (default 1). */
void fake_set_events_cap(int on);
/* The state the next KVM_CREATE_VCPU gets (zeroed): fill it before creating the vCPU. */
struct fake_vcpu *fake_next_vcpu(void);
/* The state the next KVM_CREATE_DEVICE gets (zeroed but for its type). */
struct fake_dev *fake_next_dev(void);
/* The fake behind a handle made while the fake answered. */
struct fake_vcpu *fake_vcpu_of(struct ckvm_vcpu *vcpu);
struct fake_dev *fake_dev_of(struct ckvm_device *dev);
/* Whether KVM_HAS_DEVICE_ATTR says (group, attr) exists; the errno when not (fixed per pair). */
int fake_has_attr_err(const struct fake_dev *d, uint32_t group, uint64_t attr);
/* The value a device attribute reads (written value, else a fixed function of the pair). */
uint64_t fake_attr_value(const struct fake_dev *d, uint32_t group, uint64_t attr);
/* A register's value on a fake vCPU (NULL when the id is not listed). */
const uint8_t *fake_reg(const struct fake_vcpu *c, uint64_t id);
/* List the n ids on c with values that are a function of seed, leaving out ids[drop] (-1: none). */
void fake_fill_regs(struct fake_vcpu *c, const uint64_t *ids, unsigned n, unsigned seed, int drop);

/* ---- a VM on the fake: one vCPU, an irqchip, a snapshot context, blobs ---- */
struct fake_vm {
	struct ckvm *kvm;
	bool own_kvm;                    /* fake_vm_close closes kvm too */
	struct ckvm_vm *vm;
	struct ckvm_vcpu *vcpu;          /* made by the test (fake_next_vcpu first) */
	struct ckvm_device *chip;        /* made and registered by the test */
	struct ckvm_snapshot_ctx *ctx;
	void *cblob, *vblob;             /* fake_vm_save */
	size_t clen, vlen;
};
/* A VM and its snapshot context on kvm (NULL: a new fake system handle, owned). */
void fake_vm_create(struct fake_vm *f, struct ckvm *kvm);
/* Save f's vCPU and VM blobs; saving writes nothing to the vCPU or the chip. */
void fake_vm_save(struct fake_vm *f);
/* Restore s's VM blob, then its vCPU blob, into t: both must succeed. */
void fake_vm_restore(struct fake_vm *t, const struct fake_vm *s);
/* Free the blobs, the context and every handle of f. */
void fake_vm_close(struct fake_vm *f);
/*
 * Restoring s's vCPU blob (or VM blob when vm_blob) into t must fail with
 * -err and write nothing to t's vCPU and chip.
 */
void fake_check_refused(struct fake_vm *t, const struct fake_vm *s, bool vm_blob, int err);

/* ---- checks of saved blobs and restored fakes ---- */
/* The ONE_REGS record of a vCPU blob holds every id of c but left_out (0: none), in order, with its value. */
void fake_check_one_regs(const void *blob, size_t len, const struct fake_vcpu *c, uint64_t left_out);
/*
 * The attribute-list record (attrs_type) of a VM blob holds only registers
 * KVM_HAS_DEVICE_ATTR knows on d, each with d's value, 8 bytes wide in
 * group8 and 4 in the others. Returns the number of entries.
 */
uint64_t fake_check_attrs(const void *blob, size_t len, uint16_t attrs_type, const struct fake_dev *d,
			  uint32_t group8);
/* dst had every register of src but left_out written once, in src's order, with src's value. */
void fake_check_regs_restored(const struct fake_vcpu *src, const struct fake_vcpu *dst,
			      uint64_t left_out);
/* ddst had the blob's attribute list written, in its order, with dsrc's values. */
void fake_check_attrs_restored(const void *blob, size_t len, uint16_t attrs_type,
			       const struct fake_dev *dsrc, const struct fake_dev *ddst);

#endif
