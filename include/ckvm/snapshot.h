/* SPDX-License-Identifier: MIT */
/*
 * ckvm/snapshot.h - versioned save/restore of vCPU and VM state.
 *
 * A snapshot is a set of blobs plus a memory file:
 *   - one vCPU blob per vCPU (ckvm_snapshot_save_vcpu),
 *   - one VM blob (ckvm_snapshot_save_vm): irqchip, PIT, clock and the
 *     guest memory-region table,
 *   - the guest memory itself, in a separate file laid out so that it can be
 *     mmap()ed back (ckvm_snapshot_mem_*).
 * The blob format is documented in docs/snapshot-format.md: a 64-byte header
 * (magic "CKVMSNAP", format version, architecture, kind, flags, CRC-32C)
 * followed by (type, flags, length, payload) records. Payloads are the raw
 * bytes of the kernel's UAPI structs. Readers skip record types they do not
 * know and zero-pad or truncate records shorter or longer than the struct
 * they know, so blobs from older and newer ckvm versions load.
 *
 * Every blob is untrusted input. The restore functions validate the whole
 * blob (container, checksum, every record they use, and the fit with the
 * target, e.g. the XSAVE size) before the first ioctl: a truncated,
 * corrupted, oversized or hostile blob gives -EBADMSG (or -EPROTONOSUPPORT
 * for an unsupported format version or required feature, -ENOEXEC for
 * another architecture, -E2BIG/-EOPNOTSUPP for state the target cannot
 * hold) and the target is left unchanged. Once validation passed, a kernel
 * refusal during the apply phase (e.g. an MSR the target kernel does not
 * know) is returned as -errno and may leave the target partially restored:
 * discard it.
 *
 * Typical use (x86_64, one process saving, another restoring):
 *
 *   save:    ckvm_snapshot_ctx_create(kvm, vm, &ctx);
 *            (vCPU threads stopped at an exit; each vCPU saved from its own
 *             thread, or all from one thread once they no longer run)
 *            ckvm_snapshot_save_vcpu(ctx, vcpu, 0, &blob, &len);  per vCPU
 *            ckvm_snapshot_mem_layout(regions, n, 0, &size);
 *            ckvm_snapshot_save_vm(ctx, regions, n, 0, &vblob, &vlen);
 *            ckvm_snapshot_mem_save(memfd, regions, n);
 *   restore: create a VM with the same configuration (irqchip, PIT2,
 *            TSS/identity map addresses, enabled capabilities),
 *            ckvm_snapshot_get_regions(vblob, vlen, regions, n);
 *            ckvm_snapshot_mem_map(memfd, regions, n, false);
 *            ckvm_vm_set_user_memory_region() for each region,
 *            create the vCPUs (same ids), ckvm_snapshot_ctx_create(),
 *            ckvm_snapshot_restore_vm(ctx, vblob, vlen, 0);
 *            ckvm_snapshot_restore_vcpu(ctx, vcpu, blob, len, 0);  per vCPU
 *
 * Thread rules: the format functions (writer, parse, next, find, validate,
 * ckvm_snapshot_get_regions) are pure and thread-safe on distinct objects.
 * A ckvm_snapshot_ctx is read-only after creation and may be shared by
 * threads. ckvm_snapshot_save_vcpu/restore_vcpu follow the vCPU rule (the
 * thread driving that vCPU); the VM and memory calls need every vCPU of the
 * VM stopped (not inside ckvm_vcpu_run).
 */
#ifndef CKVM_SNAPSHOT_H
#define CKVM_SNAPSHOT_H

#include <ckvm/common.h>

CKVM_BEGIN_DECLS

/* ======================= the format ====================================== */
#define CKVM_SNAPSHOT_MAGIC "CKVMSNAP"          /* 8 bytes, no terminator */
#define CKVM_SNAPSHOT_VERSION_MAJOR 1           /* incompatible changes */
#define CKVM_SNAPSHOT_VERSION_MINOR 0           /* compatible additions */
#define CKVM_SNAPSHOT_HEADER_SIZE 64u           /* version 1.0 header */
#define CKVM_SNAPSHOT_MAX_SIZE (64u << 20)      /* largest blob accepted */
#define CKVM_SNAPSHOT_MAX_RECORDS 65536u        /* most records in a blob */
#define CKVM_SNAPSHOT_MAX_PAYLOAD (16u << 20)   /* largest record payload */

