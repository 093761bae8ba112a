/* SPDX-License-Identifier: MIT */
/*
 * test_vm_irq.c (kvm) - interrupt plumbing of a VM, checked through the
 * state of the in-kernel interrupt controllers: KVM_CREATE_IRQCHIP,
 * KVM_GET/SET_IRQCHIP (also against guest port I/O), split irqchip,
 * KVM_IRQ_LINE(_STATUS), KVM_IRQFD (edge, resample, deassign),
 * KVM_SIGNAL_MSI and KVM_SET_GSI_ROUTING (an MSI route fed by an irqfd).
 */
#include "core_guest.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LAPIC_SVR 0xf0
#define LAPIC_IRR 0x200

static struct kvm_pic_state pic_master(struct ckvm_vm *vm)
{
	struct kvm_irqchip chip;

	memset(&chip, 0, sizeof(chip));
	chip.chip_id = KVM_IRQCHIP_PIC_MASTER;
	t_assert_ok(ckvm_vm_get_irqchip(vm, &chip));
	return chip.chip.pic;
}

static struct kvm_ioapic_state ioapic(struct ckvm_vm *vm)
{
	struct kvm_irqchip chip;

	memset(&chip, 0, sizeof(chip));
	chip.chip_id = KVM_IRQCHIP_IOAPIC;
	t_assert_ok(ckvm_vm_get_irqchip(vm, &chip));
	return chip.chip.ioapic;
}

static void clear_pic_irr(struct ckvm_vm *vm)
{
	struct kvm_irqchip chip;

	memset(&chip, 0, sizeof(chip));
	chip.chip_id = KVM_IRQCHIP_PIC_MASTER;
	t_assert_ok(ckvm_vm_get_irqchip(vm, &chip));
	chip.chip.pic.irr = 0;
	chip.chip.pic.last_irr = 0;
	t_assert_ok(ckvm_vm_set_irqchip(vm, &chip));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* irqfd injection is asynchronous: poll the PIC's IRR for a while. */
static int wait_pic_irr(struct ckvm_vm *vm, int pin, int want)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (!!(pic_master(vm).irr & (1u << pin)) == want)
			return 1;
		sleep_ms(5);
	}
	return 0;
}

static uint32_t lapic_reg(const struct kvm_lapic_state *l, unsigned off)
{
	uint32_t v;

	memcpy(&v, &l->regs[off], 4);
	return v;
}

static int lapic_irr(struct ckvm_vcpu *v, unsigned vector)
{
	struct kvm_lapic_state l;

	t_assert_ok(ckvm_vcpu_get_lapic(v, &l));
	return !!(lapic_reg(&l, LAPIC_IRR + 0x10 * (vector / 32)) & (1u << (vector % 32)));
}

/* Software-enable the LAPIC (SVR bit 8) so that it accepts fixed interrupts. */
static void lapic_enable(struct ckvm_vcpu *v)
{
	struct kvm_lapic_state l;
	uint32_t svr;

	t_assert_ok(ckvm_vcpu_get_lapic(v, &l));
	svr = lapic_reg(&l, LAPIC_SVR) | 0x1ff;
	memcpy(&l.regs[LAPIC_SVR], &svr, 4);
	t_assert_ok(ckvm_vcpu_set_lapic(v, &l));
}

