/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_generic.c (kvm) - the architecture-neutral VM and vCPU calls
 * as they apply on arm64, each checked by its effect on a guest or on the
 * vGIC: memory slots (move/delete, USER_MEMORY2), ioeventfd on MMIO (the
 * guest's store signals the eventfd instead of exiting), coalesced MMIO
 * (the store lands in the ring), irqfd and GSI routing into vGIC SPIs
 * (default routing gsi N -> INTID N+32, and an explicit irqchip route),
 * KVM_IRQ_LINE_STATUS, the VM/vCPU stats fds, device attributes on the
 * vCPU fd (timer interrupt numbers), and the kvm_run mapping.
 */
#include "a64.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

/* irqfd injection is asynchronous: wait up to a second for the line. */
static bool wait_pending(struct ckvm_device *gic, uint32_t type, uint32_t intid)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	for (i = 0; i < 1000; i++) {
		if (a64_spi_pending(gic, type, intid))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static void test_memory_slots(void **state)
{
	struct a64_guest g;

	(void)state;
	a64_guest_create(&g, 0);
	t_check_memory_slots(g.vm, A64_RAM_GPA, 0x50000000);
	a64_guest_destroy(&g);
}

static void test_ioeventfd(void **state)
{
	struct a64_guest g;
	struct ckvm_exit e;
	uint32_t answer = 0x0506;
	int efd;

	(void)state;
	a64_guest_create(&g, 0);
	a64_guest_add_vcpu(&g, 0);
	a64_guest_load_code(&g, a64_run_code);
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(efd >= 0);
	/* only the store of exactly 0x304 (4 bytes) matches */
	t_assert_ok(ckvm_vm_register_ioevent(g.vm, efd, CKVM_IO_MMIO, a64_mmio_gpa(&g), 4, true,
					     0x304));
	e = a64_run_expect(&g, CKVM_EXIT_MMIO_READ); /* loads are not ioeventfds */
	memcpy(e.mmio.data, &answer, 4);
	a64_run_to_system_off(&g); /* the store went to the eventfd: no MMIO exit */
	t_check_eventfd_once(efd);
	t_assert_ok(ckvm_vm_unregister_ioevent(g.vm, efd, CKVM_IO_MMIO, a64_mmio_gpa(&g), 4, true,
					       0x304));
	/* port I/O does not exist on arm64 */
	assert_true(ckvm_vm_register_ioevent(g.vm, efd, CKVM_IO_PIO, 0x3f8, 1, false, 0) < 0);
	close(efd);
	a64_guest_destroy(&g);
}

static void test_coalesced_mmio(void **state)
{
	struct a64_guest g;
	struct kvm_coalesced_mmio ent;
	struct ckvm_exit e;
	uint32_t answer = 0x0506;

	(void)state;
	a64_guest_create(&g, 0);
	/* always there on arm64 (KVM_COALESCED_MMIO_PAGE_OFFSET is 1) */
	assert_int_equal(ckvm_check_extension(g.kvm, KVM_CAP_COALESCED_MMIO), 1);
	a64_guest_add_vcpu(&g, 0);
	a64_guest_load_code(&g, a64_run_code);
	t_assert_ok(ckvm_vm_register_coalesced_mmio(g.vm, CKVM_IO_MMIO, a64_mmio_gpa(&g), 4));
	t_assert_ok(ckvm_vcpu_map_coalesced_mmio_ring(g.vcpu));
	assert_int_equal(ckvm_vcpu_coalesced_mmio_read(g.vcpu, &ent), 0);
	e = a64_run_expect(&g, CKVM_EXIT_MMIO_READ);
	memcpy(e.mmio.data, &answer, 4);
	a64_run_to_system_off(&g);
	t_check_coalesced_write(g.vcpu, a64_mmio_gpa(&g), 0x304);
	t_assert_ok(ckvm_vm_unregister_coalesced_mmio(g.vm, CKVM_IO_MMIO, a64_mmio_gpa(&g), 4));
	a64_guest_destroy(&g);
}

static void test_irqfd_and_routing(void **state)
{
	struct a64_guest g;
	struct ckvm_device *gic;
	struct kvm_irq_routing *routes = NULL;
	uint64_t one = 1;
	uint32_t type;
	int efd, efd2;

	(void)state;
	a64_guest_create(&g, 0);
	a64_guest_add_vcpu(&g, 0);
	type = a64_gic_type(g.vm);
	gic = a64_setup_gic(&g, type, 64);
	efd = eventfd(0, EFD_CLOEXEC);
	efd2 = eventfd(0, EFD_CLOEXEC);
	assert_true(efd >= 0 && efd2 >= 0);
	/* default routing: gsi 8 is SPI INTID 40 */
	t_assert_ok(ckvm_vm_register_irqfd(g.vm, efd, 8));
	/* the same eventfd twice is refused */
	t_assert_err(ckvm_vm_register_irqfd(g.vm, efd, 8), EBUSY);
	assert_false(a64_spi_pending(gic, type, 40));
	assert_int_equal(write(efd, &one, sizeof(one)), sizeof(one));
	assert_true(wait_pending(gic, type, 40));
	t_assert_ok(ckvm_vm_unregister_irqfd(g.vm, efd, 8));
	/* an explicit route: gsi 5 -> irqchip 0 pin 10 (INTID 42) */
	t_assert_ok(ckvm_irq_routing_alloc(1, &routes));
	t_assert_ok(ckvm_irq_routing_push_irqchip(routes, 5, 0, 10));
	t_assert_ok(ckvm_vm_set_gsi_routing(g.vm, routes));
	t_assert_ok(ckvm_vm_register_irqfd(g.vm, efd2, 5));
	assert_int_equal(write(efd2, &one, sizeof(one)), sizeof(one));
	assert_true(wait_pending(gic, type, 42));
	t_assert_ok(ckvm_vm_unregister_irqfd(g.vm, efd2, 5));
	ckvm_irq_routing_free(routes);
	/* KVM_IRQ_LINE_STATUS reports delivery */
	assert_true(ckvm_vm_irq_line_status(g.vm, ckvm_arm64_irq(KVM_ARM_IRQ_TYPE_SPI, 0, 45), true) >= 0);
	assert_true(a64_spi_pending(gic, type, 45));
	close(efd);
	close(efd2);
	ckvm_device_close(gic);
	a64_guest_destroy(&g);
}

static void test_stats_attrs_and_run_struct(void **state)
{
	struct a64_guest g;
	struct ckvm_device *gic;
	uint32_t intid = 0;

	(void)state;
	a64_guest_create(&g, 0);
	a64_guest_add_vcpu(&g, 0);
	/* timer interrupts need the in-kernel irqchip */
	gic = a64_setup_gic(&g, a64_gic_type(g.vm), 64);
	t_check_run_struct_and_stats(g.kvm, g.vm, g.vcpu);
	/* vCPU device attributes: the virtual timer's PPI, read and changed */
	t_assert_ok(ckvm_vcpu_arm_get_timer_irq(g.vcpu, KVM_ARM_VCPU_TIMER_IRQ_VTIMER, &intid));
	assert_true(intid >= 16 && intid < 32);
	t_assert_ok(ckvm_vcpu_arm_set_timer_irq(g.vcpu, KVM_ARM_VCPU_TIMER_IRQ_VTIMER, 20));
	t_assert_ok(ckvm_vcpu_arm_get_timer_irq(g.vcpu, KVM_ARM_VCPU_TIMER_IRQ_VTIMER, &intid));
	assert_int_equal(intid, 20);
	/* an SPI is no timer interrupt */
	assert_true(ckvm_vcpu_arm_set_timer_irq(g.vcpu, KVM_ARM_VCPU_TIMER_IRQ_VTIMER, 40) < 0);
	ckvm_device_close(gic);
	a64_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_slots),
		cmocka_unit_test(test_ioeventfd),
		cmocka_unit_test(test_irqfd_and_routing),
		cmocka_unit_test(test_stats_attrs_and_run_struct),
		cmocka_unit_test(test_coalesced_mmio),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
