/* SPDX-License-Identifier: MIT */
/*
 * snapshot.c - the architecture-neutral part of ckvm's snapshot format:
 * CRC-32C, the blob writer, the container parser, the region table, the
 * ONE_REG list record, contexts and the generic save/restore entry points
 * that call the arch hooks (see snapshot_internal.h and
 * docs/snapshot-format.md).
 */
#include "snapshot_internal.h"
#include "snapshot_crc32c.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ======================= CRC-32C ========================================= */
uint32_t ckvm_snapshot_crc32c(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;
	const uint32_t (*t)[256] = ckvm__crc32c_table;

	crc = ~crc;
	if (!p)
		return ~crc;
	while (len >= 8) {
		uint32_t lo = crc ^ ckvm__get32(p);
		uint32_t hi = ckvm__get32(p + 4);

		crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^
		      t[4][lo >> 24] ^ t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^
		      t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* CRC of a blob of size bytes with its CRC field taken as zero. */
static uint32_t blob_crc(const uint8_t *b, size_t size)
{
	static const uint8_t zero[4];
	uint32_t crc = ckvm_snapshot_crc32c(0, b, CKVM__SNAP_OFF_CRC);

	crc = ckvm_snapshot_crc32c(crc, zero, sizeof(zero));
	return ckvm_snapshot_crc32c(crc, b + CKVM__SNAP_OFF_CRC + 4,
				    size - CKVM__SNAP_OFF_CRC - 4);
}

uint32_t ckvm_snapshot_host_arch(void)
{
#if defined(__x86_64__)
	return CKVM_SNAPSHOT_ARCH_X86_64;
#elif defined(__aarch64__)
	return CKVM_SNAPSHOT_ARCH_ARM64;
#elif defined(__riscv) && __riscv_xlen == 64
	return CKVM_SNAPSHOT_ARCH_RISCV64;
#else
	return 0;
#endif
}

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* ======================= writer ========================================== */
int ckvm_snapshot_writer_create(uint32_t arch, uint32_t kind, uint64_t id,
				struct ckvm_snapshot_writer **out)
{
	struct ckvm_snapshot_writer *w;

	if (!out)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->cap = 4096;
	w->buf = calloc(1, w->cap);
	if (!w->buf) {
		free(w);
		return -ENOMEM;
	}
	w->len = CKVM_SNAPSHOT_HEADER_SIZE;
	w->arch = arch ? arch : ckvm_snapshot_host_arch();
	w->kind = kind;
	w->id = id;
	*out = w;
	return 0;
}

void ckvm_snapshot_writer_free(struct ckvm_snapshot_writer *w)
{
	if (!w)
		return;
	free(w->buf);
	free(w);
}

void *ckvm__snap_reserve(struct ckvm_snapshot_writer *w, uint16_t type, uint16_t flags,
			 size_t len)
{
	size_t need, rec;
	uint8_t *p;

	if (!w)
		return NULL;
	if (w->error)
		return NULL;
	if (!w->buf) {
		w->error = -EINVAL; /* already finished */
		return NULL;
	}
	if (type == 0) {
		w->error = -EINVAL;
		return NULL;
	}
	if (len > CKVM_SNAPSHOT_MAX_PAYLOAD || w->nrecords >= CKVM_SNAPSHOT_MAX_RECORDS) {
		w->error = -E2BIG;
		return NULL;
	}
	rec = CKVM__SNAP_REC_HDR + pad8(len);
	if (rec > CKVM_SNAPSHOT_MAX_SIZE - w->len) {
		w->error = -E2BIG;
		return NULL;
	}
	need = w->len + rec;
	if (need > w->cap) {
		size_t cap = w->cap;
		uint8_t *nb;

		while (cap < need)
			cap *= 2;
		nb = realloc(w->buf, cap);
		if (!nb) {
			w->error = -ENOMEM;
			return NULL;
		}
		w->buf = nb;
		w->cap = cap;
	}
	p = w->buf + w->len;
	memset(p, 0, rec);
	ckvm__put16(p, type);
	ckvm__put16(p + 2, flags);
	ckvm__put32(p + 4, (uint32_t)len);
	w->len = need;
	w->nrecords++;
	return p + CKVM__SNAP_REC_HDR;
}

int ckvm_snapshot_writer_add(struct ckvm_snapshot_writer *w, uint16_t type, uint16_t flags,
			     const void *data, size_t len)
{
	void *p;

	if (!w || (!data && len))
		return -EINVAL;
	p = ckvm__snap_reserve(w, type, flags, len);
	if (!p)
		return w->error;
	if (len)
		memcpy(p, data, len);
	return 0;
}

int ckvm_snapshot_writer_set_flags(struct ckvm_snapshot_writer *w, uint32_t flags)
{
	if (!w)
		return -EINVAL;
	w->flags = flags;
	return 0;
}

int ckvm_snapshot_writer_finish(struct ckvm_snapshot_writer *w, void **blob, size_t *len)
{
	uint8_t *b;

	if (!w || !blob || !len)
		return -EINVAL;
	if (w->error)
		return w->error;
	if (!w->buf)
		return -EINVAL;
	b = w->buf;
	memset(b, 0, CKVM_SNAPSHOT_HEADER_SIZE);
	memcpy(b + CKVM__SNAP_OFF_MAGIC, CKVM_SNAPSHOT_MAGIC, 8);
	ckvm__put16(b + CKVM__SNAP_OFF_MAJOR, CKVM_SNAPSHOT_VERSION_MAJOR);
	ckvm__put16(b + CKVM__SNAP_OFF_MINOR, CKVM_SNAPSHOT_VERSION_MINOR);
	ckvm__put32(b + CKVM__SNAP_OFF_HDRSIZE, CKVM_SNAPSHOT_HEADER_SIZE);
	ckvm__put32(b + CKVM__SNAP_OFF_ARCH, w->arch);
	ckvm__put32(b + CKVM__SNAP_OFF_KIND, w->kind);
	ckvm__put32(b + CKVM__SNAP_OFF_FLAGS, w->flags);
	ckvm__put32(b + CKVM__SNAP_OFF_NRECORDS, w->nrecords);
	ckvm__put64(b + CKVM__SNAP_OFF_SIZE, w->len);
	ckvm__put64(b + CKVM__SNAP_OFF_ID, w->id);
	ckvm__put32(b + CKVM__SNAP_OFF_CRC, blob_crc(b, w->len));
	*blob = b;
	*len = w->len;
	w->buf = NULL;
	w->len = w->cap = 0;
	w->nrecords = 0;
	return 0;
}

void ckvm_snapshot_free(void *blob)
{
	free(blob);
}

/* ======================= reader ========================================== */
/*
 * Header checks shared by parse and next. full: also the checksum and the
 * record walk.
 */
static int parse_header(const uint8_t *b, size_t len, struct ckvm_snapshot_info *info)
{
	uint64_t size;
	uint32_t hdr;
	uint16_t major;

	if (len < CKVM_SNAPSHOT_HEADER_SIZE)
		return -EBADMSG;
	if (memcmp(b + CKVM__SNAP_OFF_MAGIC, CKVM_SNAPSHOT_MAGIC, 8) != 0)
		return -EBADMSG;
	major = ckvm__get16(b + CKVM__SNAP_OFF_MAJOR);
	if (major == 0)
		return -EBADMSG;
	if (major != CKVM_SNAPSHOT_VERSION_MAJOR)
		return -EPROTONOSUPPORT;
	hdr = ckvm__get32(b + CKVM__SNAP_OFF_HDRSIZE);
	size = ckvm__get64(b + CKVM__SNAP_OFF_SIZE);
	if (hdr < CKVM_SNAPSHOT_HEADER_SIZE || hdr % 8 || size > CKVM_SNAPSHOT_MAX_SIZE ||
	    hdr > size || size % 8 || size > len)
		return -EBADMSG;
	info->version_major = major;
	info->version_minor = ckvm__get16(b + CKVM__SNAP_OFF_MINOR);
	info->header_size = hdr;
	info->arch = ckvm__get32(b + CKVM__SNAP_OFF_ARCH);
	info->kind = ckvm__get32(b + CKVM__SNAP_OFF_KIND);
	info->flags = ckvm__get32(b + CKVM__SNAP_OFF_FLAGS);
	info->nrecords = ckvm__get32(b + CKVM__SNAP_OFF_NRECORDS);
	info->size = size;
	info->id = ckvm__get64(b + CKVM__SNAP_OFF_ID);
	return 0;
}

/* Decode the record at pos (< end); returns the next position or 0 if malformed. */
static size_t record_at(const uint8_t *b, size_t pos, size_t end,
			struct ckvm_snapshot_record *rec)
{
	uint32_t rlen;
	size_t padded, i;

	if (pos % 8 || end - pos < CKVM__SNAP_REC_HDR)
		return 0;
	rlen = ckvm__get32(b + pos + 4);
	if (rlen > CKVM_SNAPSHOT_MAX_PAYLOAD)
		return 0;
	padded = pad8(rlen);
	if (end - pos - CKVM__SNAP_REC_HDR < padded)
		return 0;
	rec->type = ckvm__get16(b + pos);
	rec->flags = ckvm__get16(b + pos + 2);
	rec->len = rlen;
	rec->data = b + pos + CKVM__SNAP_REC_HDR;
	if (rec->type == 0)
		return 0;
	for (i = rlen; i < padded; i++)
		if (b[pos + CKVM__SNAP_REC_HDR + i])
			return 0;
	return pos + CKVM__SNAP_REC_HDR + padded;
}

int ckvm_snapshot_parse(const void *blob, size_t len, struct ckvm_snapshot_info *info)
{
	const uint8_t *b = blob;
	struct ckvm_snapshot_info tmp;
	struct ckvm_snapshot_record rec;
	size_t pos;
	uint32_t i;
	int r;

	if (!blob)
		return -EINVAL;
	r = parse_header(b, len, &tmp);
	if (r < 0)
		return r;
	if (tmp.flags & CKVM_SNAPSHOT_FLAGS_INCOMPAT_MASK)
		return -EPROTONOSUPPORT;
	if (ckvm__get32(b + CKVM__SNAP_OFF_CRC) != blob_crc(b, tmp.size))
		return -EBADMSG;
	if (tmp.nrecords > CKVM_SNAPSHOT_MAX_RECORDS)
		return -EBADMSG;
	pos = tmp.header_size;
	for (i = 0; i < tmp.nrecords; i++) {
		pos = record_at(b, pos, tmp.size, &rec);
		if (!pos)
			return -EBADMSG;
	}
	if (pos != tmp.size)
		return -EBADMSG;
	if (info)
		*info = tmp;
	return 0;
}

int ckvm_snapshot_next(const void *blob, size_t len, size_t *cursor,
		       struct ckvm_snapshot_record *rec)
{
	struct ckvm_snapshot_info info;
	size_t pos, next;
	int r;

	if (!blob || !cursor || !rec)
		return -EINVAL;
	r = parse_header(blob, len, &info);
	if (r < 0)
		return r;
	pos = *cursor < info.header_size ? info.header_size : *cursor;
	if (pos == info.size)
		return 0;
	if (pos > info.size)
		return -EBADMSG;
	next = record_at(blob, pos, info.size, rec);
	if (!next)
		return -EBADMSG;
	*cursor = next;
	return 1;
}

int ckvm_snapshot_find(const void *blob, size_t len, uint16_t type,
		       struct ckvm_snapshot_record *rec)
{
	struct ckvm_snapshot_record tmp;
	size_t cursor = 0;
	int r;

	if (!rec)
		return -EINVAL;
	r = ckvm_snapshot_parse(blob, len, NULL);
	if (r < 0)
		return r;
	while ((r = ckvm_snapshot_next(blob, len, &cursor, &tmp)) > 0) {
		if (tmp.type == type) {
			*rec = tmp;
			return 1;
		}
	}
	return r;
}

size_t ckvm_snapshot_record_copy(const struct ckvm_snapshot_record *rec, void *dst, size_t size)
{
	size_t n;

	if (!rec || !dst)
		return 0;
	n = rec->len < size ? rec->len : size;
	if (n)
		memcpy(dst, rec->data, n);
	if (n < size)
		memset((uint8_t *)dst + n, 0, size - n);
	return n;
}

bool ckvm__snap_common_type(uint16_t type)
{
	return type == CKVM_SNAPSHOT_REC_MP_STATE || type == CKVM_SNAPSHOT_REC_MEM_REGIONS ||
	       type == CKVM_SNAPSHOT_REC_ONE_REGS;
}

int ckvm__snap_skip_unknown(const struct ckvm_snapshot_record *rec)
{
	if ((rec->flags & CKVM_SNAPSHOT_REC_REQUIRED) && !ckvm__snap_common_type(rec->type))
		return -EPROTONOSUPPORT;
	return 0;
}

/* ======================= region table ==================================== */
struct span {
	uint64_t key;   /* grouping key (as_id) */
	uint64_t start;
	uint64_t end;   /* exclusive */
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

/* Sort and look for overlaps within the same key. */
static bool spans_overlap(struct span *s, size_t n)
{
	size_t i;

	qsort(s, n, sizeof(*s), span_cmp);
	for (i = 1; i < n; i++)
		if (s[i].key == s[i - 1].key && s[i].start < s[i - 1].end)
			return true;
	return false;
}

int ckvm__snap_regions_check(const struct ckvm_snapshot_region *r, size_t n,
			     uint64_t page_size)
{
	struct span *s;
	size_t i;
	int ret = 0;

	if (n == 0)
		return 0;
	if (!r || n > CKVM__SNAP_MAX_REGIONS || page_size < 4096 || (page_size & (page_size - 1)) ||
	    page_size > (1u << 30))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (r[i].memory_size == 0 || r[i].memory_size % page_size ||
		    r[i].guest_phys_addr % page_size || r[i].file_offset % page_size)
			return -EINVAL;
		if (r[i].guest_phys_addr > UINT64_MAX - r[i].memory_size ||
		    r[i].file_offset > (uint64_t)INT64_MAX - r[i].memory_size)
			return -EINVAL;
	}
	s = calloc(n, sizeof(*s));
	if (!s)
		return -ENOMEM;
	/* guest ranges per address space (slot >> 16) */
	for (i = 0; i < n; i++)
		s[i] = (struct span){ r[i].slot >> 16, r[i].guest_phys_addr,
				      r[i].guest_phys_addr + r[i].memory_size };
	if (spans_overlap(s, n))
		ret = -EINVAL;
	/* unique slots */
	for (i = 0; !ret && i < n; i++)
		s[i] = (struct span){ 0, r[i].slot, (uint64_t)r[i].slot + 1 };
	if (!ret && spans_overlap(s, n))
		ret = -EINVAL;
	/* file ranges */
	for (i = 0; !ret && i < n; i++)
		s[i] = (struct span){ 0, r[i].file_offset, r[i].file_offset + r[i].memory_size };
	if (!ret && spans_overlap(s, n))
		ret = -EINVAL;
	free(s);
	return ret;
}

/*
 * Payload: u32 count, u32 entry_size, u32 page_size, u32 reserved, then
 * count entries of entry_size bytes: u32 slot, u32 flags, u64 gpa,
 * u64 size, u64 file_offset (32 bytes in 1.0; longer entries are truncated,
 * shorter ones zero-padded, entry_size a multiple of 8 in [8, 4096]).
 */
int ckvm__snap_regions_decode(const struct ckvm_snapshot_record *rec,
			      struct ckvm_snapshot_region *out, size_t max)
{
	const uint8_t *p = rec->data;
	struct ckvm_snapshot_region *all;
	uint32_t count, esize, psize, i;
	int r;

	if (rec->len < 16)
		return -EBADMSG;
	count = ckvm__get32(p);
	esize = ckvm__get32(p + 4);
	psize = ckvm__get32(p + 8);
	if (count > CKVM__SNAP_MAX_REGIONS || esize < 8 || esize % 8 || esize > 4096)
		return -EBADMSG;
	if ((uint64_t)count * esize > rec->len - 16)
		return -EBADMSG;
	if (count == 0)
		return 0;
	all = calloc(count, sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		uint8_t e[CKVM__SNAP_REGION_ENTRY] = { 0 };

		memcpy(e, p + 16 + (size_t)i * esize,
		       esize < sizeof(e) ? esize : sizeof(e));
		all[i].slot = ckvm__get32(e);
		all[i].flags = ckvm__get32(e + 4);
		all[i].guest_phys_addr = ckvm__get64(e + 8);
		all[i].memory_size = ckvm__get64(e + 16);
		all[i].file_offset = ckvm__get64(e + 24);
	}
	r = ckvm__snap_regions_check(all, count, psize);
	if (r == -ENOMEM) {
		free(all);
		return r;
	}
	if (r < 0) {
		free(all);
		return -EBADMSG;
	}
	if (out)
		memcpy(out, all, (count < max ? count : max) * sizeof(*out));
	free(all);
	return (int)count;
}

static int regions_encode(const struct ckvm_snapshot_region *r, size_t n, uint64_t page_size,
			  struct ckvm_snapshot_writer *w)
{
	uint8_t *p;
	size_t i;

	p = ckvm__snap_reserve(w, CKVM_SNAPSHOT_REC_MEM_REGIONS, 0,
			       16 + n * CKVM__SNAP_REGION_ENTRY);
	if (!p)
		return w->error;
	ckvm__put32(p, (uint32_t)n);
	ckvm__put32(p + 4, CKVM__SNAP_REGION_ENTRY);
	ckvm__put32(p + 8, (uint32_t)page_size);
	for (i = 0; i < n; i++) {
		uint8_t *e = p + 16 + i * CKVM__SNAP_REGION_ENTRY;

		ckvm__put32(e, r[i].slot);
		ckvm__put32(e + 4, r[i].flags);
		ckvm__put64(e + 8, r[i].guest_phys_addr);
		ckvm__put64(e + 16, r[i].memory_size);
		ckvm__put64(e + 24, r[i].file_offset);
	}
	return 0;
}

/* Common checks of a VM blob: at most one region table, and a valid one. */
static int validate_common(const void *blob, size_t len, const struct ckvm_snapshot_info *info)
{
	struct ckvm_snapshot_record rec;
	size_t cursor = 0;
	bool seen = false;
	int r;

	if (info->kind != CKVM_SNAPSHOT_KIND_VM)
		return 0;
	while ((r = ckvm_snapshot_next(blob, len, &cursor, &rec)) > 0) {
		if (rec.type != CKVM_SNAPSHOT_REC_MEM_REGIONS)
			continue;
		if (seen)
			return -EBADMSG;
		seen = true;
		r = ckvm__snap_regions_decode(&rec, NULL, 0);
		if (r < 0)
			return r;
	}
	return r;
}

/* Container + arch + kind; then common and arch record checks. */
static int validate_blob(const void *blob, size_t len, uint32_t want_kind,
			 struct ckvm_snapshot_info *info)
{
	int r = ckvm_snapshot_parse(blob, len, info);

	if (r < 0)
		return r;
	if (info->arch != ckvm_snapshot_host_arch())
		return -ENOEXEC;
	if (info->kind != CKVM_SNAPSHOT_KIND_VCPU && info->kind != CKVM_SNAPSHOT_KIND_VM)
		return -EINVAL;
	if (want_kind && info->kind != want_kind)
		return -EINVAL;
	r = validate_common(blob, len, info);
	if (r < 0)
		return r;
	return ckvm__snap_arch_validate(blob, len, info);
}

int ckvm_snapshot_validate(const void *blob, size_t len)
{
	struct ckvm_snapshot_info info;

	return validate_blob(blob, len, 0, &info);
}

int ckvm_snapshot_get_regions(const void *blob, size_t len,
			      struct ckvm_snapshot_region *regions, size_t max)
{
	struct ckvm_snapshot_info info;
	struct ckvm_snapshot_record rec;
	size_t i;
	int r;

	if (max && !regions)
		return -EINVAL;
	r = validate_blob(blob, len, CKVM_SNAPSHOT_KIND_VM, &info);
	if (r < 0)
		return r;
	r = ckvm_snapshot_find(blob, len, CKVM_SNAPSHOT_REC_MEM_REGIONS, &rec);
	if (r <= 0)
		return r;
	r = ckvm__snap_regions_decode(&rec, regions, max);
	for (i = 0; r > 0 && i < max && i < (size_t)r; i++)
		regions[i].host = NULL;
	return r;
}

/* ======================= ONE_REG list ==================================== */
static size_t one_reg_size(uint64_t id)
{
	unsigned shift = (unsigned)((id & KVM_REG_SIZE_MASK) >> KVM_REG_SIZE_SHIFT);

	return shift > 8 ? 0 : (size_t)1 << shift; /* > U2048 is invalid */
}

int ckvm__snap_one_regs_save(struct ckvm_vcpu *vcpu, const uint64_t *ids, size_t n,
			     struct ckvm_snapshot_writer *w)
{
	size_t i, bytes = 8;
	uint8_t *p;

	if (n > CKVM__SNAP_MAX_ONE_REGS || (n && !ids))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		size_t sz = one_reg_size(ids[i]);

		if (!sz)
			return -EINVAL;
		bytes += 8 + pad8(sz);
	}
	p = ckvm__snap_reserve(w, CKVM_SNAPSHOT_REC_ONE_REGS, 0, bytes);
	if (!p)
		return w->error;
	ckvm__put64(p, n);
	p += 8;
	for (i = 0; i < n; i++) {
		size_t sz = one_reg_size(ids[i]);
		int r;

		ckvm__put64(p, ids[i]);
		r = ckvm_vcpu_get_one_reg(vcpu, ids[i], p + 8, pad8(sz));
		if (r < 0) {
			w->error = r;
			return r;
		}
		p += 8 + pad8(sz);
	}
	return 0;
}

int ckvm__snap_one_regs_each(const struct ckvm_snapshot_record *rec,
			     int (*fn)(void *opaque, uint64_t id, const void *val, size_t size),
			     void *opaque)
{
	const uint8_t *p = rec->data;
	size_t pos = 8;
	uint64_t n, i;

	if (rec->len < 8)
		return -EBADMSG;
	n = ckvm__get64(p);
	if (n > CKVM__SNAP_MAX_ONE_REGS)
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		uint64_t id;
		size_t sz;
		int r;

		if (rec->len - pos < 8)
			return -EBADMSG;
		id = ckvm__get64(p + pos);
		sz = one_reg_size(id);
		if (!sz || rec->len - pos - 8 < pad8(sz))
			return -EBADMSG;
		if (fn) {
			r = fn(opaque, id, p + pos + 8, sz);
			if (r)
				return r;
		}
		pos += 8 + pad8(sz);
	}
	return 0;
}

