/* SPDX-License-Identifier: MIT */
/*
 * test_stats_blob.c (unit) - the binary-stats parser over synthetic stats
 * files in a memfd: a well-formed blob is parsed and read, and every kind of
 * corruption gives -EBADMSG (or -EIO for a short data block), never a crash.
 */
#include "t.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NAME_SIZE 48

struct blob {
	unsigned char buf[4096];
	size_t len;
};

/* Build: header, id, 3 descriptors, data block {7}, {100, 200, 300}, {42}. */
static void build(struct blob *b, struct kvm_stats_header *h_out)
{
	struct kvm_stats_header h;
	struct kvm_stats_desc d;
	const char *names[3] = { "exits", "hist", "peak" };
	uint16_t sizes[3] = { 1, 3, 1 };
	uint32_t types[3] = { KVM_STATS_TYPE_CUMULATIVE, KVM_STATS_TYPE_LINEAR_HIST,
			      KVM_STATS_TYPE_PEAK };
	uint64_t data[5] = { 7, 100, 200, 300, 42 };
	size_t rec = sizeof(d) + NAME_SIZE, off;
	int i;

	memset(b, 0, sizeof(*b));
	memset(&h, 0, sizeof(h));
	h.name_size = NAME_SIZE;
	h.num_desc = 3;
	h.id_offset = sizeof(h);
	h.desc_offset = h.id_offset + NAME_SIZE;
	h.data_offset = h.desc_offset + 3 * rec;
	memcpy(b->buf, &h, sizeof(h));
	strcpy((char *)b->buf + h.id_offset, "kvm-test");
	off = 0;
	for (i = 0; i < 3; i++) {
		memset(&d, 0, sizeof(d));
		d.flags = types[i] | KVM_STATS_UNIT_NONE | KVM_STATS_BASE_POW10;
		d.size = sizes[i];
		d.offset = (uint32_t)(off * 8);
		d.bucket_size = i == 1 ? 10 : 0;
		d.exponent = (int16_t)(i == 2 ? -9 : 0);
		memcpy(b->buf + h.desc_offset + i * rec, &d, sizeof(d));
		strcpy((char *)b->buf + h.desc_offset + i * rec + sizeof(d), names[i]);
		off += sizes[i];
	}
	memcpy(b->buf + h.data_offset, data, sizeof(data));
	b->len = h.data_offset + sizeof(data);
	if (h_out)
		*h_out = h;
}

static int blob_fd(const struct blob *b)
{
	int fd = memfd_create("stats", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, b->buf, b->len), (ssize_t)b->len);
	return fd;
}

static void test_parse_and_read(void **state)
{
	struct blob b;
	struct ckvm_stats *st = NULL;
	const struct ckvm_stat_desc *d;
	uint64_t v[4] = { 0 };
	int fd, i;

	(void)state;
	build(&b, NULL);
	fd = blob_fd(&b);
	t_assert_ok(ckvm_stats_open(fd, &st));
	assert_int_equal(ckvm_stats_count(st), 3);
	d = ckvm_stats_desc(st, 1);
	assert_non_null(d);
	assert_string_equal(d->name, "hist");
	assert_int_equal(d->size, 3);
	assert_int_equal(d->offset, 8);
	assert_int_equal(d->bucket_size, 10);
	assert_int_equal(d->flags & KVM_STATS_TYPE_MASK, KVM_STATS_TYPE_LINEAR_HIST);
	assert_int_equal(ckvm_stats_desc(st, 2)->exponent, -9);
	assert_null(ckvm_stats_desc(st, 3));
	i = ckvm_stats_find(st, "hist");
	assert_int_equal(i, 1);
	assert_int_equal(ckvm_stats_read(st, (size_t)i, v, 4), 3);
	assert_true(v[0] == 100 && v[1] == 200 && v[2] == 300);
	assert_int_equal(ckvm_stats_read(st, 0, v, 1), 1);
	assert_true(v[0] == 7);
	assert_int_equal(ckvm_stats_read(st, 2, v, 1), 1);
	assert_true(v[0] == 42);
	/* values change under the parser: a re-read sees them */
	{
		uint64_t nv = 8;
		struct kvm_stats_header h;

		memcpy(&h, b.buf, sizeof(h));
		assert_int_equal(pwrite(fd, &nv, 8, h.data_offset), 8);
		assert_int_equal(ckvm_stats_read(st, 0, v, 1), 1);
		assert_true(v[0] == 8);
	}
	/* bad arguments */
	t_assert_err(ckvm_stats_read(st, 1, v, 2), EINVAL);
	t_assert_err(ckvm_stats_read(st, 3, v, 4), EINVAL);
	t_assert_err(ckvm_stats_read(st, 0, NULL, 1), EINVAL);
	t_assert_err(ckvm_stats_read(NULL, 0, v, 1), EINVAL);
	t_assert_err(ckvm_stats_find(st, "nope"), ENOENT);
	t_assert_err(ckvm_stats_find(st, NULL), EINVAL);
	t_assert_err(ckvm_stats_find(NULL, "exits"), EINVAL);
	assert_int_equal(ckvm_stats_count(NULL), 0);
	assert_null(ckvm_stats_desc(NULL, 0));
	ckvm_stats_close(st);
	ckvm_stats_close(NULL);
	/* short data block: -EIO when read, not at open */
	assert_int_equal(ftruncate(fd, (off_t)b.len - 8), 0);
	t_assert_ok(ckvm_stats_open(fd, &st));
	t_assert_err(ckvm_stats_read(st, 2, v, 1), EIO);
	ckvm_stats_close(st);
	close(fd);
}