/* Architecture field: the ELF e_machine value of the host that wrote it. */
#define CKVM_SNAPSHOT_ARCH_X86_64 62u
#define CKVM_SNAPSHOT_ARCH_ARM64 183u
#define CKVM_SNAPSHOT_ARCH_RISCV64 243u

/* Kind field. Values >= 0x80000000 are free for applications. */
#define CKVM_SNAPSHOT_KIND_VCPU 1u
#define CKVM_SNAPSHOT_KIND_VM 2u

/*
 * Header flags: bits 0-15 are compatible (readers ignore ones they do not
 * know), bits 16-31 incompatible (readers reject unknown ones with
 * -EPROTONOSUPPORT). Version 1.0 defines none.
 */
#define CKVM_SNAPSHOT_FLAGS_INCOMPAT_MASK 0xffff0000u

/*
 * Record flags. REQUIRED: a reader that does not know the record type must
 * refuse the blob (-EPROTONOSUPPORT) instead of skipping it. ckvm 1.0 never
 * sets it; the other bits are reserved (written 0, ignored on read).
 */
#define CKVM_SNAPSHOT_REC_REQUIRED 0x0001u

/*
 * Record types. Payloads are the raw bytes of the named kernel struct
 * (host byte order; all supported hosts are little-endian) unless noted;
 * docs/snapshot-format.md has the exact layouts and rules.
 */
enum ckvm_snapshot_record_type {
	/* 0x0001-0x00ff: every architecture */
	CKVM_SNAPSHOT_REC_MP_STATE = 0x0001,     /* struct kvm_mp_state */
	CKVM_SNAPSHOT_REC_MEM_REGIONS = 0x0002,  /* region table (VM), see the doc */
	CKVM_SNAPSHOT_REC_ONE_REGS = 0x0003,     /* ONE_REG id/value list (arm64, riscv64) */
	/* 0x0100-0x017f: x86_64 vCPU */
	CKVM_SNAPSHOT_REC_X86_REGS = 0x0100,     /* struct kvm_regs */
	CKVM_SNAPSHOT_REC_X86_SREGS = 0x0101,    /* struct kvm_sregs */
	CKVM_SNAPSHOT_REC_X86_SREGS2 = 0x0102,   /* struct kvm_sregs2 (KVM_CAP_SREGS2) */
	CKVM_SNAPSHOT_REC_X86_FPU = 0x0103,      /* struct kvm_fpu */
	CKVM_SNAPSHOT_REC_X86_XSAVE = 0x0104,    /* struct kvm_xsave, XSAVE2-sized */
	CKVM_SNAPSHOT_REC_X86_XCRS = 0x0105,     /* struct kvm_xcrs */
	CKVM_SNAPSHOT_REC_X86_LAPIC = 0x0106,    /* struct kvm_lapic_state */
	CKVM_SNAPSHOT_REC_X86_MSRS = 0x0107,     /* struct kvm_msrs + entries */
	CKVM_SNAPSHOT_REC_X86_DEBUGREGS = 0x0108,/* struct kvm_debugregs */
	CKVM_SNAPSHOT_REC_X86_EVENTS = 0x0109,   /* struct kvm_vcpu_events */
	CKVM_SNAPSHOT_REC_X86_CPUID = 0x010a,    /* struct kvm_cpuid2 + entries */
	CKVM_SNAPSHOT_REC_X86_TSC_KHZ = 0x010b,  /* u32 kHz, u32 reserved */
	CKVM_SNAPSHOT_REC_X86_NESTED = 0x010c,   /* struct kvm_nested_state + data */
	/* 0x0180-0x01ff: x86_64 VM */
	CKVM_SNAPSHOT_REC_X86_IRQCHIP = 0x0180,  /* struct kvm_irqchip, one per chip_id */
	CKVM_SNAPSHOT_REC_X86_PIT2 = 0x0181,     /* struct kvm_pit_state2 */
	CKVM_SNAPSHOT_REC_X86_CLOCK = 0x0182,    /* struct kvm_clock_data */
	/* 0x0200-0x02ff: arm64; 0x0300-0x03ff: riscv64 (see the doc) */
	/* 0x8000-0xffff: application records: ckvm never writes them and its
	 * restore functions skip them. */
	CKVM_SNAPSHOT_REC_USER_FIRST = 0x8000,
};