static void test_irqchip_state(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	struct kvm_irqchip chip;

	(void)state;
	memset(&g, 0, sizeof(g));
	t_watchdog(30);
	core_guest_memory(&g);
	/* before KVM_CREATE_IRQCHIP there is no state to read */
	memset(&chip, 0, sizeof(chip));
	chip.chip_id = KVM_IRQCHIP_PIC_MASTER;
	t_assert_err(ckvm_vm_get_irqchip(g.vm, &chip), ENXIO);
	t_assert_ok(ckvm_vm_create_irq_chip(g.vm));
	t_assert_err(ckvm_vm_create_irq_chip(g.vm), EEXIST);
	v = core_guest_vcpu(&g);

	/* the guest programs the master PIC's mask register: get_irqchip sees it */
	assert_int_equal(core_do(&g, v, OP_OUT8, 0x21, 0xa5), CORE_OP_DONE);
	assert_int_equal(pic_master(g.vm).imr, 0xa5);
	/* set_irqchip changes it: the guest reads the new mask through port 0x21 */
	memset(&chip, 0, sizeof(chip));
	chip.chip_id = KVM_IRQCHIP_PIC_MASTER;
	t_assert_ok(ckvm_vm_get_irqchip(g.vm, &chip));
	chip.chip.pic.imr = 0x3c;
	t_assert_ok(ckvm_vm_set_irqchip(g.vm, &chip));
	assert_int_equal(core_do(&g, v, OP_IN8, 0x21, 0), 0x3c);
	/* the IOAPIC: a redirection entry round-trips */
	memset(&chip, 0, sizeof(chip));
	chip.chip_id = KVM_IRQCHIP_IOAPIC;
	t_assert_ok(ckvm_vm_get_irqchip(g.vm, &chip));
	chip.chip.ioapic.redirtbl[9].fields.vector = 0x59;
	chip.chip.ioapic.redirtbl[9].fields.trig_mode = 1;
	chip.chip.ioapic.redirtbl[9].fields.mask = 1;
	t_assert_ok(ckvm_vm_set_irqchip(g.vm, &chip));
	assert_int_equal(ioapic(g.vm).redirtbl[9].fields.vector, 0x59);
	assert_int_equal(ioapic(g.vm).redirtbl[9].fields.trig_mode, 1);
	/* bad chip ids */
	chip.chip_id = 7;
	t_assert_err(ckvm_vm_get_irqchip(g.vm, &chip), EINVAL);
	t_assert_err(ckvm_vm_set_irqchip(g.vm, &chip), EINVAL);
	t_assert_err(ckvm_vm_get_irqchip(g.vm, NULL), EINVAL);
	t_assert_err(ckvm_vm_set_irqchip(g.vm, NULL), EINVAL);
	t_guest_destroy(&g);
}

static void test_split_irqchip(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	struct ckvm_exit e;
	struct kvm_irqchip chip;

	(void)state;
	memset(&g, 0, sizeof(g));
	t_watchdog(30);
	core_guest_memory(&g);
	t_require_vm_cap(g.vm, KVM_CAP_SPLIT_IRQCHIP);
	t_assert_ok(ckvm_vm_enable_split_irqchip(g.vm, 24));
	/* only the LAPICs are in the kernel: no full irqchip on top, no PIC state */
	t_assert_err(ckvm_vm_create_irq_chip(g.vm), EEXIST);
	memset(&chip, 0, sizeof(chip));
	chip.chip_id = KVM_IRQCHIP_PIC_MASTER;
	t_assert_err(ckvm_vm_get_irqchip(g.vm, &chip), ENXIO);
	v = core_guest_vcpu(&g);
	/* the PIC is the VMM's now: the guest's write to port 0x21 exits */
	core_expect_exit(&g, v, OP_OUT8, 0x21, 0xa5, CKVM_EXIT_IO_OUT, &e);
	assert_int_equal(e.io.port, 0x21);
	assert_int_equal(e.io.data[0], 0xa5);
	assert_int_equal(t_expect_report(&g, v), CORE_OP_DONE);
	/* the in-kernel LAPIC exists */
	lapic_enable(v);
	assert_int_equal(lapic_irr(v, 0x40), 0);
	t_guest_destroy(&g);
}

static void test_split_irqchip_after_vcpu_fails(void **state)
{
	struct t_guest g;

	(void)state;
	memset(&g, 0, sizeof(g));
	t_watchdog(30);
	core_guest_memory(&g);
	(void)core_guest_vcpu(&g);
	t_assert_err(ckvm_vm_enable_split_irqchip(g.vm, 24), EEXIST);
	t_guest_destroy(&g);
}

static void test_irq_line(void **state)
{
	struct t_guest g;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	/* no irqchip: KVM_IRQ_LINE has nothing to drive */
	assert_true(ckvm_vm_set_irq_line(g.vm, 4, true) < 0);
	t_assert_ok(ckvm_vm_create_irq_chip(g.vm));
	assert_int_equal(pic_master(g.vm).irr & 0x10, 0);
	/* a rising edge on GSI 4 latches PIC IRR bit 4 */
	t_assert_ok(ckvm_vm_set_irq_line(g.vm, 4, true));
	t_assert_ok(ckvm_vm_set_irq_line(g.vm, 4, false));
	assert_int_equal(pic_master(g.vm).irr & 0x10, 0x10);
	clear_pic_irr(g.vm);
	/* status: delivered, then coalesced while the first is pending */
	assert_true(ckvm_vm_irq_line_status(g.vm, 3, true) > 0);
	assert_int_equal(pic_master(g.vm).irr & 0x08, 0x08);
	t_assert_ok(ckvm_vm_irq_line_status(g.vm, 3, false));
	assert_int_equal(ckvm_vm_irq_line_status(g.vm, 3, true), 0);
	t_assert_ok(ckvm_vm_irq_line_status(g.vm, 3, false));
	/* masked at the PIC (and at the IOAPIC, masked since reset): 0 as well */
	{
		struct kvm_irqchip chip;

		memset(&chip, 0, sizeof(chip));
		chip.chip_id = KVM_IRQCHIP_PIC_MASTER;
		t_assert_ok(ckvm_vm_get_irqchip(g.vm, &chip));
		chip.chip.pic.imr = 0x40;
		t_assert_ok(ckvm_vm_set_irqchip(g.vm, &chip));
		assert_int_equal(ckvm_vm_irq_line_status(g.vm, 6, true), 0);
	}
	/* an IRQ beyond every chip's pins */
	assert_true(ckvm_vm_set_irq_line(g.vm, 100000, true) < 0 ||
		    ckvm_vm_irq_line_status(g.vm, 100000, true) == 0);
	t_guest_destroy(&g);
}

