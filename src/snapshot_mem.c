/* SPDX-License-Identifier: MIT */
/*
 * snapshot_mem.c - guest memory save/restore for snapshots.
 *
 * The memory file holds each region's bytes at its file_offset (page
 * aligned), so that it can be mmap()ed back (MAP_PRIVATE for copy-on-write
 * clones, MAP_SHARED to keep writing to it). A full save writes non-zero
 * pages and leaves zero pages as holes; an incremental save writes only the
 * pages KVM's dirty log reports, in place. Restoring copies the file back,
 * or only the pages the guest dirtied (reverting to the snapshot).
 */
#include "snapshot_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK_MAX ((size_t)1 << 30) /* largest single pread/pwrite */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

static const uint8_t zero4k[4096];

static size_t host_page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (size_t)ps : 4096;
}

static bool page_is_zero(const uint8_t *p, size_t ps)
{
	size_t i;

	for (i = 0; i < ps; i += sizeof(zero4k))
		if (memcmp(p + i, zero4k, sizeof(zero4k)) != 0)
			return false;
	return true;
}

static int write_all(int fd, const uint8_t *p, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len < CHUNK_MAX ? len : CHUNK_MAX, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* Read exactly len bytes; a short file gives -EBADMSG. */
static int read_all(int fd, uint8_t *p, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pread(fd, p, len < CHUNK_MAX ? len : CHUNK_MAX, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EBADMSG;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* Regions valid for this host and (if need_host) mapped. */
static int check_regions(const struct ckvm_snapshot_region *r, size_t n, bool need_host)
{
	size_t i;
	int ret;

	if (n && !r)
		return -EINVAL;
	ret = ckvm__snap_regions_check(r, n, host_page_size());
	if (ret < 0)
		return ret;
	for (i = 0; need_host && i < n; i++)
		if (!r[i].host)
			return -EINVAL;
	return 0;
}

static uint64_t layout_end(const struct ckvm_snapshot_region *r, size_t n)
{
	uint64_t end = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i].file_offset + r[i].memory_size > end)
			end = r[i].file_offset + r[i].memory_size;
	return end;
}

/* fd must be a regular file (or memfd) of at least min bytes. */
static int check_file(int fd, uint64_t min, uint64_t *size)
{
	struct stat st;

	if (fd < 0)
		return -EBADF;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -ESPIPE;
	if ((uint64_t)st.st_size < min)
		return -EBADMSG;
	if (size)
		*size = (uint64_t)st.st_size;
	return 0;
}

int ckvm_snapshot_mem_layout(struct ckvm_snapshot_region *regions, size_t n, uint64_t align,
			     uint64_t *file_size)
{
	uint64_t ps = host_page_size(), off = 0;
	size_t i;
	int r;

	if ((n && !regions) || !file_size)
		return -EINVAL;
	if (align == 0)
		align = ps;
	if (align < ps || (align & (align - 1)) || align > (1ull << 40))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (regions[i].memory_size == 0 || regions[i].memory_size % ps)
			return -EINVAL;
		off = (off + align - 1) & ~(align - 1);
		if (off > (uint64_t)INT64_MAX - regions[i].memory_size)
			return -E2BIG;
		regions[i].file_offset = off;
		off += regions[i].memory_size;
	}
	r = ckvm__snap_regions_check(regions, n, ps);
	if (r < 0)
		return r;
	*file_size = off;
	return 0;
}

int ckvm_snapshot_mem_save(int fd, const struct ckvm_snapshot_region *regions, size_t n)
{
	size_t ps = host_page_size(), i;
	int r;

	r = check_regions(regions, n, true);
	if (r < 0)
		return r;
	r = check_file(fd, 0, NULL);
	if (r < 0)
		return r;
	if (ftruncate(fd, 0) < 0 || ftruncate(fd, (off_t)layout_end(regions, n)) < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		const uint8_t *base = regions[i].host;
		uint64_t size = regions[i].memory_size, pos = 0;

		while (pos < size) {
			uint64_t end;

			/* skip zero pages (they stay holes), then write a non-zero run */
			while (pos < size && page_is_zero(base + pos, ps))
				pos += ps;
			end = pos;
			while (end < size && !page_is_zero(base + end, ps))
				end += ps;
			if (end > pos) {
				r = write_all(fd, base + pos, (size_t)(end - pos),
					      regions[i].file_offset + pos);
				if (r < 0)
					return r;
			}
			pos = end;
		}
	}
	return 0;
}