/* ---- reading ----------------------------------------------------------- */
struct ckvm_snapshot_info {
	uint16_t version_major;
	uint16_t version_minor;
	uint32_t header_size;
	uint32_t arch;        /* CKVM_SNAPSHOT_ARCH_* */
	uint32_t kind;        /* CKVM_SNAPSHOT_KIND_* */
	uint32_t flags;
	uint32_t nrecords;
	uint64_t size;        /* bytes of this blob, header included */
	uint64_t id;          /* vCPU id for KIND_VCPU, else 0 */
};

struct ckvm_snapshot_record {
	uint16_t type;        /* enum ckvm_snapshot_record_type */
	uint16_t flags;       /* CKVM_SNAPSHOT_REC_* */
	uint32_t len;         /* payload bytes */
	const void *data;     /* the payload, inside the blob (8-byte aligned from its start) */
};

/*
 * Check a blob's container: magic, version, header, checksum and that its
 * records exactly tile it (no record semantics). blob may be followed by
 * other data (len > info->size); blobs can be concatenated this way.
 * Returns 0 and fills *info (may be NULL), or -EBADMSG (malformed),
 * -EPROTONOSUPPORT (other major version, unknown incompatible flag),
 * -EINVAL (NULL blob).
 */
CKVM_API int ckvm_snapshot_parse(const void *blob, size_t len,
				 struct ckvm_snapshot_info *info);
/*
 * Iterate over the records of a parsed blob: set *cursor to 0 first.
 * Returns 1 with *rec filled, 0 after the last record, -EBADMSG if the blob
 * is malformed (bounds are re-checked on every call).
 */
CKVM_API int ckvm_snapshot_next(const void *blob, size_t len, size_t *cursor,
				struct ckvm_snapshot_record *rec);
/* The first record of type: 1 found, 0 absent, -errno (blob is parsed first). */
CKVM_API int ckvm_snapshot_find(const void *blob, size_t len, uint16_t type,
				struct ckvm_snapshot_record *rec);
/*
 * Full validation of a vCPU or VM blob written for this host's
 * architecture: the container plus every record ckvm knows, exactly as the
 * restore functions validate before they apply anything (minus the checks
 * against a particular target). 0 or -errno; touches nothing.
 */
CKVM_API int ckvm_snapshot_validate(const void *blob, size_t len);
/*
 * Copy a record's payload into a struct of size bytes by the kvm-bindings
 * rule: a shorter payload is zero-padded, a longer one truncated. Returns
 * the number of payload bytes copied.
 */
CKVM_API size_t ckvm_snapshot_record_copy(const struct ckvm_snapshot_record *rec,
					  void *dst, size_t size);
/* CRC-32C (Castagnoli) of len bytes, continuing from crc (start with 0). */
CKVM_API uint32_t ckvm_snapshot_crc32c(uint32_t crc, const void *data, size_t len);
/* The CKVM_SNAPSHOT_ARCH_* value of the architecture ckvm was built for. */
CKVM_API uint32_t ckvm_snapshot_host_arch(void);

/* ---- writing ----------------------------------------------------------- */
struct ckvm_snapshot_writer;
/*
 * A growable blob of the given kind. arch 0 means the host's
 * (ckvm_snapshot_host_arch()); id is stored in the header (the vCPU id).
 */
CKVM_API int ckvm_snapshot_writer_create(uint32_t arch, uint32_t kind, uint64_t id,
					 struct ckvm_snapshot_writer **out);
/* Free the writer and any blob not yet handed out. NULL ok. */
CKVM_API void ckvm_snapshot_writer_free(struct ckvm_snapshot_writer *w);
/*
 * Append a record (len <= CKVM_SNAPSHOT_MAX_PAYLOAD, data may be NULL only
 * when len is 0). -E2BIG past the size or record limits, -ENOMEM. An error
 * is sticky: writer_finish then fails with it.
 */