static void test_irqfd(void **state)
{
	struct t_guest g;
	uint64_t one = 1;
	int efd, efd2;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	t_require_cap(g.kvm, KVM_CAP_IRQFD);
	t_assert_ok(ckvm_vm_create_irq_chip(g.vm));
	efd = core_eventfd();
	efd2 = core_eventfd();
	t_assert_ok(ckvm_vm_register_irqfd(g.vm, efd, 4));
	/* the same eventfd twice is refused */
	t_assert_err(ckvm_vm_register_irqfd(g.vm, efd, 4), EBUSY);
	t_assert_err(ckvm_vm_register_irqfd(g.vm, -1, 4), EBADF);
	assert_int_equal(pic_master(g.vm).irr & 0x10, 0);
	/* a write to the eventfd raises GSI 4 */
	assert_int_equal(write(efd, &one, 8), 8);
	assert_true(wait_pic_irr(g.vm, 4, 1));
	/* after unregistering, writes no longer reach the PIC */
	t_assert_ok(ckvm_vm_unregister_irqfd(g.vm, efd, 4));
	clear_pic_irr(g.vm);
	assert_int_equal(write(efd, &one, 8), 8);
	sleep_ms(50);
	assert_int_equal(pic_master(g.vm).irr & 0x10, 0);
	/* unregistering something never registered is not an error (kvm-ioctls) */
	t_assert_ok(ckvm_vm_unregister_irqfd(g.vm, efd2, 4));
	close(efd);
	close(efd2);
	t_guest_destroy(&g);
}

static void test_irqfd_resample(void **state)
{
	struct t_guest g;
	struct kvm_irqchip chip;
	uint64_t one = 1;
	int efd, rfd, i;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	t_require_cap(g.kvm, KVM_CAP_IRQFD_RESAMPLE);
	t_assert_ok(ckvm_vm_create_irq_chip(g.vm));
	/* IOAPIC pin 5: level-triggered and masked, so IRR follows the line */
	memset(&chip, 0, sizeof(chip));
	chip.chip_id = KVM_IRQCHIP_IOAPIC;
	t_assert_ok(ckvm_vm_get_irqchip(g.vm, &chip));
	chip.chip.ioapic.redirtbl[5].fields.vector = 0x55;
	chip.chip.ioapic.redirtbl[5].fields.trig_mode = 1;
	chip.chip.ioapic.redirtbl[5].fields.mask = 1;
	t_assert_ok(ckvm_vm_set_irqchip(g.vm, &chip));
	efd = core_eventfd();
	rfd = core_eventfd();
	t_assert_err(ckvm_vm_register_irqfd_with_resample(g.vm, efd, -1, 5), EBADF);
	t_assert_ok(ckvm_vm_register_irqfd_with_resample(g.vm, efd, rfd, 5));
	assert_int_equal(ioapic(g.vm).irr & (1u << 5), 0);
	/* a level irqfd asserts the line and keeps it asserted until resampled */
	assert_int_equal(write(efd, &one, 8), 8);
	for (i = 0; i < 200 && !(ioapic(g.vm).irr & (1u << 5)); i++)
		sleep_ms(5);
	assert_int_equal(ioapic(g.vm).irr & (1u << 5), 1u << 5);
	sleep_ms(20);
	assert_int_equal(ioapic(g.vm).irr & (1u << 5), 1u << 5);
	assert_int_equal(core_eventfd_read(rfd), 0); /* no EOI happened */
	/* deassigning the irqfd drops the line */
	t_assert_ok(ckvm_vm_unregister_irqfd(g.vm, efd, 5));
	for (i = 0; i < 200 && (ioapic(g.vm).irr & (1u << 5)); i++)
		sleep_ms(5);
	assert_int_equal(ioapic(g.vm).irr & (1u << 5), 0);
	close(efd);
	close(rfd);
	t_guest_destroy(&g);
}

