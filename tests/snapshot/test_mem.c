/* SPDX-License-Identifier: MIT */
/*
 * test_mem.c - the memory-file helpers without /dev/kvm: layout, full save
 * (sparse: zero pages stay holes), restore into dirty buffers, page-bitmap
 * save/restore, mmap of the file (private and shared), and refusals.
 */
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PS 4096u

static uint8_t *anon(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

/* Two regions with a pattern in some pages and zero pages elsewhere. */
static void setup(struct ckvm_snapshot_region r[2])
{
	size_t i;

	memset(r, 0, 2 * sizeof(r[0]));
	r[0].slot = 0;
	r[0].guest_phys_addr = 0;
	r[0].memory_size = 16 * PS;
	r[0].host = anon(16 * PS);
	r[1].slot = 1;
	r[1].guest_phys_addr = 0x100000;
	r[1].memory_size = 32 * PS;
	r[1].host = anon(32 * PS);
	for (i = 0; i < 16; i += 3)
		memset((uint8_t *)r[0].host + i * PS, (int)(0x10 + i), PS);
	for (i = 1; i < 32; i += 5)
		memset((uint8_t *)r[1].host + i * PS + 100, (int)(0x40 + i), 8);
}

static void teardown(struct ckvm_snapshot_region r[2])
{
	munmap(r[0].host, r[0].memory_size);
	munmap(r[1].host, r[1].memory_size);
}

static int make_memfd(void)
{
	int fd = memfd_create("ckvm-snap-mem", MFD_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

static void test_layout(void **state)
{
	struct ckvm_snapshot_region r[2];
	uint64_t size;

	(void)state;
	setup(r);
	t_assert_ok(ckvm_snapshot_mem_layout(r, 2, 0, &size));
	assert_int_equal(r[0].file_offset, 0);
	assert_int_equal(r[1].file_offset, 16 * PS);
	assert_int_equal(size, 48 * PS);
	t_assert_ok(ckvm_snapshot_mem_layout(r, 2, 0x200000, &size));
	assert_int_equal(r[1].file_offset, 0x200000);
	assert_int_equal(size, 0x200000 + 32 * PS);
	t_assert_err(ckvm_snapshot_mem_layout(r, 2, 3000, &size), EINVAL);
	t_assert_err(ckvm_snapshot_mem_layout(r, 2, 2048, &size), EINVAL);
	r[1].memory_size = 100; /* not a page multiple */
	t_assert_err(ckvm_snapshot_mem_layout(r, 2, 0, &size), EINVAL);
	r[1].memory_size = 32 * PS;
	r[1].slot = 0; /* duplicate slot */
	t_assert_err(ckvm_snapshot_mem_layout(r, 2, 0, &size), EINVAL);
	r[1].slot = 1;
	r[1].guest_phys_addr = 8 * PS; /* overlaps region 0 in address space 0 */
	t_assert_err(ckvm_snapshot_mem_layout(r, 2, 0, &size), EINVAL);
	r[1].slot = 1u << 16 | 1; /* address space 1: no overlap */
	t_assert_ok(ckvm_snapshot_mem_layout(r, 2, 0, &size));
	teardown(r);
}

static void test_save_restore(void **state)
{
	struct ckvm_snapshot_region r[2], d[2];
	uint64_t size;
	struct stat st;
	uint8_t *buf;
	int fd = make_memfd(), i;

	(void)state;
	setup(r);
	t_assert_ok(ckvm_snapshot_mem_layout(r, 2, 0x10000, &size));
	/* stale content in the file must not survive a full save */
	buf = malloc(size + 3 * PS);
	assert_non_null(buf);
	memset(buf, 0xee, size + 3 * PS);
	assert_int_equal(pwrite(fd, buf, size + 3 * PS, 0), (ssize_t)(size + 3 * PS));
	t_assert_ok(ckvm_snapshot_mem_save(fd, r, 2));
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal((uint64_t)st.st_size, size);
	for (i = 0; i < 2; i++) {
		assert_int_equal(pread(fd, buf, r[i].memory_size, (off_t)r[i].file_offset),
				 (ssize_t)r[i].memory_size);
		assert_memory_equal(buf, r[i].host, r[i].memory_size);
	}
	/* sparse: the zero pages were not written (fewer blocks than bytes) */
	assert_true((uint64_t)st.st_blocks * 512 < size);
	/* the gap between the regions reads as zero */
	assert_int_equal(pread(fd, buf, PS, 16 * PS), PS);
	for (i = 0; i < (int)PS; i++)
		assert_int_equal(buf[i], 0);

	/* restore into buffers full of garbage */
	memcpy(d, r, sizeof(d));
	for (i = 0; i < 2; i++) {
		d[i].host = anon(r[i].memory_size);
		memset(d[i].host, 0x77, r[i].memory_size);
	}
	t_assert_ok(ckvm_snapshot_mem_restore(fd, d, 2));
	for (i = 0; i < 2; i++)
		assert_memory_equal(d[i].host, r[i].host, r[i].memory_size);
	/* page bitmaps: write 3 changed pages, then revert 2 pages from the file */
	{
		uint64_t bm[1] = { (1u << 2) | (1u << 3) | (1u << 9) };

		memset((uint8_t *)r[0].host + 2 * PS, 0xa1, 2 * PS);
		memset((uint8_t *)r[0].host + 9 * PS, 0xa2, PS);
		assert_int_equal(ckvm_snapshot_mem_save_pages(fd, &r[0], bm, 1), 3);
		assert_int_equal(pread(fd, buf, r[0].memory_size, 0), (ssize_t)r[0].memory_size);
		assert_memory_equal(buf, r[0].host, r[0].memory_size);
		memset(d[0].host, 0x33, r[0].memory_size);
		bm[0] = (1u << 3) | (1u << 9);
		assert_int_equal(ckvm_snapshot_mem_restore_pages(fd, &d[0], bm, 1), 2);
		assert_memory_equal((uint8_t *)d[0].host + 3 * PS, (uint8_t *)r[0].host + 3 * PS, PS);
		assert_memory_equal((uint8_t *)d[0].host + 9 * PS, (uint8_t *)r[0].host + 9 * PS, PS);
		assert_int_equal(((uint8_t *)d[0].host)[2 * PS], 0x33); /* not in the bitmap */
		assert_int_equal(ckvm_snapshot_mem_save_pages(fd, &r[0], bm, 0), -EINVAL);
	}
	for (i = 0; i < 2; i++)
		munmap(d[i].host, d[i].memory_size);
	free(buf);
	close(fd);
	teardown(r);
}

static void test_map(void **state)
{
	struct ckvm_snapshot_region r[2], m[2];
	uint64_t size;
	uint8_t byte;
	int fd = make_memfd(), i;

	(void)state;
	setup(r);
	t_assert_ok(ckvm_snapshot_mem_layout(r, 2, 0, &size));
	t_assert_ok(ckvm_snapshot_mem_save(fd, r, 2));
	memcpy(m, r, sizeof(m));
	m[0].host = m[1].host = NULL;
	/* private: copy-on-write, the file keeps the snapshot */
	t_assert_ok(ckvm_snapshot_mem_map(fd, m, 2, false));
	for (i = 0; i < 2; i++)
		assert_memory_equal(m[i].host, r[i].host, r[i].memory_size);
	((uint8_t *)m[0].host)[0] ^= 0xff;
	assert_int_equal(pread(fd, &byte, 1, 0), 1);
	assert_int_equal(byte, ((uint8_t *)r[0].host)[0]);
	ckvm_snapshot_mem_unmap(m, 2);
	assert_null(m[0].host);
	/* shared: writes reach the file */
	t_assert_ok(ckvm_snapshot_mem_map(fd, m, 2, true));
	((uint8_t *)m[1].host)[5] = 0x99;
	assert_int_equal(pread(fd, &byte, 1, (off_t)(r[1].file_offset + 5)), 1);
	assert_int_equal(byte, 0x99);
	ckvm_snapshot_mem_unmap(m, 2);
	/* a file shorter than the layout is refused before mapping anything */
	assert_int_equal(ftruncate(fd, (off_t)size - PS), 0);
	t_assert_err(ckvm_snapshot_mem_map(fd, m, 2, false), EBADMSG);
	assert_null(m[0].host);
	assert_null(m[1].host);
	t_assert_err(ckvm_snapshot_mem_restore(fd, r, 2), EBADMSG);
	close(fd);
	teardown(r);
}

static void test_refusals(void **state)
{
	struct ckvm_snapshot_region r[2];
	int pfd[2], fd = make_memfd();

	(void)state;
	setup(r);
	t_assert_ok(ckvm_snapshot_mem_layout(r, 2, 0, &(uint64_t){ 0 }));
	/* not seekable */
	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	t_assert_err(ckvm_snapshot_mem_save(pfd[1], r, 2), ESPIPE);
	close(pfd[0]);
	close(pfd[1]);
	t_assert_err(ckvm_snapshot_mem_save(-1, r, 2), EBADF);
	/* a region without a host mapping */
	{
		void *h = r[1].host;

		r[1].host = NULL;
		t_assert_err(ckvm_snapshot_mem_save(fd, r, 2), EINVAL);
		r[1].host = h;
	}
	/* overlapping file ranges */
	r[1].file_offset = PS;
	t_assert_err(ckvm_snapshot_mem_save(fd, r, 2), EINVAL);
	t_assert_err(ckvm_snapshot_mem_map(fd, r, 2, false), EINVAL);
	/* dirty helpers need a VM */
	t_assert_err(ckvm_snapshot_mem_save_dirty(NULL, fd, r, 2, NULL), EINVAL);
	close(fd);
	teardown(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_save_restore),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