static void expect_badmsg(const struct blob *b)
{
	struct ckvm_stats *st = NULL;
	int fd = blob_fd(b);

	t_assert_err(ckvm_stats_open(fd, &st), EBADMSG);
	assert_null(st);
	close(fd);
}

static void test_corrupt_blobs(void **state)
{
	struct kvm_stats_header h;
	struct kvm_stats_desc d;
	struct blob b;
	size_t rec = sizeof(d) + NAME_SIZE;

	(void)state;
	/* name_size 0 and absurdly large */
	build(&b, &h);
	h.name_size = 0;
	memcpy(b.buf, &h, sizeof(h));
	expect_badmsg(&b);
	build(&b, &h);
	h.name_size = 1u << 30;
	memcpy(b.buf, &h, sizeof(h));
	expect_badmsg(&b);
	/* descriptor count beyond the file / beyond any sane limit */
	build(&b, &h);
	h.num_desc = 50;
	memcpy(b.buf, &h, sizeof(h));
	expect_badmsg(&b);
	build(&b, &h);
	h.num_desc = 0xffffffffu;
	memcpy(b.buf, &h, sizeof(h));
	expect_badmsg(&b);
	/* descriptor block offset past the end and inside the header */
	build(&b, &h);
	h.desc_offset = 0xfffffff0u;
	memcpy(b.buf, &h, sizeof(h));
	expect_badmsg(&b);
	build(&b, &h);
	h.desc_offset = 4;
	memcpy(b.buf, &h, sizeof(h));
	expect_badmsg(&b);
	/* a descriptor with size 0, one with an offset that overflows, an empty name */
	build(&b, &h);
	memcpy(&d, b.buf + h.desc_offset, sizeof(d));
	d.size = 0;
	memcpy(b.buf + h.desc_offset, &d, sizeof(d));
	expect_badmsg(&b);
	build(&b, &h);
	memcpy(&d, b.buf + h.desc_offset + rec, sizeof(d));
	d.offset = 0xfffffff0u;
	memcpy(b.buf + h.desc_offset + rec, &d, sizeof(d));
	expect_badmsg(&b);
	build(&b, &h);
	b.buf[h.desc_offset + sizeof(d)] = '\0';
	expect_badmsg(&b);
	/* truncated inside the header */
	build(&b, &h);
	b.len = sizeof(h) - 1;
	expect_badmsg(&b);
	/* a name without its NUL inside name_size is cut, not overrun */
	build(&b, &h);
	memset(b.buf + h.desc_offset + sizeof(d), 'x', NAME_SIZE);
	{
		struct ckvm_stats *st = NULL;
		int fd = blob_fd(&b);

		t_assert_ok(ckvm_stats_open(fd, &st));
		assert_int_equal(strlen(ckvm_stats_desc(st, 0)->name), NAME_SIZE);
		ckvm_stats_close(st);
		close(fd);
	}
}

static void test_bad_args(void **state)
{
	struct ckvm_stats *st = NULL;
	int fd = memfd_create("empty", MFD_CLOEXEC);

	(void)state;
	t_assert_err(ckvm_stats_open(-1, &st), EBADF);
	t_assert_err(ckvm_stats_open(fd, NULL), EINVAL);
	t_assert_err(ckvm_stats_open(fd, &st), EBADMSG); /* empty file */
	assert_null(st);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_read),
		cmocka_unit_test(test_corrupt_blobs),
		cmocka_unit_test(test_bad_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