int64_t ckvm__snap_one_regs_check(const struct ckvm_snapshot_record *rec)
{
	int r = ckvm__snap_one_regs_each(rec, NULL, NULL);

	return r < 0 ? r : (int64_t)ckvm__get64(rec->data);
}

static int one_reg_set(void *opaque, uint64_t id, const void *val, size_t size)
{
	int r = ckvm_vcpu_set_one_reg(opaque, id, val, size);

	return r < 0 ? r : 0;
}

int ckvm__snap_one_regs_apply(struct ckvm_vcpu *vcpu, const struct ckvm_snapshot_record *rec)
{
	return ckvm__snap_one_regs_each(rec, one_reg_set, vcpu);
}

/* ======================= contexts and entry points ======================= */
int ckvm_snapshot_ctx_create(struct ckvm *kvm, struct ckvm_vm *vm,
			     struct ckvm_snapshot_ctx **out)
{
	struct ckvm_snapshot_ctx *ctx;
	long ps;
	int r;

	if (!vm || !out)
		return -EINVAL;
	/* A VM whose fd is gone would give a context with every capability "absent". */
	if (fcntl(ckvm_vm_fd(vm), F_GETFD) < 0)
		return -EBADF;
	if (kvm && fcntl(ckvm_fd(kvm), F_GETFD) < 0)
		return -EBADF;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->vm = vm;
	ps = sysconf(_SC_PAGESIZE);
	ctx->page_size = ps > 0 ? (size_t)ps : 4096;
	r = ckvm__snap_arch_ctx_init(ctx, kvm);
	if (r < 0) {
		free(ctx);
		return r;
	}
	*out = ctx;
	return 0;
}

