/* SPDX-License-Identifier: MIT */
/*
 * snapshot_internal.h - the snapshot container internals shared by
 * src/snapshot.c (architecture-neutral: container, checksum, writer,
 * parser, region table, ONE_REG list, memory helpers) and the per-arch
 * record sets in src/<arch>/snapshot.c.
 *
 * ===================== The arch hook interface ============================
 * An architecture supports snapshots by providing src/<arch>/snapshot.c with
 * the seven ckvm__snap_arch_* functions below and adding its compiler macro
 * to the CKVM__SNAP_HAVE_ARCH test. Without them, src/snapshot.c supplies
 * stubs that return -EOPNOTSUPP, so every architecture links.
 *
 * The contract each hook must keep:
 *  - ctx_init/ctx_fini: cache what save/restore need (capabilities, sizes,
 *    register lists) in ctx->arch. kvm may be NULL (restore-only context).
 *    ctx is read-only afterwards: hooks may run concurrently on different
 *    vCPUs.
 *  - save_vcpu/save_vm: append the arch's records to w (kind and id are
 *    already set). Record types are the arch's range of
 *    enum ckvm_snapshot_record_type plus the common MP_STATE/ONE_REGS; the
 *    layouts are documented in docs/snapshot-format.md.
 *  - validate: given a blob whose container, arch and kind were already
 *    checked (info filled by ckvm_snapshot_parse), check every record the
 *    arch knows (sizes, counts, ranges, duplicates) without side effects.
 *    Records of unknown type are skipped unless they carry
 *    CKVM_SNAPSHOT_REC_REQUIRED and are not common (ckvm__snap_common_type),
 *    which gives -EPROTONOSUPPORT.
 *  - restore_vcpu/restore_vm: VALIDATE EVERYTHING FIRST (at least what
 *    validate checks, plus the fit with the target), then apply in the
 *    order the kernel needs, documented in the arch file. No ioctl that
 *    changes state may precede the end of validation. The common code has
 *    already checked the container, arch and kind.
 * Records shorter than the struct the reader knows are zero-padded and
 * longer ones truncated (ckvm_snapshot_record_copy), as kvm-bindings does.
 *
 * Helpers for arm64/riscv64 (generic ONE_REG loop, c-anchors 8.8):
 * ckvm__snap_one_regs_{save,check,apply} over the ONE_REGS record, and
 * on top of them the ONE_REG-state module (snapshot_onereg.c, declared at
 * the end of this file): the vCPU save/decode/fit/apply steps and the
 * irqchip attribute-list record both architectures share.
 */
#ifndef CKVM_SNAPSHOT_INTERNAL_H
#define CKVM_SNAPSHOT_INTERNAL_H

#include "internal.h"

#if defined(__x86_64__) || defined(__aarch64__) || (defined(__riscv) && __riscv_xlen == 64)
#define CKVM__SNAP_HAVE_ARCH 1
#endif

/* Header field offsets (little-endian), see docs/snapshot-format.md. */
#define CKVM__SNAP_OFF_MAGIC 0
#define CKVM__SNAP_OFF_MAJOR 8
#define CKVM__SNAP_OFF_MINOR 10
#define CKVM__SNAP_OFF_HDRSIZE 12
#define CKVM__SNAP_OFF_ARCH 16
#define CKVM__SNAP_OFF_KIND 20
#define CKVM__SNAP_OFF_FLAGS 24
#define CKVM__SNAP_OFF_NRECORDS 28
#define CKVM__SNAP_OFF_SIZE 32
#define CKVM__SNAP_OFF_CRC 40
#define CKVM__SNAP_OFF_ID 48
#define CKVM__SNAP_REC_HDR 8u

/* The most memory regions a table may hold (KVM's slot limit per AS is lower). */
#define CKVM__SNAP_MAX_REGIONS 32768u
/* Size of one region-table entry written by this version. */
#define CKVM__SNAP_REGION_ENTRY 32u
/* Largest register a ONE_REGS entry may hold (KVM_REG_SIZE_U2048). */
#define CKVM__SNAP_MAX_ONE_REG 256u
#define CKVM__SNAP_MAX_ONE_REGS 65536u

struct ckvm_snapshot_ctx {
	struct ckvm_vm *vm;
	size_t page_size;
	void *arch;            /* owned by the arch hooks */
};

struct ckvm_snapshot_writer {
	uint8_t *buf;
	size_t len;            /* bytes used, header included */
	size_t cap;
	uint32_t arch;
	uint32_t kind;
	uint32_t flags;
	uint32_t nrecords;
	uint64_t id;
	int error;             /* sticky -errno */
};

/*
 * Append a record header and len zeroed payload bytes; return the payload
 * (valid until the next append) or NULL with the error recorded in w.
 */
void *ckvm__snap_reserve(struct ckvm_snapshot_writer *w, uint16_t type, uint16_t flags,
			 size_t len);
/* Record types that are handled by the common code or are common to arches. */
bool ckvm__snap_common_type(uint16_t type);
/* 0, or -EPROTONOSUPPORT for an unknown record that is REQUIRED. */
int ckvm__snap_skip_unknown(const struct ckvm_snapshot_record *rec);