/* Zero the non-zero pages of [p, p+len). */
static void zero_nonzero_pages(uint8_t *p, uint64_t len, size_t ps)
{
	uint64_t pos;

	for (pos = 0; pos < len; pos += ps)
		if (!page_is_zero(p + pos, ps))
			memset(p + pos, 0, ps);
}

static int restore_region(int fd, const struct ckvm_snapshot_region *reg, size_t ps)
{
	uint8_t *base = reg->host;
	uint64_t off = reg->file_offset, end = off + reg->memory_size, pos = off;

	while (pos < end) {
		off_t data = lseek(fd, (off_t)pos, SEEK_DATA);
		off_t hole;
		int r;

		if (data < 0 && errno == ENXIO)
			data = (off_t)end; /* only a hole remains */
		else if (data < 0)
			/* no SEEK_DATA here: copy the rest */
			return read_all(fd, base + (pos - off), (size_t)(end - pos), pos);
		if ((uint64_t)data > end)
			data = (off_t)end;
		/* extents are reported at block granularity; keep page alignment */
		data = (off_t)((uint64_t)data & ~(uint64_t)(ps - 1));
		if ((uint64_t)data < pos)
			data = (off_t)pos;
		zero_nonzero_pages(base + (pos - off), (uint64_t)data - pos, ps);
		pos = (uint64_t)data;
		if (pos >= end)
			break;
		hole = lseek(fd, (off_t)pos, SEEK_HOLE);
		if (hole < 0 || (uint64_t)hole > end)
			hole = (off_t)end;
		hole = (off_t)(((uint64_t)hole + ps - 1) & ~(uint64_t)(ps - 1));
		if ((uint64_t)hole > end)
			hole = (off_t)end;
		if ((uint64_t)hole <= pos)
			hole = (off_t)(pos + ps);
		/*
		 * Fault the destination in with one call before reading into it:
		 * about twice as fast as page by page on fresh memory. Only a
		 * hint; older kernels refuse it.
		 */
		(void)madvise(base + (pos - off), (size_t)((uint64_t)hole - pos), MADV_POPULATE_WRITE);
		r = read_all(fd, base + (pos - off), (size_t)((uint64_t)hole - pos), pos);
		if (r < 0)
			return r;
		pos = (uint64_t)hole;
	}
	return 0;
}

