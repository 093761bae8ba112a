/* SPDX-License-Identifier: MIT */
/*
 * test_vm_ioevent.c (kvm) - KVM_IOEVENTFD in every variant (PIO and MMIO,
 * every length including "any length", with and without datamatch) and
 * coalesced MMIO/PIO zones, each checked against a guest: a matching write
 * signals the eventfd (or lands in the coalesced ring) instead of exiting,
 * a non-matching one exits to the VMM, and after unregistering writes exit.
 */
#include "core_guest.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define PIO_BASE 0x3000
#define MMIO_BASE 0xe0000000ULL

static enum core_op write_op(enum ckvm_io_space space, uint32_t len)
{
	if (space == CKVM_IO_PIO)
		return len == 1 ? OP_OUT8 : len == 2 ? OP_OUT16 : OP_OUT32;
	return len == 1 ? OP_WRITE8 : len == 2 ? OP_WRITE16 : len == 4 ? OP_WRITE32 : OP_WRITE64;
}

/* The guest writes `value` with `len` bytes at addr and must NOT exit. */
static void write_no_exit(struct t_guest *g, struct ckvm_vcpu *v, enum ckvm_io_space space,
			  uint64_t addr, uint32_t len, uint64_t value)
{
	assert_int_equal(core_do(g, v, write_op(space, len), addr, value), CORE_OP_DONE);
}

/* The guest's write exits to the VMM with the right address and data. */
static void write_exits(struct t_guest *g, struct ckvm_vcpu *v, enum ckvm_io_space space,
			uint64_t addr, uint32_t len, uint64_t value)
{
	struct ckvm_exit e;

	if (space == CKVM_IO_PIO) {
		core_expect_exit(g, v, write_op(space, len), addr, value, CKVM_EXIT_IO_OUT, &e);
		assert_int_equal(e.io.port, addr);
		assert_int_equal(e.io.size, len);
		assert_int_equal(e.io.data[0], value & 0xff);
	} else {
		core_expect_exit(g, v, write_op(space, len), addr, value, CKVM_EXIT_MMIO_WRITE, &e);
		assert_true(e.mmio.gpa == addr);
		assert_int_equal(e.mmio.len, len);
		assert_int_equal(e.mmio.data[0], value & 0xff);
	}
	assert_int_equal(t_expect_report(g, v), CORE_OP_DONE);
}

static void one_variant(struct t_guest *g, struct ckvm_vcpu *v, enum ckvm_io_space space,
			uint64_t addr, uint32_t len, bool datamatch)
{
	uint64_t match = 0x1122334455667788ULL & (len == 8 ? ~0ULL : ((1ULL << (8 * len)) - 1));
	uint32_t wlen = len ? len : 4; /* "any length": the guest writes 4 bytes */
	int efd = core_eventfd();

	t_assert_ok(ckvm_vm_register_ioevent(g->vm, efd, space, addr, len, datamatch, match));
	/* registering the identical tuple again is refused */
	t_assert_err(ckvm_vm_register_ioevent(g->vm, efd, space, addr, len, datamatch, match),
		     EEXIST);
	/* the matching write signals the eventfd, without an exit */
	write_no_exit(g, v, space, addr, wlen, match);
	assert_int_equal(core_eventfd_read(efd), 1);
	if (datamatch) {
		/* another value is an ordinary exit and does not signal */
		write_exits(g, v, space, addr, wlen, match ^ 1);
		assert_int_equal(core_eventfd_read(efd), 0);
	}
	if (len >= 2) {
		/* a write of another length does not match either */
		write_exits(g, v, space, addr, 1, match);
		assert_int_equal(core_eventfd_read(efd), 0);
	}
	/* unregistering needs the same tuple */
	if (len)
		t_assert_err(ckvm_vm_unregister_ioevent(g->vm, efd, space, addr, len == 1 ? 2 : 1,
							datamatch, match), ENOENT);
	t_assert_ok(ckvm_vm_unregister_ioevent(g->vm, efd, space, addr, len, datamatch, match));
	t_assert_err(ckvm_vm_unregister_ioevent(g->vm, efd, space, addr, len, datamatch, match),
		     ENOENT);
	write_exits(g, v, space, addr, wlen, match);
	assert_int_equal(core_eventfd_read(efd), 0);
	close(efd);
}