CKVM_API int ckvm_snapshot_writer_add(struct ckvm_snapshot_writer *w, uint16_t type,
				      uint16_t flags, const void *data, size_t len);
/* Set header flags (default 0). */
CKVM_API int ckvm_snapshot_writer_set_flags(struct ckvm_snapshot_writer *w, uint32_t flags);
/*
 * Complete the header and checksum and hand the blob to the caller (free it
 * with ckvm_snapshot_free). The writer is then empty and must be freed.
 */
CKVM_API int ckvm_snapshot_writer_finish(struct ckvm_snapshot_writer *w, void **blob,
					 size_t *len);
/* Free a blob returned by ckvm. NULL ok. */
CKVM_API void ckvm_snapshot_free(void *blob);

/* ======================= saving and restoring state ====================== */
/*
 * A context caches what save and restore need to know about a VM: on x86
 * the saveable MSR list (KVM_GET_MSR_INDEX_LIST, needs kvm), the XSAVE
 * size and the capabilities (SREGS2, XCRS, DEBUGREGS, VCPU_EVENTS,
 * NESTED_STATE). kvm is only used during the call; it may be NULL for a
 * context that only restores (x86 vCPU saves then fail with -EINVAL).
 * Read-only afterwards. Free with ckvm_snapshot_ctx_free (NULL ok).
 */
struct ckvm_snapshot_ctx;
CKVM_API int ckvm_snapshot_ctx_create(struct ckvm *kvm, struct ckvm_vm *vm,
				      struct ckvm_snapshot_ctx **out);
CKVM_API void ckvm_snapshot_ctx_free(struct ckvm_snapshot_ctx *ctx);

/* Save flags. */
/* Do not complete a pending I/O or MMIO exit first (the caller did). */
#define CKVM_SNAPSHOT_SAVE_NO_COMPLETE_IO 0x1u

/* Restore flags. */
/*
 * Keep KVM_CLOCK_REALTIME in the saved kvmclock so that the kernel advances
 * the guest clock by the wall time elapsed since the save (live migration).
 * Without it the guest clock resumes where it was saved.
 */
#define CKVM_SNAPSHOT_RESTORE_CLOCK_REALTIME 0x1u
/*
 * vCPU (x86_64): do not set the saved TSC frequency; the guest keeps the
 * target's. For hosts without TSC scaling (KVM_CAP_TSC_CONTROL), which
 * refuse a rate much below their own (-EINVAL, the first step of a restore).
 */
#define CKVM_SNAPSHOT_RESTORE_KEEP_TSC_KHZ 0x2u

/*
 * Save one vCPU's complete state to a new blob (free with
 * ckvm_snapshot_free). Call from the thread driving the vCPU, when it is not
 * running. Unless CKVM_SNAPSHOT_SAVE_NO_COMPLETE_IO is given, a pending I/O
 * or MMIO instruction is first completed without running guest code
 * (ckvm_vcpu_complete_io): for an IN or MMIO read, write the data into
 * kvm_run before saving. If completing it needs another exit (e.g. an MMIO
 * access split across pages), nothing is saved and -EAGAIN is returned: the
 * new exit is in kvm_run (ckvm_exit_decode); handle it like any exit, then
 * call again. x86_64 records: CPUID, TSC kHz, sregs (+sregs2),
 * regs, FPU, XSAVE (XSAVE2 size), XCRs, LAPIC (with an in-kernel LAPIC),
 * every MSR of KVM_GET_MSR_INDEX_LIST that KVM_GET_MSRS accepts for this
 * vCPU, debug regs, events, nested state (KVM_CAP_NESTED_STATE), MP state.
 */
CKVM_API int ckvm_snapshot_save_vcpu(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
				     uint32_t flags, void **blob, size_t *len);
/* The same records appended to a writer of kind CKVM_SNAPSHOT_KIND_VCPU. */
CKVM_API int ckvm_snapshot_save_vcpu_records(struct ckvm_snapshot_ctx *ctx,
					     struct ckvm_vcpu *vcpu, uint32_t flags,
					     struct ckvm_snapshot_writer *w);
