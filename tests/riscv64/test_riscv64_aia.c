/* SPDX-License-Identifier: MIT */
/*
 * test_riscv64_aia.c (kvm) - the in-kernel AIA: kvm-ioctls'
 * test_create_device scenario on riscv (a bogus device type fails; the AIA
 * after the vCPU; sources, APLIC and IMSIC addresses; get_device_attr with
 * a bad address gives EFAULT; CTRL_INIT), ckvm_vm_setup_aia, the config and
 * address read-back, IMSIC/APLIC register access, KVM_IRQ_LINE on a wired
 * source, and irqfd through an explicit GSI route into the APLIC. Skips
 * where the host has no AIA.
 */
#include "rv.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define APLIC_BASE 0x0c000000ull
#define IMSIC_BASE 0x28000000ull

static void test_create_device(void **state)
{
	struct rv_guest g;
	struct ckvm_device *aia = NULL;
	struct kvm_device_attr attr;
	uint32_t v = 0;

	(void)state;
	rv_guest_create(&g, 0);
	t_assert_err(ckvm_vm_create_device(g.vm, KVM_DEV_TYPE_FSL_MPIC_20, 0, &aia), ENODEV);
	assert_null(aia);
	rv_guest_add_vcpu(&g);
	rv_require_aia(&g);
	t_assert_ok(ckvm_vm_create_aia(g.vm, &aia));
	t_assert_ok(ckvm_aia_set_config(aia, KVM_DEV_RISCV_AIA_CONFIG_SRCS, 128 - 1));
	memset(&attr, 0, sizeof(attr));
	attr.group = KVM_DEV_RISCV_AIA_GRP_CONFIG;
	attr.attr = KVM_DEV_RISCV_AIA_CONFIG_SRCS;
	attr.addr = 0x10;
	t_assert_err(ckvm_device_get_attr(aia, &attr), EFAULT);
	t_assert_ok(ckvm_aia_get_config(aia, KVM_DEV_RISCV_AIA_CONFIG_SRCS, &v));
	assert_int_equal(v, 127);
	t_assert_ok(ckvm_aia_set_config(aia, KVM_DEV_RISCV_AIA_CONFIG_HART_BITS, 0));
	t_assert_ok(ckvm_aia_set_aplic_addr(aia, APLIC_BASE));
	t_assert_ok(ckvm_aia_set_imsic_addr(aia, 0, IMSIC_BASE));
	t_assert_err(ckvm_aia_set_imsic_addr(aia, KVM_DEV_RISCV_APLIC_MAX_HARTS, IMSIC_BASE), EINVAL);
	t_assert_ok(ckvm_aia_init(aia));
	ckvm_device_close(aia);
	rv_guest_destroy(&g);
}

static void test_setup_and_irq_line(void **state)
{
	struct rv_guest g;
	struct ckvm_device *aia = NULL;
	uint32_t v = 0, sourcecfg = 0;
	uint64_t addr = 0, eidelivery = 0;

	(void)state;
	rv_guest_create(&g, 0);
	rv_guest_add_vcpu(&g);
	rv_require_aia(&g);
	t_assert_err(ckvm_vm_setup_aia(g.vm, 0, 32, 0, APLIC_BASE, IMSIC_BASE, &aia), EINVAL);
	t_assert_err(ckvm_vm_setup_aia(g.vm, 1, 32, 0, APLIC_BASE + 0x10, IMSIC_BASE, &aia), EINVAL);
	assert_null(aia);
	t_assert_ok(ckvm_vm_setup_aia(g.vm, 1, 32, 0, APLIC_BASE, IMSIC_BASE, &aia));
	t_assert_ok(ckvm_aia_get_config(aia, KVM_DEV_RISCV_AIA_CONFIG_SRCS, &v));
	assert_int_equal(v, 32);
	t_assert_ok(ckvm_aia_get_config(aia, KVM_DEV_RISCV_AIA_CONFIG_HART_BITS, &v));
	assert_int_equal(v, 0);
	t_assert_ok(ckvm_aia_get_addr(aia, KVM_DEV_RISCV_AIA_ADDR_APLIC, &addr));
	assert_int_equal(addr, APLIC_BASE);
	t_assert_ok(ckvm_aia_get_addr(aia, KVM_DEV_RISCV_AIA_ADDR_IMSIC(0), &addr));
	assert_int_equal(addr, IMSIC_BASE);
	/* APLIC sourcecfg[1] (offset 0x4): detached by default, writable */
	t_assert_ok(ckvm_aia_get_aplic_reg(aia, 0x4, &sourcecfg));
	t_assert_ok(ckvm_aia_set_aplic_reg(aia, 0x4, 6)); /* level high */
	t_assert_ok(ckvm_aia_get_aplic_reg(aia, 0x4, &sourcecfg));
	assert_int_equal(sourcecfg, 6);
	t_assert_err(ckvm_aia_get_aplic_reg(aia, 0x2, &sourcecfg), EINVAL);
	/* IMSIC eidelivery (iselect 0x70) of hart 0 */
	t_assert_ok(ckvm_aia_set_imsic_reg(aia, 0, 0x70, 1));
	t_assert_ok(ckvm_aia_get_imsic_reg(aia, 0, 0x70, &eidelivery));
	assert_int_equal(eidelivery, 1);
	/* wired source 1 through KVM_IRQ_LINE */
	t_assert_ok(ckvm_vm_set_irq_line(g.vm, 1, true));
	t_assert_ok(ckvm_vm_set_irq_line(g.vm, 1, false));
	ckvm_device_close(aia);
	rv_guest_destroy(&g);
}