/*
 * The full level-triggered cycle with a guest: the resample irqfd asserts
 * IOAPIC pin 5, the guest takes the interrupt and EOIs it, KVM signals the
 * resamplefd and drops the line.
 */
static void test_irqfd_resample_eoi(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	struct kvm_irqchip chip;
	uint64_t one = 1;
	int efd, rfd, i;

	(void)state;
	memset(&g, 0, sizeof(g));
	t_watchdog(30);
	core_guest_memory(&g);
	t_require_cap(g.kvm, KVM_CAP_IRQFD_RESAMPLE);
	t_assert_ok(ckvm_vm_create_irq_chip(g.vm));
	v = core_guest_vcpu(&g);
	lapic_enable(v);
	t_guest_set_idt_gate(&g, 0x55, T_GUEST_ADDR(core_rw, core_irq_handler), 0);
	/* the PIC masks everything; IOAPIC pin 5: vector 0x55, level, to APIC 0 */
	memset(&chip, 0, sizeof(chip));
	chip.chip_id = KVM_IRQCHIP_PIC_MASTER;
	t_assert_ok(ckvm_vm_get_irqchip(g.vm, &chip));
	chip.chip.pic.imr = 0xff;
	t_assert_ok(ckvm_vm_set_irqchip(g.vm, &chip));
	memset(&chip, 0, sizeof(chip));
	chip.chip_id = KVM_IRQCHIP_IOAPIC;
	t_assert_ok(ckvm_vm_get_irqchip(g.vm, &chip));
	chip.chip.ioapic.redirtbl[5].bits = 0;
	chip.chip.ioapic.redirtbl[5].fields.vector = 0x55;
	chip.chip.ioapic.redirtbl[5].fields.trig_mode = 1;
	t_assert_ok(ckvm_vm_set_irqchip(g.vm, &chip));
	efd = core_eventfd();
	rfd = core_eventfd();
	t_assert_ok(ckvm_vm_register_irqfd_with_resample(g.vm, efd, rfd, 5));
	assert_int_equal(write(efd, &one, 8), 8);
	for (i = 0; i < 200 && !lapic_irr(v, 0x55) && !(ioapic(g.vm).irr & (1u << 5)); i++)
		sleep_ms(5);
	assert_int_equal(core_eventfd_read(rfd), 0);
	/* the guest enables interrupts, takes vector 0x55 and EOIs it */
	assert_int_equal(core_do(&g, v, OP_WAITIRQ, 0, 0), CORE_IRQ_SEEN);
	assert_int_equal(t_expect_report(&g, v), CORE_OP_DONE);
	/* the EOI resampled the irqfd: resamplefd signalled, line dropped */
	for (i = 0; i < 200 && !core_eventfd_read(rfd); i++)
		sleep_ms(5);
	assert_true(i < 200);
	assert_int_equal(ioapic(g.vm).irr & (1u << 5), 0);
	assert_int_equal(ioapic(g.vm).redirtbl[5].fields.remote_irr, 0);
	t_assert_ok(ckvm_vm_unregister_irqfd(g.vm, efd, 5));
	close(efd);
	close(rfd);
	t_guest_destroy(&g);
}

static void test_signal_msi(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	struct kvm_msi msi;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	t_require_cap(g.kvm, KVM_CAP_SIGNAL_MSI);
	memset(&msi, 0, sizeof(msi));
	msi.address_lo = 0xfee00000u; /* APIC ID 0, physical */
	msi.data = 0x41;              /* fixed, vector 0x41 */
	/* no in-kernel LAPIC yet */
	assert_true(ckvm_vm_signal_msi(g.vm, &msi) < 0);
	t_assert_ok(ckvm_vm_create_irq_chip(g.vm));
	v = core_guest_vcpu(&g);
	lapic_enable(v);
	assert_int_equal(lapic_irr(v, 0x41), 0);
	/* delivered: the vector is pending in the LAPIC's IRR */
	assert_true(ckvm_vm_signal_msi(g.vm, &msi) > 0);
	assert_int_equal(lapic_irr(v, 0x41), 1);
	/* to an APIC ID nobody has: not delivered */
	msi.address_lo = 0xfee00000u | (7u << 12);
	msi.data = 0x42;
	assert_true(ckvm_vm_signal_msi(g.vm, &msi) <= 0);
	assert_int_equal(lapic_irr(v, 0x42), 0);
	/* reserved flags are refused */
	msi.flags = 0x80000000u;
	t_assert_err(ckvm_vm_signal_msi(g.vm, &msi), EINVAL);
	t_assert_err(ckvm_vm_signal_msi(g.vm, NULL), EINVAL);
	t_guest_destroy(&g);
}