/*
 * Region table (CKVM_SNAPSHOT_REC_MEM_REGIONS): check regions[0..n) for
 * alignment to page_size, overflow, overlapping guest ranges per address
 * space, overlapping file ranges and duplicate slots. 0 or -EINVAL.
 */
int ckvm__snap_regions_check(const struct ckvm_snapshot_region *r, size_t n,
			     uint64_t page_size);
/* Decode and check a region-table record: count or -EBADMSG; fills up to max. */
int ckvm__snap_regions_decode(const struct ckvm_snapshot_record *rec,
			      struct ckvm_snapshot_region *out, size_t max);

/* ONE_REGS record: u64 count, then {u64 id; value padded to 8 bytes} each. */
int ckvm__snap_one_regs_save(struct ckvm_vcpu *vcpu, const uint64_t *ids, size_t n,
			     struct ckvm_snapshot_writer *w);
/* Check a ONE_REGS payload: number of registers or -EBADMSG. */
int64_t ckvm__snap_one_regs_check(const struct ckvm_snapshot_record *rec);
/* KVM_SET_ONE_REG each register of a checked record, in order. */
int ckvm__snap_one_regs_apply(struct ckvm_vcpu *vcpu, const struct ckvm_snapshot_record *rec);
/* Visit each (id, value, size) of a checked record; stops at a non-zero return. */
int ckvm__snap_one_regs_each(const struct ckvm_snapshot_record *rec,
			     int (*fn)(void *opaque, uint64_t id, const void *val, size_t size),
			     void *opaque);

/* ---- ONE_REG-state module (snapshot_onereg.c), for arm64 and riscv64 ---- */
/*
 * On these architectures a vCPU's state is KVM_GET_REG_LIST followed by
 * KVM_GET_ONE_REG for each id, plus the MP state, and the irqchip's state
 * is a list of device attributes. The steps below are that generic part;
 * src/<arch>/snapshot.c keeps what differs (extra records, ids that travel
 * elsewhere or are read-only, valid MP states, the irqchip configuration
 * record, its register candidates and accessors) and the restore order.
 */
typedef int (*ckvm__snap_reg_fn)(void *opaque, uint64_t id, const void *val, size_t size);

/* What an architecture's vCPU record set adds to MP_STATE + ONE_REGS. */
struct ckvm__snap_onereg_ops {
	bool (*mp_state_ok)(uint32_t mp_state);
	/* Checks each saved ONE_REGS id at decode (NULL: the format checks only). */
	ckvm__snap_reg_fn id_check;
	/*
	 * Decodes a record other than MP_STATE/ONE_REGS into the arch's own
	 * decode state (NULL: none): 1 taken, 0 unknown (skipped unless
	 * REQUIRED), or -errno.
	 */
	int (*record)(void *arch, const struct ckvm_snapshot_record *rec);
	/* Ids compared with the target's value at restore, never written (NULL: none). */
	bool (*read_only)(uint64_t id);
};

/* The common records of a decoded vCPU blob (pointers into the blob). */
struct ckvm__snap_onereg_vcpu {
	struct ckvm_snapshot_record one_regs;
	struct kvm_mp_state mp_state;
	bool have_one_regs, have_mp;
};

/*
 * Save: complete pending I/O (unless CKVM_SNAPSHOT_SAVE_NO_COMPLETE_IO), read
 * the MP state, then append an MP_STATE record and a ONE_REGS record of the
 * KVM_GET_REG_LIST ids in the kernel's order. filter (NULL: keep all) is
 * called for each id before anything is written: 1 keeps it in ONE_REGS, 0
 * leaves it out (the filter may read such a register itself for a record of
 * its own), -errno fails the save.
 */
int ckvm__snap_onereg_save(struct ckvm_vcpu *vcpu, uint32_t flags,
			   int (*filter)(void *opaque, uint64_t id), void *opaque,
			   struct ckvm_snapshot_writer *w);
/*
 * Decode and check every record of a vCPU blob: MP_STATE and ONE_REGS into
 * v (duplicates and bad MP states are -EBADMSG), others through ops->record
 * with arch. Returns 0 or a negative errno; without side effects.
 */
int ckvm__snap_onereg_decode(const void *blob, size_t len, const struct ckvm__snap_onereg_ops *ops,
			     struct ckvm__snap_onereg_vcpu *v, void *arch);
/*
 * The fit with the target, without writing: read its KVM_GET_REG_LIST
 * (sorted, returned in *list for further checks, to be freed with
 * ckvm_reg_list_free even on error), every saved id must be listed
 * (-EOPNOTSUPP) and every read-only one must equal the target's value.
 */
int ckvm__snap_onereg_fit(struct ckvm_vcpu *vcpu, const struct ckvm__snap_onereg_ops *ops,
			  const struct ckvm__snap_onereg_vcpu *v, struct kvm_reg_list **list);
