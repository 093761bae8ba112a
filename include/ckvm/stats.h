/* SPDX-License-Identifier: MIT */
/*
 * ckvm/stats.h - reading KVM's binary statistics (KVM_GET_STATS_FD).
 *
 * Get an fd with ckvm_vm_get_stats_fd() or ckvm_vcpu_get_stats_fd(), open
 * it once with ckvm_stats_open() (reads the header and descriptors), then
 * read values as often as needed with ckvm_stats_read().
 *
 * Thread rules: after ckvm_stats_open() the object is read-only, so
 * ckvm_stats_count/desc/find/read may be called from any thread,
 * concurrently (reads are pread()s); ckvm_stats_close() must not race them.
 * Stats can be read while the vCPUs run.
 */
#ifndef CKVM_STATS_H
#define CKVM_STATS_H

#include <ckvm/common.h>

CKVM_BEGIN_DECLS

struct ckvm_stats;

struct ckvm_stat_desc {
	const char *name;
	uint32_t flags;   /* KVM_STATS_TYPE_* | KVM_STATS_UNIT_* | KVM_STATS_BASE_* */
	int16_t exponent;
	uint16_t size;    /* number of u64 values */
	uint32_t offset;  /* byte offset of the value(s) within the data block */
	uint32_t bucket_size;
};

/*
 * Parse the header and descriptors of a stats fd. Does not take ownership
 * of fd (keep it open while the ckvm_stats is in use). -EBADMSG when the
 * blob is malformed (sizes or offsets out of range, empty names).
 */
CKVM_API int ckvm_stats_open(int fd, struct ckvm_stats **out);
CKVM_API void ckvm_stats_close(struct ckvm_stats *st);
/* Number of descriptors. */
CKVM_API size_t ckvm_stats_count(const struct ckvm_stats *st);
/* Descriptor i (0 .. count-1), or NULL. */
CKVM_API const struct ckvm_stat_desc *ckvm_stats_desc(const struct ckvm_stats *st, size_t i);
/* Index of the stat named name, or -ENOENT. */
CKVM_API int ckvm_stats_find(const struct ckvm_stats *st, const char *name);
/*
 * Read the current value(s) of stat i into values[0..n) (n >= desc->size,
 * else -EINVAL). Returns the number of values read (desc->size); -EIO when
 * the fd is shorter than the descriptor says.
 */
CKVM_API int ckvm_stats_read(struct ckvm_stats *st, size_t i, uint64_t *values, size_t n);

CKVM_END_DECLS

#endif