static void test_ioeventfd_pio(void **state)
{
	static const uint32_t lens[] = { 1, 2, 4 };
	struct t_guest g;
	struct ckvm_vcpu *v;
	unsigned i;

	(void)state;
	memset(&g, 0, sizeof(g));
	v = core_guest(&g);
	t_require_cap(g.kvm, KVM_CAP_IOEVENTFD);
	for (i = 0; i < 3; i++) {
		one_variant(&g, v, CKVM_IO_PIO, PIO_BASE + 8 * i, lens[i], false);
		one_variant(&g, v, CKVM_IO_PIO, PIO_BASE + 0x100 + 8 * i, lens[i], true);
	}
	t_guest_destroy(&g);
}

static void test_ioeventfd_mmio(void **state)
{
	static const uint32_t lens[] = { 1, 2, 4, 8 };
	struct t_guest g;
	struct ckvm_vcpu *v;
	unsigned i;

	(void)state;
	memset(&g, 0, sizeof(g));
	v = core_guest(&g);
	t_require_cap(g.kvm, KVM_CAP_IOEVENTFD);
	for (i = 0; i < 4; i++) {
		one_variant(&g, v, CKVM_IO_MMIO, MMIO_BASE + 16 * i, lens[i], false);
		one_variant(&g, v, CKVM_IO_MMIO, MMIO_BASE + 0x100 + 16 * i, lens[i], true);
	}
	t_guest_destroy(&g);
}

/* len 0: any write at the address matches, whatever its length. */
static void test_ioeventfd_any_length(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	int efd;

	(void)state;
	memset(&g, 0, sizeof(g));
	v = core_guest(&g);
	t_require_cap(g.kvm, KVM_CAP_IOEVENTFD_NO_LENGTH);
	one_variant(&g, v, CKVM_IO_MMIO, MMIO_BASE + 0x200, 0, false);
	/* writes of 1, 2 and 8 bytes signal it as well */
	efd = core_eventfd();
	t_assert_ok(ckvm_vm_register_ioevent(g.vm, efd, CKVM_IO_MMIO, MMIO_BASE + 0x300, 0, false, 0));
	write_no_exit(&g, v, CKVM_IO_MMIO, MMIO_BASE + 0x300, 1, 0x12);
	write_no_exit(&g, v, CKVM_IO_MMIO, MMIO_BASE + 0x300, 2, 0x1234);
	write_no_exit(&g, v, CKVM_IO_MMIO, MMIO_BASE + 0x300, 8, 0x1234567812345678ULL);
	assert_int_equal(core_eventfd_read(efd), 3);
	t_assert_ok(ckvm_vm_unregister_ioevent(g.vm, efd, CKVM_IO_MMIO, MMIO_BASE + 0x300, 0, false, 0));
	close(efd);
	t_guest_destroy(&g);
}

static void test_ioeventfd_bad_arguments(void **state)
{
	struct t_guest g;
	int efd = core_eventfd();

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	t_assert_err(ckvm_vm_register_ioevent(g.vm, efd, CKVM_IO_MMIO, MMIO_BASE, 3, false, 0), EINVAL);
	t_assert_err(ckvm_vm_register_ioevent(g.vm, efd, CKVM_IO_MMIO, MMIO_BASE, 16, false, 0), EINVAL);
	t_assert_err(ckvm_vm_register_ioevent(g.vm, efd, CKVM_IO_MMIO, MMIO_BASE, 0, true, 0), EINVAL);
	t_assert_err(ckvm_vm_register_ioevent(g.vm, efd, (enum ckvm_io_space)7, MMIO_BASE, 4, false, 0),
		     EINVAL);
	t_assert_err(ckvm_vm_register_ioevent(g.vm, efd, CKVM_IO_MMIO, UINT64_MAX - 2, 8, false, 0),
		     EINVAL);
	t_assert_err(ckvm_vm_register_ioevent(g.vm, -1, CKVM_IO_MMIO, MMIO_BASE, 4, false, 0), EBADF);
	/* an fd that is not an eventfd */
	t_assert_err(ckvm_vm_register_ioevent(g.vm, ckvm_vm_fd(g.vm), CKVM_IO_MMIO, MMIO_BASE, 4,
					      false, 0), EINVAL);
	t_assert_err(ckvm_vm_unregister_ioevent(g.vm, efd, CKVM_IO_MMIO, MMIO_BASE, 3, false, 0), EINVAL);
	close(efd);
	t_guest_destroy(&g);
}

