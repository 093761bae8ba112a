/* SPDX-License-Identifier: MIT */
/*
 * stats.c - parser for KVM's binary statistics fd (KVM_GET_STATS_FD).
 *
 * Layout (api.rst, "KVM_GET_STATS_FD"): a header, an id string, a block of
 * num_desc descriptors of sizeof(struct kvm_stats_desc) + name_size bytes
 * each, and a data block of u64 values. Every field read from the fd is
 * treated as untrusted: offsets and sizes are bounds- and overflow-checked
 * and a malformed blob gives -EBADMSG.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STATS_MAX_DESC 65536u
#define STATS_MAX_NAME 4096u

struct ckvm_stats {
	int fd;
	uint32_t data_offset;
	size_t count;
	struct ckvm_stat_desc *desc;
	char *names; /* count * (name_size + 1) bytes */
};

static int pread_full(int fd, void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, off + (off_t)done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EBADMSG; /* the blob is shorter than its header claims */
		done += (size_t)n;
	}
	return 0;
}

int ckvm_stats_open(int fd, struct ckvm_stats **out)
{
	struct kvm_stats_header h;
	struct ckvm_stats *st = NULL;
	unsigned char *raw = NULL;
	size_t desc_bytes, rec, i;
	int r;

	if (!out)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	r = pread_full(fd, &h, sizeof(h), 0);
	if (r < 0)
		return r;
	if (h.name_size == 0 || h.name_size > STATS_MAX_NAME || h.num_desc > STATS_MAX_DESC)
		return -EBADMSG;
	if (h.desc_offset < sizeof(h) || h.data_offset < sizeof(h))
		return -EBADMSG;
	rec = sizeof(struct kvm_stats_desc) + h.name_size;
	desc_bytes = rec * h.num_desc; /* bounded above: no overflow */
	if ((uint64_t)h.desc_offset + desc_bytes > UINT32_MAX)
		return -EBADMSG;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->fd = fd;
	st->data_offset = h.data_offset;
	st->count = h.num_desc;
	if (h.num_desc) {
		raw = malloc(desc_bytes);
		st->desc = calloc(h.num_desc, sizeof(*st->desc));
		st->names = calloc(h.num_desc, (size_t)h.name_size + 1);
		if (!raw || !st->desc || !st->names) {
			r = -ENOMEM;
			goto fail;
		}
		r = pread_full(fd, raw, desc_bytes, h.desc_offset);
		if (r < 0)
			goto fail;
	}
	for (i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc d;
		char *name = st->names + i * ((size_t)h.name_size + 1);

		memcpy(&d, raw + i * rec, sizeof(d));
		memcpy(name, raw + i * rec + sizeof(d), h.name_size);
		name[h.name_size] = '\0';
		if (!name[0] || d.size == 0 ||
		    (uint64_t)h.data_offset + d.offset + (uint64_t)d.size * 8 > UINT32_MAX) {
			r = -EBADMSG;
			goto fail;
		}
		st->desc[i].name = name;
		st->desc[i].flags = d.flags;
		st->desc[i].exponent = d.exponent;
		st->desc[i].size = d.size;
		st->desc[i].offset = d.offset;
		st->desc[i].bucket_size = d.bucket_size;
	}
	free(raw);
	*out = st;
	return 0;
fail:
	free(raw);
	ckvm_stats_close(st);
	return r;
}

void ckvm_stats_close(struct ckvm_stats *st)
{
	if (!st)
		return;
	free(st->desc);
	free(st->names);
	free(st);
}

size_t ckvm_stats_count(const struct ckvm_stats *st)
{
	return st ? st->count : 0;
}

const struct ckvm_stat_desc *ckvm_stats_desc(const struct ckvm_stats *st, size_t i)
{
	if (!st || i >= st->count)
		return NULL;
	return &st->desc[i];
}

int ckvm_stats_find(const struct ckvm_stats *st, const char *name)
{
	size_t i;

	if (!st || !name)
		return -EINVAL;
	for (i = 0; i < st->count; i++)
		if (strcmp(st->desc[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

int ckvm_stats_read(struct ckvm_stats *st, size_t i, uint64_t *values, size_t n)
{
	const struct ckvm_stat_desc *d;
	int r;

	if (!st || !values || i >= st->count)
		return -EINVAL;
	d = &st->desc[i];
	if (n < d->size)
		return -EINVAL;
	r = pread_full(st->fd, values, (size_t)d->size * sizeof(uint64_t),
		       (off_t)st->data_offset + d->offset);
	if (r < 0)
		return r == -EBADMSG ? -EIO : r;
	return d->size;
}