/* irqfd injection is asynchronous: wait up to a second for the APLIC pending bit. */
static bool wait_pending(struct ckvm_device *aia, uint32_t src)
{
	struct timespec ts = { 0, 1000000 };
	uint32_t ip = 0;
	int i;

	for (i = 0; i < 1000; i++) {
		t_assert_ok(ckvm_aia_get_aplic_reg(aia, 0x1c00 + 4 * (src / 32), &ip)); /* setip */
		if (ip & (1u << (src % 32)))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static void test_irqfd_and_routing(void **state)
{
	struct rv_guest g;
	struct ckvm_device *aia = NULL;
	struct kvm_irq_routing *routes = NULL;
	uint64_t one = 1;
	int efd;

	(void)state;
	rv_guest_create(&g, 0);
	rv_guest_add_vcpu(&g);
	rv_require_aia(&g);
	t_assert_ok(ckvm_vm_setup_aia(g.vm, 1, 32, 0, APLIC_BASE, IMSIC_BASE, &aia));
	/* sources 3 and 7: edge rising, so a pulse leaves them pending */
	t_assert_ok(ckvm_aia_set_aplic_reg(aia, 0x0004 + 4 * 2, 4));
	t_assert_ok(ckvm_aia_set_aplic_reg(aia, 0x0004 + 4 * 6, 4));
	/* explicit routing: gsi 3 -> irqchip 0 pin 3, gsi 9 -> pin 7 */
	t_assert_ok(ckvm_irq_routing_alloc(2, &routes));
	t_assert_ok(ckvm_irq_routing_push_irqchip(routes, 3, 0, 3));
	t_assert_ok(ckvm_irq_routing_push_irqchip(routes, 9, 0, 7));
	t_assert_ok(ckvm_vm_set_gsi_routing(g.vm, routes));
	ckvm_irq_routing_free(routes);
	efd = eventfd(0, EFD_CLOEXEC);
	assert_true(efd >= 0);
	t_assert_ok(ckvm_vm_register_irqfd(g.vm, efd, 9));
	t_assert_err(ckvm_vm_register_irqfd(g.vm, efd, 9), EBUSY);
	assert_int_equal(write(efd, &one, sizeof(one)), sizeof(one));
	assert_true(wait_pending(aia, 7));
	t_assert_ok(ckvm_vm_unregister_irqfd(g.vm, efd, 9));
	close(efd);
	/* KVM_IRQ_LINE on gsi 3 */
	t_assert_ok(ckvm_vm_set_irq_line(g.vm, 3, true));
	t_assert_ok(ckvm_vm_set_irq_line(g.vm, 3, false));
	assert_true(wait_pending(aia, 3));
	ckvm_device_close(aia);
	rv_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_device),
		cmocka_unit_test(test_setup_and_irq_line),
		cmocka_unit_test(test_irqfd_and_routing),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