/*
 * Restore a vCPU blob into vcpu (normally a fresh vCPU of a VM configured
 * like the source, before its first run; ctx created on that VM). A vCPU
 * that has already run only takes the CPUID it already has: KVM refuses a
 * different one with -EINVAL once KVM_RUN was called. The
 * whole blob is validated first; see the top of this header for errors.
 * -EINVAL when the blob is not of kind VCPU. flags: 0 or
 * CKVM_SNAPSHOT_RESTORE_KEEP_TSC_KHZ. The kernel order is documented in
 * src/x86_64/snapshot.c (TSC frequency and CPUID first, events and MP
 * state last). Pending sync-regs writes in the vCPU's kvm_run page are
 * discarded: the restored state wins.
 */
CKVM_API int ckvm_snapshot_restore_vcpu(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
					const void *blob, size_t len, uint32_t flags);

/* ---- guest memory ------------------------------------------------------ */
/*
 * One guest memory slot. slot, flags, guest_phys_addr and memory_size are
 * what was passed to ckvm_vm_set_user_memory_region; file_offset is where
 * the region's bytes are in the memory file (see ckvm_snapshot_mem_layout);
 * host is the region's mapping in this process (never saved).
 */
struct ckvm_snapshot_region {
	uint32_t slot;            /* as_id << 16 | slot id */
	uint32_t flags;           /* KVM_MEM_* */
	uint64_t guest_phys_addr;
	uint64_t memory_size;     /* a multiple of the page size */
	uint64_t file_offset;     /* a multiple of the page size */
	void *host;
};

/*
 * Save the VM-level state (x86_64: PIC master and slave and IOAPIC with an
 * in-kernel irqchip, PIT2 when created, kvmclock) and the region table
 * regions[0..n) (n may be 0) to a new blob. Regions are validated like a
 * restored table (-EINVAL): page-aligned, non-overlapping, unique slots.
 */
CKVM_API int ckvm_snapshot_save_vm(struct ckvm_snapshot_ctx *ctx,
				   const struct ckvm_snapshot_region *regions, size_t n,
				   uint32_t flags, void **blob, size_t *len);
CKVM_API int ckvm_snapshot_save_vm_records(struct ckvm_snapshot_ctx *ctx,
					   const struct ckvm_snapshot_region *regions, size_t n,
					   uint32_t flags, struct ckvm_snapshot_writer *w);
/*
 * Restore VM-level state into ctx's VM, which must already have the same
 * devices (irqchip, PIT2) as the source. Validates everything first.
 * Memory is not touched: map it with the ckvm_snapshot_mem_* helpers.
 */
CKVM_API int ckvm_snapshot_restore_vm(struct ckvm_snapshot_ctx *ctx, const void *blob,
				      size_t len, uint32_t flags);
/*
 * Read the region table of a VM blob into regions[0..max) (host set to
 * NULL). Returns the number of regions in the blob (which may exceed max:
 * call again with more room), or -errno. The blob is fully validated.
 */
CKVM_API int ckvm_snapshot_get_regions(const void *blob, size_t len,
				       struct ckvm_snapshot_region *regions, size_t max);

/*
 * Assign file_offset to each region: consecutive, each aligned to align
 * bytes (0: the host page size; otherwise a power of two >= the page size,
 * e.g. 2 MiB so the file can be mapped with huge pages). *file_size gets
 * the memory file's size. -EINVAL on a bad region or alignment, -E2BIG on
 * overflow.
 */
CKVM_API int ckvm_snapshot_mem_layout(struct ckvm_snapshot_region *regions, size_t n,
				      uint64_t align, uint64_t *file_size);
/*
 * Write every region from its host mapping to the memory file fd (a regular
 * file or memfd) at its file_offset. The file is first truncated to empty
 * and extended to the layout's size, and all-zero pages are left as holes,
 * so a sparse guest gives a sparse file. fd must not be a file that backs
 * mapped guest memory (truncating it would fault those mappings). Returns 0
 * or -errno. Like every ckvm_snapshot_mem_* call it uses pread/pwrite and
 * SEEK_DATA/SEEK_HOLE: fd's file offset is unspecified afterwards.
 */
CKVM_API int ckvm_snapshot_mem_save(int fd, const struct ckvm_snapshot_region *regions,
				    size_t n);