int ckvm_snapshot_mem_restore(int fd, const struct ckvm_snapshot_region *regions, size_t n)
{
	size_t ps = host_page_size(), i;
	int r;

	r = check_regions(regions, n, true);
	if (r < 0)
		return r;
	r = check_file(fd, layout_end(regions, n), NULL);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		r = restore_region(fd, &regions[i], ps);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Copy the runs of set bits between the region and the file. */
static int64_t copy_pages(int fd, const struct ckvm_snapshot_region *reg,
			  const uint64_t *bitmap, size_t nwords, bool to_file)
{
	size_t ps = host_page_size();
	uint64_t npages = reg->memory_size / ps, page = 0;
	int64_t count = 0;
	uint8_t *base = reg->host;

	if (nwords < ckvm_dirty_log_words(reg->memory_size))
		return -EINVAL;
	while (page < npages) {
		uint64_t w = bitmap[page / 64] >> (page % 64), end;
		int r;

		if (!w) { /* skip to the next word */
			page = (page / 64 + 1) * 64;
			continue;
		}
		page += (uint64_t)__builtin_ctzll(w);
		if (page >= npages)
			break;
		end = page + 1;
		while (end < npages && (bitmap[end / 64] >> (end % 64)) & 1)
			end++;
		if (to_file)
			r = write_all(fd, base + page * ps, (size_t)((end - page) * ps),
				      reg->file_offset + page * ps);
		else
			r = read_all(fd, base + page * ps, (size_t)((end - page) * ps),
				     reg->file_offset + page * ps);
		if (r < 0)
			return r;
		count += (int64_t)(end - page);
		page = end;
	}
	return count;
}

static int64_t pages_common(int fd, const struct ckvm_snapshot_region *region,
			    const uint64_t *bitmap, size_t nwords, bool to_file)
{
	int r;

	if (!region || !bitmap)
		return -EINVAL;
	r = check_regions(region, 1, true);
	if (r < 0)
		return r;
	r = check_file(fd, region->file_offset + region->memory_size, NULL);
	if (r < 0)
		return r;
	return copy_pages(fd, region, bitmap, nwords, to_file);
}

int64_t ckvm_snapshot_mem_save_pages(int fd, const struct ckvm_snapshot_region *region,
				     const uint64_t *bitmap, size_t nwords)
{
	return pages_common(fd, region, bitmap, nwords, true);
}

int64_t ckvm_snapshot_mem_restore_pages(int fd, const struct ckvm_snapshot_region *region,
					const uint64_t *bitmap, size_t nwords)
{
	return pages_common(fd, region, bitmap, nwords, false);
}

static int dirty_common(struct ckvm_vm *vm, int fd, const struct ckvm_snapshot_region *regions,
			size_t n, uint64_t *pages, bool to_file)
{
	uint64_t *bitmap = NULL, total = 0;
	size_t words = 0, i;
	int r;

	if (!vm)
		return -EINVAL;
	r = check_regions(regions, n, true);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		size_t w = ckvm_dirty_log_words(regions[i].memory_size);

		if (!(regions[i].flags & KVM_MEM_LOG_DIRTY_PAGES))
			return -EINVAL;
		if (w > words)
			words = w;
	}
	r = check_file(fd, layout_end(regions, n), NULL);
	if (r < 0)
		return r;
	if (words) {
		/* zeroed: the kernel's write is invisible to checkers like valgrind */
		bitmap = calloc(words, sizeof(*bitmap));
		if (!bitmap)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		size_t w = ckvm_dirty_log_words(regions[i].memory_size);
		int64_t c;

		r = ckvm_vm_get_dirty_log(vm, regions[i].slot, regions[i].memory_size, bitmap, w);
		if (r < 0)
			break;
		c = copy_pages(fd, &regions[i], bitmap, w, to_file);
		if (c < 0) {
			r = (int)c;
			break;
		}
		total += (uint64_t)c;
		r = 0;
	}
	free(bitmap);
	if (pages)
		*pages = total;
	return r;
}

int ckvm_snapshot_mem_save_dirty(struct ckvm_vm *vm, int fd,
				 const struct ckvm_snapshot_region *regions, size_t n,
				 uint64_t *pages)
{
	return dirty_common(vm, fd, regions, n, pages, true);
}

int ckvm_snapshot_mem_restore_dirty(struct ckvm_vm *vm, int fd,
				    const struct ckvm_snapshot_region *regions, size_t n,
				    uint64_t *pages)
{
	return dirty_common(vm, fd, regions, n, pages, false);
}

int ckvm_snapshot_mem_map(int fd, struct ckvm_snapshot_region *regions, size_t n, bool shared)
{
	size_t i;
	int r;

	r = check_regions(regions, n, false);
	if (r < 0)
		return r;
	/* mapping past the end of the file would SIGBUS on access */
	r = check_file(fd, layout_end(regions, n), NULL);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		void *p = mmap(NULL, (size_t)regions[i].memory_size, PROT_READ | PROT_WRITE,
			       shared ? MAP_SHARED : (MAP_PRIVATE | MAP_NORESERVE), fd,
			       (off_t)regions[i].file_offset);

		if (p == MAP_FAILED) {
			r = -errno;
			while (i--) {
				munmap(regions[i].host, (size_t)regions[i].memory_size);
				regions[i].host = NULL;
			}
			return r;
		}
		regions[i].host = p;
	}
	return 0;
}

void ckvm_snapshot_mem_unmap(struct ckvm_snapshot_region *regions, size_t n)
{
	size_t i;

	for (i = 0; regions && i < n; i++) {
		if (regions[i].host)
			munmap(regions[i].host, (size_t)regions[i].memory_size);
		regions[i].host = NULL;
	}
}
