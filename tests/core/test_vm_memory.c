/* SPDX-License-Identifier: MIT */
/*
 * test_vm_memory.c (kvm) - memory slots seen by a running guest:
 * KVM_SET_USER_MEMORY_REGION (map, move, delete, read-only, bad arguments),
 * KVM_SET_USER_MEMORY_REGION2, KVM_CREATE_GUEST_MEMFD with a guest_memfd
 * backed slot, and KVM_SET_MEMORY_ATTRIBUTES.
 */
#include "core_guest.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SLOT_BYTES 0x10000u /* 16 pages */

static void test_region_maps_moves_deletes(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	struct ckvm_exit e;
	uint32_t *mem = core_map(SLOT_BYTES);

	(void)state;
	memset(&g, 0, sizeof(g));
	v = core_guest(&g);
	mem[0x1234 / 4] = 0xc0ffee42u;
	t_assert_ok(core_slot(g.vm, CORE_SLOT, 0, CORE_SLOT_GPA, mem, SLOT_BYTES));
	/* the guest reads what the host wrote, and the host sees guest writes */
	assert_int_equal(core_do(&g, v, OP_READ32, CORE_SLOT_GPA + 0x1234, 0), 0xc0ffee42u);
	assert_int_equal(core_do(&g, v, OP_WRITE32, CORE_SLOT_GPA + 0x2000, 0x5151a5a5u),
			 CORE_OP_DONE);
	assert_int_equal(mem[0x2000 / 4], 0x5151a5a5u);
	/* delete (size 0): the same GPA is now MMIO, the host answers the read */
	t_assert_ok(core_slot(g.vm, CORE_SLOT, 0, CORE_SLOT_GPA, mem, 0));
	core_expect_exit(&g, v, OP_READ32, CORE_SLOT_GPA + 0x1234, 0, CKVM_EXIT_MMIO_READ, &e);
	assert_true(e.mmio.gpa == CORE_SLOT_GPA + 0x1234);
	assert_int_equal(e.mmio.len, 4);
	memcpy(e.mmio.data, "\x78\x56\x34\x12", 4);
	assert_int_equal(t_expect_report(&g, v), 0x12345678u);
	/* re-create elsewhere (a move): the old GPA stays unmapped */
	t_assert_ok(core_slot(g.vm, CORE_SLOT, 0, CORE_SLOT_GPA * 2, mem, SLOT_BYTES));
	assert_int_equal(core_do(&g, v, OP_READ32, CORE_SLOT_GPA * 2 + 0x1234, 0), 0xc0ffee42u);
	core_expect_exit(&g, v, OP_READ32, CORE_SLOT_GPA + 0x1234, 0, CKVM_EXIT_MMIO_READ, &e);
	memset(e.mmio.data, 0, 4);
	assert_int_equal(t_expect_report(&g, v), 0);
	t_guest_destroy(&g);
	core_unmap(mem, SLOT_BYTES);
}

static void test_region_readonly(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	struct ckvm_exit e;
	uint32_t *mem = core_map(SLOT_BYTES);

	(void)state;
	memset(&g, 0, sizeof(g));
	v = core_guest(&g);
	if (!ckvm_vm_has_extension(g.vm, KVM_CAP_READONLY_MEM)) {
		t_assert_err(core_slot(g.vm, CORE_SLOT, KVM_MEM_READONLY, CORE_SLOT_GPA, mem,
				       SLOT_BYTES), EINVAL);
		t_skip("needs KVM_CAP_READONLY_MEM (checked only that the flag is refused)");
	}
	mem[0] = 0x600dd00du;
	t_assert_ok(core_slot(g.vm, CORE_SLOT, KVM_MEM_READONLY, CORE_SLOT_GPA, mem, SLOT_BYTES));
	assert_int_equal(core_do(&g, v, OP_READ32, CORE_SLOT_GPA, 0), 0x600dd00du);
	/* a write to a read-only slot exits as MMIO and leaves the memory alone */
	core_expect_exit(&g, v, OP_WRITE32, CORE_SLOT_GPA, 0xbadbad, CKVM_EXIT_MMIO_WRITE, &e);
	assert_true(e.mmio.gpa == CORE_SLOT_GPA);
	assert_int_equal(e.mmio.len, 4);
	assert_int_equal(e.mmio.data[0], 0xad);
	assert_int_equal(t_expect_report(&g, v), CORE_OP_DONE);
	assert_int_equal(mem[0], 0x600dd00du);
	t_guest_destroy(&g);
	core_unmap(mem, SLOT_BYTES);
}