/*
 * Incremental save: for each region (all must have KVM_MEM_LOG_DIRTY_PAGES,
 * else -EINVAL before anything is done) fetch the dirty log
 * (ckvm_vm_get_dirty_log, which also resets it) and write only the dirty
 * pages into the memory file at their offsets. The file must already hold
 * a full save of the same layout. *pages (may be NULL) gets the number of
 * pages written. The usual sequence: enable dirty logging, full save, run,
 * stop the vCPUs, save_dirty (repeat).
 */
CKVM_API int ckvm_snapshot_mem_save_dirty(struct ckvm_vm *vm, int fd,
					  const struct ckvm_snapshot_region *regions, size_t n,
					  uint64_t *pages);
/*
 * Copy every region from the memory file into its host mapping (holes
 * become zero, writing only pages that are not already zero). Returns 0 or
 * -errno (-EBADMSG when the file is shorter than the layout).
 */
CKVM_API int ckvm_snapshot_mem_restore(int fd, const struct ckvm_snapshot_region *regions,
				       size_t n);
/*
 * Revert guest memory to the memory file: fetch each region's dirty log
 * and copy back only the pages the guest wrote since the log was last
 * read. Requires KVM_MEM_LOG_DIRTY_PAGES on every region (-EINVAL).
 * *pages (may be NULL) gets the number of pages copied.
 */
CKVM_API int ckvm_snapshot_mem_restore_dirty(struct ckvm_vm *vm, int fd,
					     const struct ckvm_snapshot_region *regions, size_t n,
					     uint64_t *pages);
/*
 * The same two over a caller-supplied dirty bitmap for one region (e.g.
 * built from the dirty ring): bit i set means page i of the region.
 * bitmap must hold ckvm_dirty_log_words(region->memory_size) words
 * (-EINVAL if nwords is smaller). Return the number of pages copied.
 */
CKVM_API int64_t ckvm_snapshot_mem_save_pages(int fd, const struct ckvm_snapshot_region *region,
					      const uint64_t *bitmap, size_t nwords);
CKVM_API int64_t ckvm_snapshot_mem_restore_pages(int fd,
						 const struct ckvm_snapshot_region *region,
						 const uint64_t *bitmap, size_t nwords);
/*
 * mmap() each region of the memory file at its file_offset, read-write,
 * MAP_SHARED when shared (guest writes go to the file) or MAP_PRIVATE
 * (copy-on-write: clones of one snapshot share unmodified pages), storing
 * the address in regions[i].host. On failure nothing stays mapped.
 */
CKVM_API int ckvm_snapshot_mem_map(int fd, struct ckvm_snapshot_region *regions, size_t n,
				   bool shared);
/* munmap() what ckvm_snapshot_mem_map mapped and clear host. */
CKVM_API void ckvm_snapshot_mem_unmap(struct ckvm_snapshot_region *regions, size_t n);

/* ======================= x86_64 state structs ============================ */
#if defined(__x86_64__)
/*
 * Bits of ckvm_x86_vcpu_state.present: which members hold state. Saving
 * sets every bit it filled; loading applies only present members.
 */
#define CKVM_X86_STATE_REGS      (1u << 0)
#define CKVM_X86_STATE_SREGS     (1u << 1)
#define CKVM_X86_STATE_SREGS2    (1u << 2)
#define CKVM_X86_STATE_FPU       (1u << 3)
#define CKVM_X86_STATE_XSAVE     (1u << 4)
#define CKVM_X86_STATE_XCRS      (1u << 5)
#define CKVM_X86_STATE_LAPIC     (1u << 6)
#define CKVM_X86_STATE_MSRS      (1u << 7)
#define CKVM_X86_STATE_DEBUGREGS (1u << 8)
#define CKVM_X86_STATE_EVENTS    (1u << 9)
#define CKVM_X86_STATE_MP_STATE  (1u << 10)
#define CKVM_X86_STATE_CPUID     (1u << 11)
#define CKVM_X86_STATE_TSC_KHZ   (1u << 12)
#define CKVM_X86_STATE_NESTED    (1u << 13)