static void test_coalesced_mmio(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	struct kvm_coalesced_mmio ent;
	struct ckvm_exit e;
	uint64_t zone = MMIO_BASE + 0x10000;

	(void)state;
	memset(&g, 0, sizeof(g));
	v = core_guest(&g);
	t_require_cap(g.kvm, KVM_CAP_COALESCED_MMIO);
	t_assert_ok(ckvm_vcpu_map_coalesced_mmio_ring(v));
	t_assert_ok(ckvm_vm_register_coalesced_mmio(g.vm, CKVM_IO_MMIO, zone, 16));
	/* writes inside the zone are buffered in the ring, not exits */
	write_no_exit(&g, v, CKVM_IO_MMIO, zone + 4, 4, 0xfeedf00d);
	write_no_exit(&g, v, CKVM_IO_MMIO, zone + 8, 2, 0xbeef);
	assert_int_equal(ckvm_vcpu_coalesced_mmio_read(v, &ent), 1);
	assert_true(ent.phys_addr == zone + 4);
	assert_int_equal(ent.len, 4);
	assert_memory_equal(ent.data, "\x0d\xf0\xed\xfe", 4);
	assert_int_equal(ent.pio, 0);
	assert_int_equal(ckvm_vcpu_coalesced_mmio_read(v, &ent), 1);
	assert_true(ent.phys_addr == zone + 8);
	assert_int_equal(ent.len, 2);
	assert_int_equal(ckvm_vcpu_coalesced_mmio_read(v, &ent), 0);
	/* reads are not coalesced; writes outside the zone exit */
	core_expect_exit(&g, v, OP_READ32, zone, 0, CKVM_EXIT_MMIO_READ, &e);
	memset(e.mmio.data, 0, 8);
	assert_int_equal(t_expect_report(&g, v), 0);
	write_exits(&g, v, CKVM_IO_MMIO, zone + 16, 4, 1);
	/* after unregistering, the zone's writes exit too */
	t_assert_ok(ckvm_vm_unregister_coalesced_mmio(g.vm, CKVM_IO_MMIO, zone, 16));
	write_exits(&g, v, CKVM_IO_MMIO, zone + 4, 4, 2);
	assert_int_equal(ckvm_vcpu_coalesced_mmio_read(v, &ent), 0);
	t_assert_err(ckvm_vm_register_coalesced_mmio(g.vm, (enum ckvm_io_space)3, zone, 16), EINVAL);
	t_guest_destroy(&g);
}

static void test_coalesced_pio(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	struct kvm_coalesced_mmio ent;

	(void)state;
	memset(&g, 0, sizeof(g));
	v = core_guest(&g);
	t_require_cap(g.kvm, KVM_CAP_COALESCED_PIO);
	t_assert_ok(ckvm_vcpu_map_coalesced_mmio_ring(v));
	t_assert_ok(ckvm_vm_register_coalesced_mmio(g.vm, CKVM_IO_PIO, 0x2c, 1));
	write_no_exit(&g, v, CKVM_IO_PIO, 0x2c, 1, 0x39);
	assert_int_equal(ckvm_vcpu_coalesced_mmio_read(v, &ent), 1);
	assert_true(ent.phys_addr == 0x2c);
	assert_int_equal(ent.len, 1);
	assert_int_equal(ent.data[0], 0x39);
	assert_int_equal(ent.pio, 1);
	assert_int_equal(ckvm_vcpu_coalesced_mmio_read(v, &ent), 0);
	t_assert_ok(ckvm_vm_unregister_coalesced_mmio(g.vm, CKVM_IO_PIO, 0x2c, 1));
	write_exits(&g, v, CKVM_IO_PIO, 0x2c, 1, 0x3a);
	assert_int_equal(ckvm_vcpu_coalesced_mmio_read(v, &ent), 0);
	t_guest_destroy(&g);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ioeventfd_bad_arguments),
	};
	/* each may skip (absent capability or device): its own meson test */
	const struct CMUnitTest alone[] = {
		cmocka_unit_test(test_ioeventfd_pio),
		cmocka_unit_test(test_ioeventfd_mmio),
		cmocka_unit_test(test_ioeventfd_any_length),
		cmocka_unit_test(test_coalesced_mmio),
		cmocka_unit_test(test_coalesced_pio),
	};

	ckvm_close(t_require_kvm());
	return t_main(argc, argv, tests, T_ARRAY_LEN(tests), alone, T_ARRAY_LEN(alone));
}
