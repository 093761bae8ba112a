/* SPDX-License-Identifier: MIT */
/*
 * test_internal.c - the architecture-neutral helpers the arm64/riscv64
 * record sets build on (src/snapshot_internal.h), over synthetic payloads:
 * the ONE_REGS record and the region-table checks. Linked against the
 * static library to reach the internal symbols.
 */
#include "snapshot_internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static uint64_t reg_id(unsigned size_shift, uint64_t n)
{
	return KVM_REG_ARM64 | ((uint64_t)size_shift << KVM_REG_SIZE_SHIFT) | n;
}

struct seen {
	int n;
	uint64_t ids[8];
	size_t sizes[8];
	uint8_t first[8];
};

static int collect(void *opaque, uint64_t id, const void *val, size_t size)
{
	struct seen *s = opaque;

	s->ids[s->n] = id;
	s->sizes[s->n] = size;
	s->first[s->n] = *(const uint8_t *)val;
	s->n++;
	return 0;
}

static void test_one_regs(void **state)
{
	/* 3 registers: u64, u32 (padded to 8), u128 */
	uint8_t p[8 + (8 + 8) + (8 + 8) + (8 + 16)];
	struct ckvm_snapshot_record rec = { .type = CKVM_SNAPSHOT_REC_ONE_REGS, .data = p };
	struct seen s;

	(void)state;
	memset(p, 0, sizeof(p));
	ckvm__put64(p, 3);
	ckvm__put64(p + 8, reg_id(3, 1));
	p[16] = 0xa1;
	ckvm__put64(p + 24, reg_id(2, 2));
	p[32] = 0xa2;
	ckvm__put64(p + 40, reg_id(4, 3));
	p[48] = 0xa3;
	rec.len = sizeof(p);
	assert_int_equal(ckvm__snap_one_regs_check(&rec), 3);
	memset(&s, 0, sizeof(s));
	assert_int_equal(ckvm__snap_one_regs_each(&rec, collect, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.sizes[0], 8);
	assert_int_equal(s.sizes[1], 4);
	assert_int_equal(s.sizes[2], 16);
	assert_int_equal(s.first[2], 0xa3);
	/* a value cut short */
	rec.len = sizeof(p) - 8;
	assert_int_equal(ckvm__snap_one_regs_check(&rec), -EBADMSG);
	/* count larger than the entries */
	rec.len = sizeof(p);
	ckvm__put64(p, 4);
	assert_int_equal(ckvm__snap_one_regs_check(&rec), -EBADMSG);
	ckvm__put64(p, 1ull << 40);
	assert_int_equal(ckvm__snap_one_regs_check(&rec), -EBADMSG);
	/* a register size above U2048 */
	ckvm__put64(p, 3);
	ckvm__put64(p + 8, reg_id(9, 1));
	assert_int_equal(ckvm__snap_one_regs_check(&rec), -EBADMSG);
	/* shorter than the count */
	rec.len = 4;
	assert_int_equal(ckvm__snap_one_regs_check(&rec), -EBADMSG);
	/* an empty list is fine */
	ckvm__put64(p, 0);
	rec.len = 8;
	assert_int_equal(ckvm__snap_one_regs_check(&rec), 0);
}

static void test_one_regs_writer(void **state)
{
	struct ckvm_snapshot_writer *w;

	(void)state;
	assert_int_equal(ckvm_snapshot_writer_create(0, CKVM_SNAPSHOT_KIND_VCPU, 0, &w), 0);
	/* an invalid register size is refused before any ioctl */
	{
		uint64_t bad = reg_id(10, 1);

		assert_int_equal(ckvm__snap_one_regs_save(NULL, &bad, 1, w), -EINVAL);
	}
	ckvm_snapshot_writer_free(w);
}

static void test_regions_check(void **state)
{
	struct ckvm_snapshot_region r[3] = {
		{ .slot = 0, .guest_phys_addr = 0, .memory_size = 0x10000, .file_offset = 0 },
		{ .slot = 1, .guest_phys_addr = 0x10000, .memory_size = 0x10000, .file_offset = 0x10000 },
		{ .slot = 2, .guest_phys_addr = 0x40000, .memory_size = 0x1000, .file_offset = 0x20000 },
	};

	(void)state;
	assert_int_equal(ckvm__snap_regions_check(r, 3, 4096), 0);
	assert_int_equal(ckvm__snap_regions_check(r, 0, 4096), 0);
	assert_int_equal(ckvm__snap_regions_check(r, 3, 4097), -EINVAL);
	assert_int_equal(ckvm__snap_regions_check(r, 3, 0x10000), -EINVAL); /* size 0x1000 */
	r[2].guest_phys_addr = 0x1f000; /* touches region 1's end: overlap */
	assert_int_equal(ckvm__snap_regions_check(r, 3, 4096), -EINVAL);
	r[2].guest_phys_addr = 0x20000; /* adjacent: fine */
	assert_int_equal(ckvm__snap_regions_check(r, 3, 4096), 0);
	r[2].file_offset = 0x1f000;
	assert_int_equal(ckvm__snap_regions_check(r, 3, 4096), -EINVAL);
	assert_int_equal(ckvm__snap_regions_check(r, CKVM__SNAP_MAX_REGIONS + 1, 4096), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_regs),
		cmocka_unit_test(test_one_regs_writer),
		cmocka_unit_test(test_regions_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