void ckvm_snapshot_ctx_free(struct ckvm_snapshot_ctx *ctx)
{
	if (!ctx)
		return;
	ckvm__snap_arch_ctx_fini(ctx);
	free(ctx);
}

int ckvm_snapshot_save_vcpu_records(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
				    uint32_t flags, struct ckvm_snapshot_writer *w)
{
	if (!ctx || !vcpu || !w || w->kind != CKVM_SNAPSHOT_KIND_VCPU ||
	    (flags & ~CKVM_SNAPSHOT_SAVE_NO_COMPLETE_IO))
		return -EINVAL;
	return ckvm__snap_arch_save_vcpu(ctx, vcpu, flags, w);
}

static int finish_or_free(struct ckvm_snapshot_writer *w, int r, void **blob, size_t *len)
{
	if (r >= 0)
		r = ckvm_snapshot_writer_finish(w, blob, len);
	ckvm_snapshot_writer_free(w);
	return r;
}

int ckvm_snapshot_save_vcpu(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
			    uint32_t flags, void **blob, size_t *len)
{
	struct ckvm_snapshot_writer *w;
	int r;

	if (!ctx || !vcpu || !blob || !len)
		return -EINVAL;
	r = ckvm_snapshot_writer_create(0, CKVM_SNAPSHOT_KIND_VCPU, ckvm_vcpu_id(vcpu), &w);
	if (r < 0)
		return r;
	r = ckvm_snapshot_save_vcpu_records(ctx, vcpu, flags, w);
	return finish_or_free(w, r, blob, len);
}