static void test_region_bad_arguments(void **state)
{
	struct t_guest g;
	uint8_t *mem = core_map(SLOT_BYTES * 2);
	int nslots;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	nslots = ckvm_get_nr_memslots(g.kvm);
	assert_true(nslots > 1);
	t_assert_ok(core_slot(g.vm, CORE_SLOT, 0, CORE_SLOT_GPA, mem, SLOT_BYTES));
	/* overlapping another slot */
	t_assert_err(core_slot(g.vm, CORE_SLOT + 1, 0, CORE_SLOT_GPA + 0x1000, mem, SLOT_BYTES),
		     EEXIST);
	/* unaligned GPA, size and host address */
	t_assert_err(core_slot(g.vm, CORE_SLOT + 1, 0, 0x20000800, mem, SLOT_BYTES), EINVAL);
	t_assert_err(core_slot(g.vm, CORE_SLOT + 1, 0, 0x20000000, mem, 100), EINVAL);
	t_assert_err(core_slot(g.vm, CORE_SLOT + 1, 0, 0x20000000, mem + 1, SLOT_BYTES), EINVAL);
	/* unknown flag, slot number past the limit */
	t_assert_err(core_slot(g.vm, CORE_SLOT + 1, 1u << 15, 0x20000000, mem, SLOT_BYTES), EINVAL);
	t_assert_err(core_slot(g.vm, (uint32_t)nslots, 0, 0x20000000, mem, SLOT_BYTES), EINVAL);
	/* a non-overlapping second slot is fine; resizing an existing one is not */
	t_assert_ok(core_slot(g.vm, CORE_SLOT + 1, 0, 0x20000000, mem + SLOT_BYTES, SLOT_BYTES));
	t_assert_err(core_slot(g.vm, CORE_SLOT, 0, CORE_SLOT_GPA, mem, SLOT_BYTES / 2), EINVAL);
	t_assert_err(ckvm_vm_set_user_memory_region(g.vm, NULL), EINVAL);
	t_assert_err(ckvm_vm_set_user_memory_region2(g.vm, NULL), EINVAL);
	t_guest_destroy(&g);
	core_unmap(mem, SLOT_BYTES * 2);
}

static void test_region2(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	struct kvm_userspace_memory_region2 r;
	uint32_t *mem = core_map(SLOT_BYTES);

	(void)state;
	memset(&g, 0, sizeof(g));
	v = core_guest(&g);
	memset(&r, 0, sizeof(r));
	r.slot = CORE_SLOT;
	r.guest_phys_addr = CORE_SLOT_GPA;
	r.memory_size = SLOT_BYTES;
	r.userspace_addr = (uint64_t)(uintptr_t)mem;
	if (!ckvm_has_extension(g.kvm, KVM_CAP_USER_MEMORY2)) {
		t_assert_err(ckvm_vm_set_user_memory_region2(g.vm, &r), ENOTTY);
		t_skip("needs KVM_CAP_USER_MEMORY2 (checked only that the ioctl is unknown)");
	}
	mem[3] = 0x2e610202u;
	t_assert_ok(ckvm_vm_set_user_memory_region2(g.vm, &r));
	assert_int_equal(core_do(&g, v, OP_READ32, CORE_SLOT_GPA + 12, 0), 0x2e610202u);
	assert_int_equal(core_do(&g, v, OP_WRITE32, CORE_SLOT_GPA + 16, 77), CORE_OP_DONE);
	assert_int_equal(mem[4], 77);
	/* guest_memfd flag without a guest_memfd is refused, so is an unknown flag */
	r.slot = CORE_SLOT + 1;
	r.guest_phys_addr = 0x20000000;
	r.flags = KVM_MEM_GUEST_MEMFD;
	r.guest_memfd = (uint32_t)-1;
	assert_true(ckvm_vm_set_user_memory_region2(g.vm, &r) < 0);
	r.flags = 1u << 15;
	r.guest_memfd = 0;
	t_assert_err(ckvm_vm_set_user_memory_region2(g.vm, &r), EINVAL);
	/* overlapping the first slot */
	r.flags = 0;
	r.guest_phys_addr = CORE_SLOT_GPA;
	t_assert_err(ckvm_vm_set_user_memory_region2(g.vm, &r), EEXIST);
	t_guest_destroy(&g);
	core_unmap(mem, SLOT_BYTES);
}