/* Whether a list sorted by ckvm__snap_onereg_fit holds id. */
bool ckvm__snap_onereg_listed(const struct kvm_reg_list *list, uint64_t id);
/* KVM_SET_ONE_REG each saved register but the read-only ones, in the saved order. */
int ckvm__snap_onereg_apply(struct ckvm_vcpu *vcpu, const struct ckvm__snap_onereg_ops *ops,
			    const struct ckvm__snap_onereg_vcpu *v);

/*
 * Irqchip state in a VM blob: a configuration record (the arch's layout)
 * and an attribute-list record: u64 count, then count entries of
 * CKVM__SNAP_ATTR_ENTRY bytes {u32 group, u32 size, u64 attr, u64 value},
 * applied in the saved order.
 */
#define CKVM__SNAP_ATTR_ENTRY 24u
#define CKVM__SNAP_MAX_ATTRS 262144u

struct ckvm__snap_dev_ops {
	uint16_t cfg_type, attrs_type;  /* record types */
	/* Decode and check a configuration payload into cfg: 0 or -EBADMSG. */
	int (*cfg_decode)(const struct ckvm_snapshot_record *rec, void *cfg);
	/* Check one saved entry against the decoded configuration: 0 or -EBADMSG. */
	int (*entry_check)(const void *cfg, uint32_t group, uint32_t size, uint64_t attr,
			   uint64_t value);
	/* KVM_HAS_DEVICE_ATTR answers that mean "no such register here". */
	bool (*absent)(int err);
	int (*get)(struct ckvm_device *dev, uint32_t group, uint32_t size, uint64_t attr,
		   uint64_t *value);
	int (*set)(struct ckvm_device *dev, uint32_t group, uint32_t size, uint64_t attr,
		   uint64_t value);
};

/* Candidate registers, in restore order (a sticky error like the writer's). */
struct ckvm__snap_attr_list {
	uint32_t *group;
	uint32_t *size;
	uint64_t *attr;
	size_t n, cap;
	int error;
};
void ckvm__snap_attr_list_add(struct ckvm__snap_attr_list *l, uint32_t group, uint64_t attr,
			      uint32_t size);
void ckvm__snap_attr_list_free(struct ckvm__snap_attr_list *l);

/* The decoded irqchip records of a VM blob (cfg decoded into the caller's struct). */
struct ckvm__snap_dev_recs {
	struct ckvm_snapshot_record attrs;
	bool have_cfg, have_attrs;
};

/*
 * Decode and check every record of a VM blob: the configuration through
 * ops->cfg_decode into cfg, the attribute list (which needs the
 * configuration) through ops->entry_check; duplicates are -EBADMSG, other
 * records are skipped unless REQUIRED. 0 or a negative errno.
 */
int ckvm__snap_dev_decode(const void *blob, size_t len, const struct ckvm__snap_dev_ops *ops,
			  struct ckvm__snap_dev_recs *v, void *cfg);
/*
 * Keep the candidates of l that dev implements (KVM_HAS_DEVICE_ATTR, see
 * ops->absent), read them with ops->get and append the attribute-list
 * record. Frees l; 0 or -errno.
 */
int ckvm__snap_dev_save_attrs(struct ckvm_snapshot_writer *w, const struct ckvm__snap_dev_ops *ops,
			      struct ckvm_device *dev, struct ckvm__snap_attr_list *l);
/* Write a decoded attribute list with ops->set, in the saved order. */
int ckvm__snap_dev_restore_attrs(const struct ckvm__snap_dev_ops *ops, struct ckvm_device *dev,
				 const struct ckvm__snap_dev_recs *v);

/* ---- arch hooks (src/<arch>/snapshot.c) ---- */
int ckvm__snap_arch_ctx_init(struct ckvm_snapshot_ctx *ctx, struct ckvm *kvm);
void ckvm__snap_arch_ctx_fini(struct ckvm_snapshot_ctx *ctx);
int ckvm__snap_arch_save_vcpu(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
			      uint32_t flags, struct ckvm_snapshot_writer *w);
int ckvm__snap_arch_restore_vcpu(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
				 const void *blob, size_t len, uint32_t flags);
int ckvm__snap_arch_save_vm(struct ckvm_snapshot_ctx *ctx, uint32_t flags,
			    struct ckvm_snapshot_writer *w);
int ckvm__snap_arch_restore_vm(struct ckvm_snapshot_ctx *ctx, const void *blob, size_t len,
			       uint32_t flags);
int ckvm__snap_arch_validate(const void *blob, size_t len,
			     const struct ckvm_snapshot_info *info);

/* Little-endian field access (every supported host is little-endian). */
static inline uint16_t ckvm__get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t ckvm__get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}
static inline uint64_t ckvm__get64(const uint8_t *p)
{
	return (uint64_t)ckvm__get32(p) | (uint64_t)ckvm__get32(p + 4) << 32;
}
static inline void ckvm__put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void ckvm__put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}
static inline void ckvm__put64(uint8_t *p, uint64_t v)
{
	ckvm__put32(p, (uint32_t)v);
	ckvm__put32(p + 4, (uint32_t)(v >> 32));
}

#endif