int ckvm_snapshot_restore_vcpu(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
			       const void *blob, size_t len, uint32_t flags)
{
	struct ckvm_snapshot_info info;
	int r;

	if (!ctx || !vcpu || !blob || (flags & ~CKVM_SNAPSHOT_RESTORE_KEEP_TSC_KHZ))
		return -EINVAL;
	r = ckvm_snapshot_parse(blob, len, &info);
	if (r < 0)
		return r;
	if (info.arch != ckvm_snapshot_host_arch())
		return -ENOEXEC;
	if (info.kind != CKVM_SNAPSHOT_KIND_VCPU)
		return -EINVAL;
	/* the arch hook validates every record before its first ioctl */
	return ckvm__snap_arch_restore_vcpu(ctx, vcpu, blob, len, flags);
}

int ckvm_snapshot_save_vm_records(struct ckvm_snapshot_ctx *ctx,
				  const struct ckvm_snapshot_region *regions, size_t n,
				  uint32_t flags, struct ckvm_snapshot_writer *w)
{
	int r;

	if (!ctx || !w || w->kind != CKVM_SNAPSHOT_KIND_VM || (n && !regions) || flags)
		return -EINVAL;
	r = ckvm__snap_regions_check(regions, n, ctx->page_size);
	if (r < 0)
		return r;
	r = ckvm__snap_arch_save_vm(ctx, flags, w);
	if (r < 0)
		return r;
	return regions_encode(regions, n, ctx->page_size, w);
}