static void test_guest_memfd(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	struct kvm_userspace_memory_region2 r;
	struct stat st;
	uint64_t want = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;
	uint32_t *p;
	int fd, flags;

	(void)state;
	memset(&g, 0, sizeof(g));
	v = core_guest(&g);
	if (ckvm_vm_check_extension(g.vm, KVM_CAP_GUEST_MEMFD) <= 0) {
		fd = ckvm_vm_create_guest_memfd(g.vm, SLOT_BYTES, 0);
		assert_true(fd == -ENOTTY || fd == -EINVAL);
		t_skip("needs KVM_CAP_GUEST_MEMFD (checked only that the ioctl is refused)");
	}
	/* bad arguments: size 0, unaligned size, unknown flags */
	t_assert_err(ckvm_vm_create_guest_memfd(g.vm, 0, 0), EINVAL);
	t_assert_err(ckvm_vm_create_guest_memfd(g.vm, 4095, 0), EINVAL);
	t_assert_err(ckvm_vm_create_guest_memfd(g.vm, SLOT_BYTES, 1ULL << 63), EINVAL);
	/* a plain guest_memfd: our fd, close-on-exec, of the requested size */
	fd = ckvm_vm_create_guest_memfd(g.vm, SLOT_BYTES, 0);
	t_assert_ok(fd);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, SLOT_BYTES);
	close(fd);
	flags = ckvm_vm_check_extension(g.vm, KVM_CAP_GUEST_MEMFD_FLAGS);
	if (flags < 0 || ((uint64_t)flags & want) != want)
		t_skip("needs KVM_CAP_GUEST_MEMFD_FLAGS with GUEST_MEMFD_FLAG_MMAP|INIT_SHARED "
		       "(a guest_memfd slot a plain VM can run on)");
	/* a host-mappable guest_memfd backing a slot: the guest reads host data */
	fd = ckvm_vm_create_guest_memfd(g.vm, SLOT_BYTES, want);
	t_assert_ok(fd);
	p = mmap(NULL, SLOT_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(p != MAP_FAILED);
	p[0x100] = 0x93e3f00du;
	memset(&r, 0, sizeof(r));
	r.slot = CORE_SLOT;
	r.flags = KVM_MEM_GUEST_MEMFD;
	r.guest_phys_addr = CORE_SLOT_GPA;
	r.memory_size = SLOT_BYTES;
	r.userspace_addr = (uint64_t)(uintptr_t)p;
	r.guest_memfd = (uint32_t)fd;
	r.guest_memfd_offset = 0;
	t_assert_ok(ckvm_vm_set_user_memory_region2(g.vm, &r));
	assert_int_equal(core_do(&g, v, OP_READ32, CORE_SLOT_GPA + 0x400, 0), 0x93e3f00du);
	assert_int_equal(core_do(&g, v, OP_WRITE32, CORE_SLOT_GPA + 0x404, 0xabcd), CORE_OP_DONE);
	assert_int_equal(p[0x101], 0xabcd);
	/* an offset past the end of the file is refused */
	r.slot = CORE_SLOT + 1;
	r.guest_phys_addr = 0x20000000;
	r.guest_memfd_offset = SLOT_BYTES;
	t_assert_err(ckvm_vm_set_user_memory_region2(g.vm, &r), EINVAL);
	munmap(p, SLOT_BYTES);
	close(fd);
	t_guest_destroy(&g);
}

static void test_memory_attributes(void **state)
{
	struct t_guest g;
	int attrs;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	attrs = ckvm_vm_check_extension(g.vm, KVM_CAP_MEMORY_ATTRIBUTES);
	assert_true(attrs >= 0);
	if (attrs == 0) {
		/* documented: without the capability the ioctl is unknown or refused */
		int r = ckvm_vm_set_memory_attributes(g.vm, 0, 0x1000, KVM_MEMORY_ATTRIBUTE_PRIVATE);

		assert_true(r == -ENOTTY || r == -EINVAL);
		t_skip("needs KVM_CAP_MEMORY_ATTRIBUTES on a default VM (here 0: checked the errno %d)",
		       r);
	}
	/* supported attributes: set and clear; unsupported bits and unaligned ranges fail */
	t_assert_ok(ckvm_vm_set_memory_attributes(g.vm, 0, 0x1000, (uint64_t)attrs));
	t_assert_ok(ckvm_vm_set_memory_attributes(g.vm, 0, 0x1000, 0));
	t_assert_err(ckvm_vm_set_memory_attributes(g.vm, 0, 0x1000, ~(uint64_t)attrs), EINVAL);
	t_assert_err(ckvm_vm_set_memory_attributes(g.vm, 0x800, 0x1000, 0), EINVAL);
	t_guest_destroy(&g);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_region_maps_moves_deletes),
		cmocka_unit_test(test_region_bad_arguments),
	};
	/* each may skip (absent capability): its own meson test */
	const struct CMUnitTest alone[] = {
		cmocka_unit_test(test_region_readonly),
		cmocka_unit_test(test_region2),
		cmocka_unit_test(test_guest_memfd),
		cmocka_unit_test(test_memory_attributes),
	};

	ckvm_close(t_require_kvm());
	return t_main(argc, argv, tests, T_ARRAY_LEN(tests), alone, T_ARRAY_LEN(alone));
}
