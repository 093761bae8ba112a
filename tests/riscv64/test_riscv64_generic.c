/* SPDX-License-Identifier: MIT */
/*
 * test_riscv64_generic.c (kvm) - the architecture-neutral VM and vCPU calls
 * as they apply on riscv64, each checked by its effect: memory slots
 * (move/delete, USER_MEMORY2), ioeventfd on MMIO (the guest's store signals
 * the eventfd instead of exiting), coalesced MMIO (the store lands in the
 * ring), the VM/vCPU stats fds, the kvm_run mapping and an immediate exit.
 * irqfd and GSI routing need the AIA: test_riscv64_aia.c.
 */
#include "rv.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

static void test_memory_slots(void **state)
{
	struct rv_guest g;
	struct kvm_userspace_memory_region r;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *extra;

	(void)state;
	rv_guest_create(&g, 0);
	extra = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(extra != MAP_FAILED);
	memset(&r, 0, sizeof(r));
	r.slot = 1;
	r.guest_phys_addr = 0x90000000;
	r.memory_size = page;
	r.userspace_addr = (uint64_t)(uintptr_t)extra;
	t_assert_ok(ckvm_vm_set_user_memory_region(g.vm, &r));
	r.slot = 2;
	r.guest_phys_addr = RV_RAM_GPA;
	t_assert_err(ckvm_vm_set_user_memory_region(g.vm, &r), EEXIST);
	r.slot = 1;
	r.guest_phys_addr = 0xa0000000;
	t_assert_ok(ckvm_vm_set_user_memory_region(g.vm, &r));
	r.memory_size = 0;
	t_assert_ok(ckvm_vm_set_user_memory_region(g.vm, &r));
	if (ckvm_vm_check_extension(g.vm, KVM_CAP_USER_MEMORY2) > 0) {
		struct kvm_userspace_memory_region2 r2;

		memset(&r2, 0, sizeof(r2));
		r2.slot = 3;
		r2.guest_phys_addr = 0xb0000000;
		r2.memory_size = page;
		r2.userspace_addr = (uint64_t)(uintptr_t)extra;
		t_assert_ok(ckvm_vm_set_user_memory_region2(g.vm, &r2));
		r2.memory_size = 0;
		t_assert_ok(ckvm_vm_set_user_memory_region2(g.vm, &r2));
	}
	rv_guest_destroy(&g);
	munmap(extra, page);
}

static void test_ioeventfd(void **state)
{
	struct rv_guest g;
	struct ckvm_exit e;
	uint32_t answer = 0x0506;
	uint64_t count = 0;
	int efd;

	(void)state;
	rv_guest_create(&g, 0);
	rv_guest_add_vcpu(&g);
	rv_guest_load_code(&g, rv_run_code);
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(efd >= 0);
	t_assert_ok(ckvm_vm_register_ioevent(g.vm, efd, CKVM_IO_MMIO, rv_mmio_gpa(&g), 4, true,
					     0x607));
	e = rv_run_expect(&g, CKVM_EXIT_MMIO_READ);
	memcpy(e.mmio.data, &answer, 4);
	rv_run_to_shutdown(&g); /* the store of 0x607 went to the eventfd */
	assert_int_equal(read(efd, &count, sizeof(count)), sizeof(count));
	assert_int_equal(count, 1);
	t_assert_ok(ckvm_vm_unregister_ioevent(g.vm, efd, CKVM_IO_MMIO, rv_mmio_gpa(&g), 4, true,
					       0x607));
	assert_true(ckvm_vm_register_ioevent(g.vm, efd, CKVM_IO_PIO, 0x3f8, 1, false, 0) < 0);
	close(efd);
	rv_guest_destroy(&g);
}

static void test_coalesced_mmio(void **state)
{
	struct rv_guest g;
	struct kvm_coalesced_mmio ent;
	struct ckvm_exit e;
	uint32_t answer = 0x0506, v;

	(void)state;
	rv_guest_create(&g, 0);
	assert_int_equal(ckvm_check_extension(g.kvm, KVM_CAP_COALESCED_MMIO), 1);
	rv_guest_add_vcpu(&g);
	rv_guest_load_code(&g, rv_run_code);
	t_assert_ok(ckvm_vm_register_coalesced_mmio(g.vm, CKVM_IO_MMIO, rv_mmio_gpa(&g), 4));
	t_assert_ok(ckvm_vcpu_map_coalesced_mmio_ring(g.vcpu));
	e = rv_run_expect(&g, CKVM_EXIT_MMIO_READ);
	memcpy(e.mmio.data, &answer, 4);
	rv_run_to_shutdown(&g);
	assert_int_equal(ckvm_vcpu_coalesced_mmio_read(g.vcpu, &ent), 1);
	assert_int_equal(ent.phys_addr, rv_mmio_gpa(&g));
	assert_int_equal(ent.len, 4);
	memcpy(&v, ent.data, 4);
	assert_int_equal(v, 0x607);
	assert_int_equal(ckvm_vcpu_coalesced_mmio_read(g.vcpu, &ent), 0);
	t_assert_ok(ckvm_vm_unregister_coalesced_mmio(g.vm, CKVM_IO_MMIO, rv_mmio_gpa(&g), 4));
	rv_guest_destroy(&g);
}

static void test_stats_run_struct_immediate_exit(void **state)
{
	struct rv_guest g;
	struct ckvm_exit e;
	int fd;

	(void)state;
	rv_guest_create(&g, 0);
	rv_guest_add_vcpu(&g);
	assert_non_null(ckvm_vcpu_run_struct(g.vcpu));
	assert_int_equal(ckvm_vcpu_run_size(g.vcpu), (size_t)ckvm_get_vcpu_mmap_size(g.kvm));
	if (ckvm_check_extension(g.kvm, KVM_CAP_BINARY_STATS_FD) > 0) {
		fd = ckvm_vm_get_stats_fd(g.vm);
		t_assert_ok(fd);
		close(fd);
		fd = ckvm_vcpu_get_stats_fd(g.vcpu);
		t_assert_ok(fd);
		close(fd);
	}
	rv_guest_load_code(&g, rv_run_code);
	ckvm_vcpu_set_immediate_exit(g.vcpu, true);
	memset(&e, 0, sizeof(e));
	t_assert_err(ckvm_vcpu_run(g.vcpu, &e), EINTR);
	assert_int_equal(e.kind, CKVM_EXIT_INTERRUPTED);
	assert_int_equal(rv_get_reg(g.vcpu, ckvm_riscv_reg_pc()), RV_CODE_GPA);
	(void)rv_run_expect(&g, CKVM_EXIT_MMIO_READ);
	rv_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_slots),
		cmocka_unit_test(test_ioeventfd),
		cmocka_unit_test(test_coalesced_mmio),
		cmocka_unit_test(test_stats_run_struct_immediate_exit),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