int ckvm_snapshot_save_vm(struct ckvm_snapshot_ctx *ctx,
			  const struct ckvm_snapshot_region *regions, size_t n,
			  uint32_t flags, void **blob, size_t *len)
{
	struct ckvm_snapshot_writer *w;
	int r;

	if (!ctx || !blob || !len)
		return -EINVAL;
	r = ckvm_snapshot_writer_create(0, CKVM_SNAPSHOT_KIND_VM, 0, &w);
	if (r < 0)
		return r;
	r = ckvm_snapshot_save_vm_records(ctx, regions, n, flags, w);
	return finish_or_free(w, r, blob, len);
}

int ckvm_snapshot_restore_vm(struct ckvm_snapshot_ctx *ctx, const void *blob, size_t len,
			     uint32_t flags)
{
	struct ckvm_snapshot_info info;
	int r;

	if (!ctx || !blob || (flags & ~CKVM_SNAPSHOT_RESTORE_CLOCK_REALTIME))
		return -EINVAL;
	r = ckvm_snapshot_parse(blob, len, &info);
	if (r < 0)
		return r;
	if (info.arch != ckvm_snapshot_host_arch())
		return -ENOEXEC;
	if (info.kind != CKVM_SNAPSHOT_KIND_VM)
		return -EINVAL;
	r = validate_common(blob, len, &info);
	if (r < 0)
		return r;
	/* the arch hook validates every record before its first ioctl */
	return ckvm__snap_arch_restore_vm(ctx, blob, len, flags);
}

