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
#include <unistd.h>

static void test_memory_slots(void **state)
{
	struct rv_guest g;

	(void)state;
	rv_guest_create(&g, 0);
	t_check_memory_slots(g.vm, RV_RAM_GPA, 0x90000000);
	rv_guest_destroy(&g);
}

static void test_ioeventfd(void **state)
{
	struct rv_guest g;
	struct ckvm_exit e;
	uint32_t answer = 0x0506;
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
	t_check_eventfd_once(efd);
	t_assert_ok(ckvm_vm_unregister_ioevent(g.vm, efd, CKVM_IO_MMIO, rv_mmio_gpa(&g), 4, true,
					       0x607));
	assert_true(ckvm_vm_register_ioevent(g.vm, efd, CKVM_IO_PIO, 0x3f8, 1, false, 0) < 0);
	close(efd);
	rv_guest_destroy(&g);
}

static void test_coalesced_mmio(void **state)
{
	struct rv_guest g;
	struct ckvm_exit e;
	uint32_t answer = 0x0506;

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
	t_check_coalesced_write(g.vcpu, rv_mmio_gpa(&g), 0x607);
	t_assert_ok(ckvm_vm_unregister_coalesced_mmio(g.vm, CKVM_IO_MMIO, rv_mmio_gpa(&g), 4));
	rv_guest_destroy(&g);
}

static void test_stats_run_struct_immediate_exit(void **state)
{
	struct rv_guest g;

	(void)state;
	rv_guest_create(&g, 0);
	rv_guest_add_vcpu(&g);
	t_check_run_struct_and_stats(g.kvm, g.vm, g.vcpu);
	rv_guest_load_code(&g, rv_run_code);
	t_check_immediate_exit(g.vcpu, ckvm_riscv_reg_pc(), RV_CODE_GPA);
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