/*
 * The complete state of an x86_64 vCPU as kernel structs. Allocate with
 * ckvm_x86_vcpu_state_alloc (new members are only ever appended, so the
 * struct may grow in a later release); the pointer members are owned by
 * the state and freed by ckvm_x86_vcpu_state_free: xsave (ckvm_xsave_alloc),
 * msrs (ckvm_msrs_alloc), cpuid (ckvm_cpuid2_alloc), nested (nested_size
 * bytes, malloc).
 */
struct ckvm_x86_vcpu_state {
	uint64_t present;                 /* CKVM_X86_STATE_* */
	uint64_t id;                      /* vCPU id */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_sregs2 sregs2;
	struct kvm_fpu fpu;
	struct kvm_xcrs xcrs;
	struct kvm_lapic_state lapic;
	struct kvm_debugregs debugregs;
	struct kvm_vcpu_events events;
	struct kvm_mp_state mp_state;
	uint32_t tsc_khz;
	struct kvm_xsave *xsave;          /* ckvm_xsave_size(xsave) bytes */
	struct kvm_msrs *msrs;
	struct kvm_cpuid2 *cpuid;
	struct kvm_nested_state *nested;
	size_t nested_size;
};
CKVM_API int ckvm_x86_vcpu_state_alloc(struct ckvm_x86_vcpu_state **out);
/* Free the state and its members. NULL ok. */
CKVM_API void ckvm_x86_vcpu_state_free(struct ckvm_x86_vcpu_state *st);
/* Read everything from vcpu into st (replacing its contents); flags as for save_vcpu. */
CKVM_API int ckvm_x86_vcpu_state_save(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
				      uint32_t flags, struct ckvm_x86_vcpu_state *st);
/*
 * Check st against ctx's VM (XSAVE size, nested size, capabilities) and
 * then apply its present members in the kernel's order. flags: 0 or
 * CKVM_SNAPSHOT_RESTORE_KEEP_TSC_KHZ. 0 or -errno.
 */
CKVM_API int ckvm_x86_vcpu_state_load(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
				      const struct ckvm_x86_vcpu_state *st, uint32_t flags);
/* Append st's present members as records to a writer. */
CKVM_API int ckvm_x86_vcpu_state_encode(const struct ckvm_x86_vcpu_state *st,
					struct ckvm_snapshot_writer *w);
/*
 * Validate a vCPU blob and decode it into st (replacing its contents).
 * On error st is left unchanged.
 */
CKVM_API int ckvm_x86_vcpu_state_decode(const void *blob, size_t len,
					struct ckvm_x86_vcpu_state *st);

#define CKVM_X86_VM_STATE_PIC_MASTER (1u << 0)
#define CKVM_X86_VM_STATE_PIC_SLAVE  (1u << 1)
#define CKVM_X86_VM_STATE_IOAPIC     (1u << 2)
#define CKVM_X86_VM_STATE_PIT2       (1u << 3)
#define CKVM_X86_VM_STATE_CLOCK      (1u << 4)

/* VM-level x86 state (no memory). Allocate with ckvm_x86_vm_state_alloc. */
struct ckvm_x86_vm_state {
	uint64_t present;                 /* CKVM_X86_VM_STATE_* */
	struct kvm_irqchip irqchip[3];    /* indexed by chip_id (KVM_IRQCHIP_*) */
	struct kvm_pit_state2 pit2;
	struct kvm_clock_data clock;
};
CKVM_API int ckvm_x86_vm_state_alloc(struct ckvm_x86_vm_state **out);
CKVM_API void ckvm_x86_vm_state_free(struct ckvm_x86_vm_state *st);
CKVM_API int ckvm_x86_vm_state_save(struct ckvm_snapshot_ctx *ctx, uint32_t flags,
				    struct ckvm_x86_vm_state *st);
CKVM_API int ckvm_x86_vm_state_load(struct ckvm_snapshot_ctx *ctx,
				    const struct ckvm_x86_vm_state *st, uint32_t flags);
CKVM_API int ckvm_x86_vm_state_encode(const struct ckvm_x86_vm_state *st,
				      struct ckvm_snapshot_writer *w);
CKVM_API int ckvm_x86_vm_state_decode(const void *blob, size_t len,
				      struct ckvm_x86_vm_state *st);
#endif /* __x86_64__ */

CKVM_END_DECLS

#endif