/* ======================= stubs for arches without a record set =========== */
#ifndef CKVM__SNAP_HAVE_ARCH
int ckvm__snap_arch_ctx_init(struct ckvm_snapshot_ctx *ctx, struct ckvm *kvm)
{
	(void)ctx;
	(void)kvm;
	return 0;
}

void ckvm__snap_arch_ctx_fini(struct ckvm_snapshot_ctx *ctx)
{
	(void)ctx;
}

int ckvm__snap_arch_save_vcpu(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
			      uint32_t flags, struct ckvm_snapshot_writer *w)
{
	return -EOPNOTSUPP;
}

int ckvm__snap_arch_restore_vcpu(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
				 const void *blob, size_t len, uint32_t flags)
{
	return -EOPNOTSUPP;
}

int ckvm__snap_arch_save_vm(struct ckvm_snapshot_ctx *ctx, uint32_t flags,
			    struct ckvm_snapshot_writer *w)
{
	return -EOPNOTSUPP;
}

int ckvm__snap_arch_restore_vm(struct ckvm_snapshot_ctx *ctx, const void *blob, size_t len,
			       uint32_t flags)
{
	return -EOPNOTSUPP;
}

int ckvm__snap_arch_validate(const void *blob, size_t len, const struct ckvm_snapshot_info *info)
{
	return -EOPNOTSUPP;
}
#endif