static void test_gsi_routing(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	struct kvm_irq_routing *r = NULL;
	uint64_t one = 1;
	int efd, i, gsi;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	t_require_cap(g.kvm, KVM_CAP_IRQ_ROUTING);
	/* without an irqchip there is nothing to route to */
	t_assert_ok(ckvm_irq_routing_alloc(64, &r));
	t_assert_ok(ckvm_irq_routing_push_msi(r, 40, 0xfee00000u, 0x43));
	assert_true(ckvm_vm_set_gsi_routing(g.vm, r) < 0);
	t_assert_ok(ckvm_vm_create_irq_chip(g.vm));
	v = core_guest_vcpu(&g);
	lapic_enable(v);
	/* the standard routes (PIC 0-15, IOAPIC 0-23) plus MSI routes on GSI 40 and 41 */
	r->nr = 0;
	for (gsi = 0; gsi < 24; gsi++) {
		if (gsi < 16 && gsi != 2)
			t_assert_ok(ckvm_irq_routing_push_irqchip(r, gsi, gsi < 8 ?
				KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE, gsi % 8));
		t_assert_ok(ckvm_irq_routing_push_irqchip(r, gsi, KVM_IRQCHIP_IOAPIC, gsi));
	}
	t_assert_ok(ckvm_irq_routing_push_msi(r, 40, 0xfee00000u, 0x43));
	t_assert_ok(ckvm_irq_routing_push_msi(r, 41, 0xfee00000u, 0x44));
	t_assert_ok(ckvm_vm_set_gsi_routing(g.vm, r));
	/* an irqfd on GSI 40 now lands in the LAPIC as vector 0x43, not 0x44 */
	efd = core_eventfd();
	t_assert_ok(ckvm_vm_register_irqfd(g.vm, efd, 40));
	assert_int_equal(lapic_irr(v, 0x43), 0);
	assert_int_equal(write(efd, &one, 8), 8);
	for (i = 0; i < 200 && !lapic_irr(v, 0x43); i++)
		sleep_ms(5);
	assert_int_equal(lapic_irr(v, 0x43), 1);
	assert_int_equal(lapic_irr(v, 0x44), 0);
	/* KVM_IRQ_LINE on GSI 4 still reaches the PIC through the new table */
	t_assert_ok(ckvm_vm_set_irq_line(g.vm, 4, true));
	t_assert_ok(ckvm_vm_set_irq_line(g.vm, 4, false));
	assert_int_equal(pic_master(g.vm).irr & 0x10, 0x10);
	t_assert_ok(ckvm_vm_unregister_irqfd(g.vm, efd, 40));
	close(efd);
	/* invalid entries: unknown type, an irqchip pin out of range */
	r->nr = 1;
	r->entries[0].type = 99;
	t_assert_err(ckvm_vm_set_gsi_routing(g.vm, r), EINVAL);
	r->nr = 0;
	t_assert_ok(ckvm_irq_routing_push_irqchip(r, 1, KVM_IRQCHIP_IOAPIC, 99));
	t_assert_err(ckvm_vm_set_gsi_routing(g.vm, r), EINVAL);
	/* a count above KVM's limit is refused before the ioctl */
	r->nr = CKVM_MAX_IRQ_ROUTES + 1;
	t_assert_err(ckvm_vm_set_gsi_routing(g.vm, r), E2BIG);
	t_assert_err(ckvm_vm_set_gsi_routing(g.vm, NULL), EINVAL);
	ckvm_irq_routing_free(r);
	t_guest_destroy(&g);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_irqchip_state),
		cmocka_unit_test(test_split_irqchip_after_vcpu_fails),
		cmocka_unit_test(test_irq_line),
	};
	/* each may skip (absent capability or device): its own meson test */
	const struct CMUnitTest alone[] = {
		cmocka_unit_test(test_split_irqchip),
		cmocka_unit_test(test_irqfd),
		cmocka_unit_test(test_irqfd_resample),
		cmocka_unit_test(test_irqfd_resample_eoi),
		cmocka_unit_test(test_signal_msi),
		cmocka_unit_test(test_gsi_routing),
	};

	ckvm_close(t_require_kvm());
	return t_main(argc, argv, tests, T_ARRAY_LEN(tests), alone, T_ARRAY_LEN(alone));
}
