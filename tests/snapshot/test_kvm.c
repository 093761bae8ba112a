/* SPDX-License-Identifier: MIT */
/*
 * test_kvm.c - snapshot save/restore against a real /dev/kvm (x86_64):
 *  - a vCPU saved at an I/O exit and restored into a fresh VM has the same
 *    state (every record type the host offers) and resumes correctly;
 *  - bad blobs are refused and leave the target vCPU/VM unchanged;
 *  - VM state (PIC, IOAPIC, PIT2, kvmclock) round-trips;
 *  - guest memory: full save, dirty-only save and dirty-only revert;
 *  - saving at the first half of a split MMIO access returns -EAGAIN (the
 *    completion made a new exit); once that is handled the save succeeds and
 *    the restored vCPU finishes the access with the right value.
 * Run with --write-fixtures DIR to (re)create tests/data/snapshot-v1.0-*.bin
 * (done once for format 1.0; the committed files must never be replaced).
 */
#include "snap_test.h"
#include "guest.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *fixture_dir;
static bool diff_quiet; /* state_diff: do not print the differences */

#define MSR_IA32_TSC 0x10u
#define APIC_TMCCT 0x390

static struct ckvm_vcpu *bare_vcpu(struct t_guest *g)
{
	struct ckvm_vcpu *v;

	t_assert_ok(ckvm_vm_create_vcpu(g->vm, g->nr_vcpus, &v));
	g->vcpu[g->nr_vcpus++] = v;
	return v;
}

static void make_vm(struct t_guest *g, bool irqchip, bool pit, uint32_t slot_flags, size_t mem)
{
	t_guest_create_vm(g);
	if (irqchip)
		t_assert_ok(ckvm_vm_create_irq_chip(g->vm));
	if (pit)
		t_assert_ok(ckvm_vm_create_pit2(g->vm, 0));
	t_guest_add_memory(g, mem, slot_flags);
}

static struct ckvm_snapshot_ctx *make_ctx(struct t_guest *g)
{
	struct ckvm_snapshot_ctx *ctx;

	t_assert_ok(ckvm_snapshot_ctx_create(g->kvm, g->vm, &ctx));
	return ctx;
}

static struct ckvm_x86_vcpu_state *save_state(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *v)
{
	struct ckvm_x86_vcpu_state *st;

	t_assert_ok(ckvm_x86_vcpu_state_alloc(&st));
	t_assert_ok(ckvm_x86_vcpu_state_save(ctx, v, CKVM_SNAPSHOT_SAVE_NO_COMPLETE_IO, st));
	return st;
}

#define NOTE(...) do { if (!diff_quiet) fprintf(stderr, __VA_ARGS__); } while (0)

/*
 * Compare two saved states. Differences allowed: MSR_IA32_TSC (time passes)
 * and the LAPIC timer current count. Returns the number of differences.
 */
static int state_diff(const struct ckvm_x86_vcpu_state *a, const struct ckvm_x86_vcpu_state *b)
{
	int d = 0;
	uint32_t i;

#define CMP(m) do { if (memcmp(&a->m, &b->m, sizeof(a->m))) { \
		NOTE( "differs: %s\n", #m); d++; } } while (0)
	if (a->present != b->present) {
		NOTE( "present %#llx vs %#llx\n", (unsigned long long)a->present,
			(unsigned long long)b->present);
		d++;
	}
	CMP(regs);
	CMP(sregs);
	if (a->present & CKVM_X86_STATE_SREGS2)
		CMP(sregs2);
	CMP(fpu);
	CMP(xcrs);
	CMP(debugregs);
	CMP(events);
	CMP(mp_state);
	CMP(tsc_khz);
	if (a->present & CKVM_X86_STATE_LAPIC) {
		struct kvm_lapic_state la = a->lapic, lb = b->lapic;

		memset(la.regs + APIC_TMCCT, 0, 4);
		memset(lb.regs + APIC_TMCCT, 0, 4);
		if (memcmp(&la, &lb, sizeof(la))) {
			NOTE( "differs: lapic\n");
			d++;
		}
	}
	if (ckvm_xsave_size(a->xsave) != ckvm_xsave_size(b->xsave) ||
	    memcmp(a->xsave, b->xsave, ckvm_xsave_size(a->xsave))) {
		NOTE( "differs: xsave\n");
		d++;
	}
	if (a->cpuid->nent != b->cpuid->nent ||
	    memcmp(a->cpuid->entries, b->cpuid->entries, a->cpuid->nent * sizeof(a->cpuid->entries[0]))) {
		NOTE( "differs: cpuid\n");
		d++;
	}
	if (a->msrs->nmsrs != b->msrs->nmsrs) {
		NOTE( "differs: nmsrs %u vs %u\n", a->msrs->nmsrs, b->msrs->nmsrs);
		d++;
	} else {
		for (i = 0; i < a->msrs->nmsrs; i++) {
			const struct kvm_msr_entry *x = &a->msrs->entries[i], *y = &b->msrs->entries[i];

			if (x->index != y->index ||
			    (x->index != MSR_IA32_TSC && x->data != y->data)) {
				NOTE( "differs: msr %#x %#llx vs %#x %#llx\n", x->index,
					(unsigned long long)x->data, y->index,
					(unsigned long long)y->data);
				d++;
			}
		}
	}
#undef CMP
	return d;
}

static bool has_msr(const struct kvm_msrs *m, uint32_t index, uint64_t value)
{
	uint32_t i;

	for (i = 0; i < m->nmsrs; i++)
		if (m->entries[i].index == index)
			return m->entries[i].data == value;
	return false;
}

/* Run the fixture guest to its save point (MMIO report pending). */
static struct ckvm_vcpu *fixture_to_save_point(struct t_guest *g)
{
	struct ckvm_vcpu *v;

	t_guest_load_code(g, snap_fixture_guest);
	v = t_guest_add_vcpu(g, T_MODE_LONG64, T_CODE_GPA);
	assert_int_equal(t_expect_report(g, v), 1);
	return v;
}

/* ---- vCPU round trip ------------------------------------------------------ */
static void test_vcpu_roundtrip(void **state)
{
	struct t_guest g1, g2;
	struct ckvm_snapshot_ctx *c1, *c2;
	struct ckvm_x86_vcpu_state *st1, *st2;
	struct ckvm_vcpu *v1, *v2;
	struct ckvm_snapshot_record rec;
	void *blob;
	size_t len;

	(void)state;
	t_watchdog(30);
	make_vm(&g1, true, true, 0, 0);
	v1 = fixture_to_save_point(&g1);
	c1 = make_ctx(&g1);
	/* save completes the pending MMIO write first */
	t_assert_ok(ckvm_snapshot_save_vcpu(c1, v1, 0, &blob, &len));
	t_assert_ok(ckvm_snapshot_validate(blob, len));
	t_assert_ok(ckvm_x86_vcpu_state_alloc(&st1));
	t_assert_ok(ckvm_x86_vcpu_state_decode(blob, len, st1));
	/* every record type the host supports is there */
	assert_true(st1->present & CKVM_X86_STATE_REGS);
	assert_true(st1->present & CKVM_X86_STATE_SREGS);
	assert_true(st1->present & CKVM_X86_STATE_FPU);
	assert_true(st1->present & CKVM_X86_STATE_XSAVE);
	assert_true(st1->present & CKVM_X86_STATE_LAPIC);
	assert_true(st1->present & CKVM_X86_STATE_MSRS);
	assert_true(st1->present & CKVM_X86_STATE_MP_STATE);
	assert_true(st1->present & CKVM_X86_STATE_CPUID);
	if (ckvm_vm_check_extension(g1.vm, KVM_CAP_XCRS) > 0)
		assert_true(st1->present & CKVM_X86_STATE_XCRS);
	if (ckvm_vm_check_extension(g1.vm, KVM_CAP_VCPU_EVENTS) > 0)
		assert_true(st1->present & CKVM_X86_STATE_EVENTS);
	if (ckvm_vm_check_extension(g1.vm, KVM_CAP_DEBUGREGS) > 0)
		assert_true(st1->present & CKVM_X86_STATE_DEBUGREGS);
	if (ckvm_vm_check_extension(g1.vm, 200 /* KVM_CAP_SREGS2 */) > 0)
		assert_true(st1->present & CKVM_X86_STATE_SREGS2);
	if (ckvm_vcpu_get_tsc_khz(v1) > 0)
		assert_true(st1->present & CKVM_X86_STATE_TSC_KHZ);
	assert_int_equal(st1->present & CKVM_X86_STATE_NESTED,
			 ckvm_vm_check_extension(g1.vm, KVM_CAP_NESTED_STATE) > 0 ? CKVM_X86_STATE_NESTED : 0);
	assert_int_equal(st1->regs.rbx, 0x1111222233334444ull);
	assert_true(has_msr(st1->msrs, 0xc0000102, 0xfffffacecafe0000ull));
	/* the saved MSR set is the host's saveable list minus what GET_MSRS refuses */
	{
		struct kvm_msr_list *list = NULL;

		t_assert_ok(ckvm_get_msr_index_list(g1.kvm, &list));
		assert_true(st1->msrs->nmsrs > 0);
		assert_true(st1->msrs->nmsrs <= list->nmsrs);
		ckvm_msr_list_free(list);
	}
	/* the saved state is at CPL3 in the middle of the guest */
	assert_int_equal(ckvm_snapshot_find(blob, len, CKVM_SNAPSHOT_REC_X86_REGS, &rec), 1);
	assert_int_equal(st1->sregs.cs.dpl, 3);

	/* a new VM with the same configuration and a copy of the memory */
	make_vm(&g2, true, true, 0, 0);
	memcpy(g2.mem, g1.mem, g1.mem_size);
	v2 = bare_vcpu(&g2);
	c2 = make_ctx(&g2);
	t_assert_ok(ckvm_snapshot_restore_vcpu(c2, v2, blob, len, 0));
	st2 = save_state(c2, v2);
	assert_int_equal(state_diff(st1, st2), 0);
	assert_int_equal(st2->regs.rip, st1->regs.rip);

	/*
	 * A target with sync regs, fresh after an exit and with a register
	 * write pending in its kvm_run page: the restore must win over the
	 * pending write (KVM would load it on the next entry).
	 */
	{
		struct t_guest g3;
		struct ckvm_snapshot_ctx *c3;
		struct ckvm_vcpu *v3;
		struct kvm_sregs bad;
		struct kvm_regs badr;

		make_vm(&g3, true, true, 0, 0);
		memcpy(g3.mem, g1.mem, g1.mem_size);
		t_guest_load_code(&g3, snap_fixture_guest);
		v3 = t_guest_add_vcpu(&g3, T_MODE_LONG64, T_CODE_GPA);
		/*
		 * KVM refuses KVM_SET_CPUID2 after the first KVM_RUN unless the
		 * CPUID is identical, and the harness's CPUID (the host's
		 * supported CPUID) carries the APIC id of whichever host CPU
		 * answered: give v3 the saved CPUID before it runs, as a VMM
		 * restoring into a running vCPU must.
		 */
		t_assert_ok(ckvm_vcpu_set_cpuid2(v3, st1->cpuid));
		t_assert_ok(ckvm_vcpu_set_sync_valid_reg(v3, KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS |
							    KVM_SYNC_X86_EVENTS));
		assert_int_equal(t_expect_report(&g3, v3), 1);
		t_assert_ok(ckvm_vcpu_get_sregs(v3, &bad));
		bad.cr3 = 0x1000; /* not a page table: the guest would fault */
		t_assert_ok(ckvm_vcpu_set_sregs(v3, &bad));
		t_assert_ok(ckvm_vcpu_get_regs(v3, &badr));
		badr.rip = 0;
		t_assert_ok(ckvm_vcpu_set_regs(v3, &badr));
		assert_true(ckvm_vcpu_run_struct(v3)->kvm_dirty_regs & KVM_SYNC_X86_SREGS);
		c3 = make_ctx(&g3);
		t_assert_ok(ckvm_snapshot_restore_vcpu(c3, v3, blob, len, 0));
		assert_int_equal(t_expect_report(&g3, v3), 0x33334444);
		assert_int_equal(t_expect_report(&g3, v3), 0x55555555);
		t_expect_done(&g3, v3);
		ckvm_snapshot_ctx_free(c3);
		t_guest_destroy(&g3);
	}

	/* it resumes where it was saved, with its registers and MSR */
	assert_int_equal(t_expect_report(&g2, v2), 0x33334444);
	assert_int_equal(t_expect_report(&g2, v2), 0x55555555);
	t_expect_done(&g2, v2);
	/* and so does the original */
	assert_int_equal(t_expect_report(&g1, v1), 0x33334444);

	ckvm_x86_vcpu_state_free(st1);
	ckvm_x86_vcpu_state_free(st2);
	ckvm_snapshot_free(blob);
	ckvm_snapshot_ctx_free(c1);
	ckvm_snapshot_ctx_free(c2);
	t_guest_destroy(&g1);
	t_guest_destroy(&g2);
}

/* ---- save at a split MMIO access: -EAGAIN, handle the exit, save again ---------- */

/* The exit KVM left in kvm_run (after save returned -EAGAIN). */
static void pending_exit(struct ckvm_vcpu *v, struct ckvm_exit *e)
{
	t_assert_ok(ckvm_exit_decode(ckvm_vcpu_run_struct(v), ckvm_vcpu_run_size(v), 0, e));
}

static void test_save_split_mmio(void **state)
{
	struct t_guest g1, g2;
	struct ckvm_snapshot_ctx *c1, *c2;
	struct ckvm_x86_vcpu_state *st;
	struct ckvm_vcpu *v1, *v2;
	struct ckvm_exit e;
	struct kvm_regs regs;
	void *blob = NULL;
	size_t len = 0;
	uint64_t v64 = 0;

	(void)state;
	t_watchdog(30);
	make_vm(&g1, true, false, 0, 0);
	t_guest_load_code(&g1, snap_split_guest);
	v1 = t_guest_add_vcpu(&g1, T_MODE_LONG64, T_CODE_GPA);
	c1 = make_ctx(&g1);

	/* the write: saving completes the low half, which makes the high-half exit */
	t_expect_exit(&g1, v1, CKVM_EXIT_MMIO_WRITE, &e);
	assert_int_equal(e.mmio.gpa, 0xd0000ffc);
	assert_int_equal(e.mmio.len, 4);
	t_assert_err(ckvm_snapshot_save_vcpu(c1, v1, 0, &blob, &len), EAGAIN);
	assert_null(blob); /* nothing saved */
	pending_exit(v1, &e);
	assert_int_equal(e.kind, CKVM_EXIT_MMIO_WRITE);
	assert_int_equal(e.mmio.gpa, 0xd0001000);
	assert_int_equal(e.mmio.len, 4);
	memcpy(&v64, e.mmio.data, 4);
	assert_int_equal(v64, 0x11223344);
	/* that exit handled (a write: nothing to give back), the save succeeds */
	t_assert_ok(ckvm_snapshot_save_vcpu(c1, v1, 0, &blob, &len));
	t_assert_ok(ckvm_vcpu_get_regs(v1, &regs));
	assert_int_equal(regs.rip, T_GUEST_ADDR(snap_split_guest, snap_split_read));
	ckvm_snapshot_free(blob);
	blob = NULL;

	/* the read: the VMM answers the low half, save asks for the high half */
	t_expect_exit(&g1, v1, CKVM_EXIT_MMIO_READ, &e);
	assert_int_equal(e.mmio.gpa, 0xd0001ffc);
	assert_int_equal(e.mmio.len, 4);
	memcpy(e.mmio.data, "\x0d\xf0\xad\x0b", 4);
	t_assert_err(ckvm_snapshot_save_vcpu(c1, v1, 0, &blob, &len), EAGAIN);
	assert_null(blob);
	pending_exit(v1, &e);
	assert_int_equal(e.kind, CKVM_EXIT_MMIO_READ);
	assert_int_equal(e.mmio.gpa, 0xd0002000);
	assert_int_equal(e.mmio.len, 4);
	memcpy(e.mmio.data, "\xef\xbe\xad\xde", 4);
	t_assert_ok(ckvm_snapshot_save_vcpu(c1, v1, 0, &blob, &len));
	/* the saved state has the whole access done */
	t_assert_ok(ckvm_x86_vcpu_state_alloc(&st));
	t_assert_ok(ckvm_x86_vcpu_state_decode(blob, len, st));
	assert_int_equal(st->regs.rax, 0xdeadbeef0badf00dull);
	assert_int_equal(st->regs.rip, T_GUEST_ADDR(snap_split_guest, snap_split_after));
	ckvm_x86_vcpu_state_free(st);

	/* restored into a new VM, the vCPU reports the value and finishes */
	make_vm(&g2, true, false, 0, 0);
	memcpy(g2.mem, g1.mem, g1.mem_size);
	v2 = bare_vcpu(&g2);
	c2 = make_ctx(&g2);
	t_assert_ok(ckvm_snapshot_restore_vcpu(c2, v2, blob, len, 0));
	assert_int_equal(t_expect_report(&g2, v2), 0xdeadbeef0badf00dull);
	t_expect_done(&g2, v2);
	/* and so does the original */
	assert_int_equal(t_expect_report(&g1, v1), 0xdeadbeef0badf00dull);
	t_expect_done(&g1, v1);

	ckvm_snapshot_free(blob);
	ckvm_snapshot_ctx_free(c1);
	ckvm_snapshot_ctx_free(c2);
	t_guest_destroy(&g1);
	t_guest_destroy(&g2);
}

/* ---- refusals leave the target unchanged ----------------------------------- */
static uint8_t *edit_blob(const void *blob, size_t len, void (*fn)(struct sb *, void *),
			  void *arg, size_t *out_len)
{
	struct sb s;
	uint8_t *b;

	sb_from_blob(&s, blob, len);
	fn(&s, arg);
	b = sb_build(&s, out_len);
	sb_free(&s);
	return b;
}

static void e_big_xsave(struct sb *s, void *arg)
{
	struct sb_rec *r = sb_find(s, CKVM_SNAPSHOT_REC_X86_XSAVE);
	size_t want = *(size_t *)arg;
	uint8_t *p = calloc(1, want + 64);

	assert_non_null(p);
	memcpy(p, r->data, r->len < want ? r->len : want);
	p[want + 10] = 1; /* state the target cannot hold */
	sb_set(r, p, (uint32_t)(want + 64));
	free(p);
}
static void e_nested(struct sb *s, void *arg)
{
	struct kvm_nested_state ns[2];

	(void)arg;
	memset(ns, 0, sizeof(ns));
	ns[0].flags = KVM_STATE_NESTED_GUEST_MODE;
	ns[0].size = sizeof(ns);
	sb_add(s, CKVM_SNAPSHOT_REC_X86_NESTED, ns, sizeof(ns));
}
static void e_bad_last(struct sb *s, void *arg)
{
	struct sb_rec *r = sb_find(s, CKVM_SNAPSHOT_REC_MP_STATE);

	(void)arg;
	/* every other record is fine and comes first: none may be applied */
	sb_put32(r->data, 77);
	{
		struct sb_rec *regs = sb_find(s, CKVM_SNAPSHOT_REC_X86_REGS);

		sb_put32(regs->data + offsetof(struct kvm_regs, rbx), 0xbad);
	}
}
static void e_bad_msr(struct sb *s, void *arg)
{
	struct sb_rec *r = sb_find(s, CKVM_SNAPSHOT_REC_X86_MSRS);

	(void)arg;
	/* the kernel refuses this index while applying: a post-validation error */
	sb_put32(r->data + 8, 0xdeadbeef);
}

static void test_restore_refused_unchanged(void **state)
{
	struct t_guest g1, g2, g3;
	struct ckvm_snapshot_ctx *c1, *c2, *c3;
	struct ckvm_x86_vcpu_state *before, *after;
	struct ckvm_vcpu *v1, *v2, *v3;
	size_t len, blen, xs;
	void *blob;
	uint8_t *b;

	(void)state;
	t_watchdog(30);
	make_vm(&g1, true, false, 0, 0);
	v1 = fixture_to_save_point(&g1);
	c1 = make_ctx(&g1);
	t_assert_ok(ckvm_snapshot_save_vcpu(c1, v1, 0, &blob, &len));

	/* the target: a vCPU of another VM in its own (different) state */
	make_vm(&g2, true, false, 0, 0);
	t_guest_load_code(&g2, snap_fixture_guest);
	v2 = t_guest_add_vcpu(&g2, T_MODE_LONG64, T_CODE_GPA + 2);
	c2 = make_ctx(&g2);
	before = save_state(c2, v2);
	/* the blob's state differs from the target's, so "unchanged" means something */
	{
		struct ckvm_x86_vcpu_state *bs;

		t_assert_ok(ckvm_x86_vcpu_state_alloc(&bs));
		t_assert_ok(ckvm_x86_vcpu_state_decode(blob, len, bs));
		diff_quiet = true;
		assert_true(state_diff(before, bs) > 0);
		diff_quiet = false;
		ckvm_x86_vcpu_state_free(bs);
	}

#define REFUSE(blobp, blen_, err) do { \
	t_assert_err(ckvm_snapshot_restore_vcpu(c2, v2, (blobp), (blen_), 0), err); \
	after = save_state(c2, v2); \
	assert_int_equal(state_diff(before, after), 0); \
	ckvm_x86_vcpu_state_free(after); \
} while (0)

	REFUSE(blob, len - 1, EBADMSG);
	REFUSE(blob, 64, EBADMSG);
	((uint8_t *)blob)[len - 8] ^= 1;
	REFUSE(blob, len, EBADMSG);
	((uint8_t *)blob)[len - 8] ^= 1;
	/* XSAVE data beyond the target's size */
	xs = (size_t)ckvm_vm_xsave_size(g2.vm);
	b = edit_blob(blob, len, e_big_xsave, &xs, &blen);
	REFUSE(b, blen, E2BIG);
	free(b);
	/* a nested guest on a host without nested state */
	if (ckvm_vm_check_extension(g2.vm, KVM_CAP_NESTED_STATE) <= 0) {
		b = edit_blob(blob, len, e_nested, NULL, &blen);
		REFUSE(b, blen, EOPNOTSUPP);
		free(b);
	}
	/* a bad record after all the good ones */
	b = edit_blob(blob, len, e_bad_last, NULL, &blen);
	REFUSE(b, blen, EBADMSG);
	free(b);
	/* wrong architecture, wrong kind */
	{
		struct sb s;

		sb_from_blob(&s, blob, len);
		s.arch = CKVM_SNAPSHOT_ARCH_RISCV64;
		b = sb_build(&s, &blen);
		REFUSE(b, blen, ENOEXEC);
		free(b);
		s.arch = ckvm_snapshot_host_arch();
		s.kind = CKVM_SNAPSHOT_KIND_VM;
		b = sb_build(&s, &blen);
		REFUSE(b, blen, EINVAL);
		free(b);
		sb_free(&s);
	}
	REFUSE(NULL, 0, EINVAL);

	/* a target without an in-kernel LAPIC cannot take LAPIC state */
	make_vm(&g3, false, false, 0, 0);
	v3 = bare_vcpu(&g3);
	c3 = make_ctx(&g3);
	{
		struct ckvm_x86_vcpu_state *b3 = save_state(c3, v3), *a3;

		t_assert_err(ckvm_snapshot_restore_vcpu(c3, v3, blob, len, 0), EOPNOTSUPP);
		a3 = save_state(c3, v3);
		assert_int_equal(state_diff(b3, a3), 0);
		ckvm_x86_vcpu_state_free(b3);
		ckvm_x86_vcpu_state_free(a3);
	}
	/*
	 * Without an in-kernel LAPIC KVM reads MSR_KVM_ASYNC_PF_INT but refuses
	 * to write it back: a vCPU of such a VM still restores into another.
	 */
	{
		struct t_guest g4;
		struct ckvm_snapshot_ctx *c4;
		struct ckvm_x86_vcpu_state *s3, *s4;
		struct ckvm_vcpu *v4;
		void *b3;
		size_t l3;

		make_vm(&g4, false, false, 0, 0);
		v4 = bare_vcpu(&g4);
		c4 = make_ctx(&g4);
		t_assert_ok(ckvm_snapshot_save_vcpu(c3, v3, CKVM_SNAPSHOT_SAVE_NO_COMPLETE_IO, &b3, &l3));
		t_assert_ok(ckvm_snapshot_restore_vcpu(c4, v4, b3, l3, 0));
		s3 = save_state(c3, v3);
		s4 = save_state(c4, v4);
		assert_int_equal(state_diff(s3, s4), 0);
		ckvm_x86_vcpu_state_free(s3);
		ckvm_x86_vcpu_state_free(s4);
		ckvm_snapshot_free(b3);
		ckvm_snapshot_ctx_free(c4);
		t_guest_destroy(&g4);
	}

	/* a kernel refusal after validation is reported (the target is then partial) */
	b = edit_blob(blob, len, e_bad_msr, NULL, &blen);
	t_assert_ok(ckvm_snapshot_validate(b, blen));
	t_assert_err(ckvm_snapshot_restore_vcpu(c2, v2, b, blen, 0), EINVAL);
	free(b);
	/* and the good blob still restores */
	t_assert_ok(ckvm_snapshot_restore_vcpu(c2, v2, blob, len, 0));
	memcpy(g2.mem, g1.mem, g1.mem_size);
	assert_int_equal(t_expect_report(&g2, v2), 0x33334444);
#undef REFUSE
	ckvm_x86_vcpu_state_free(before);
	ckvm_snapshot_free(blob);
	ckvm_snapshot_ctx_free(c1);
	ckvm_snapshot_ctx_free(c2);
	ckvm_snapshot_ctx_free(c3);
	t_guest_destroy(&g1);
	t_guest_destroy(&g2);
	t_guest_destroy(&g3);
}

/* ---- TSC frequency --------------------------------------------------------- */
static void e_half_tsc(struct sb *s, void *arg)
{
	struct sb_rec *r = sb_find(s, CKVM_SNAPSHOT_REC_X86_TSC_KHZ);

	assert_non_null(r);
	sb_put32(r->data, *(uint32_t *)arg);
}

static void test_tsc_khz(void **state)
{
	struct t_guest g1, g2;
	struct ckvm_snapshot_ctx *c1, *c2;
	struct ckvm_vcpu *v1, *v2;
	uint32_t host, half;
	size_t len, blen;
	void *blob;
	uint8_t *b;
	int r;

	(void)state;
	t_watchdog(30);
	make_vm(&g1, true, false, 0, 0);
	v1 = fixture_to_save_point(&g1);
	c1 = make_ctx(&g1);
	r = ckvm_vcpu_get_tsc_khz(v1);
	t_assert_ok(ckvm_snapshot_save_vcpu(c1, v1, 0, &blob, &len));
	if (r <= 0) {
		/* no TSC frequency to save: the record must be absent */
		struct ckvm_snapshot_record rec;

		fprintf(stderr, "note: KVM_GET_TSC_KHZ = %d here: only its absence is checked\n", r);
		assert_int_equal(ckvm_snapshot_find(blob, len, CKVM_SNAPSHOT_REC_X86_TSC_KHZ, &rec), 0);
		ckvm_snapshot_free(blob);
		ckvm_snapshot_ctx_free(c1);
		t_guest_destroy(&g1);
		return;
	}
	host = (uint32_t)r;
	half = host / 2;
	b = edit_blob(blob, len, e_half_tsc, &half, &blen);

	make_vm(&g2, true, false, 0, 0);
	memcpy(g2.mem, g1.mem, g1.mem_size);
	v2 = bare_vcpu(&g2);
	c2 = make_ctx(&g2);
	/* a rate far below the host's: only with TSC scaling */
	r = ckvm_snapshot_restore_vcpu(c2, v2, b, blen, 0);
	if (ckvm_vm_check_extension(g2.vm, KVM_CAP_TSC_CONTROL) > 0) {
		t_assert_ok(r);
		assert_int_equal(ckvm_vcpu_get_tsc_khz(v2), half);
	} else {
		t_assert_err(r, EINVAL);
	}
	/* KEEP_TSC_KHZ: the target keeps its own rate, everything else restores */
	t_guest_destroy(&g2);
	ckvm_snapshot_ctx_free(c2);
	make_vm(&g2, true, false, 0, 0);
	memcpy(g2.mem, g1.mem, g1.mem_size);
	v2 = bare_vcpu(&g2);
	c2 = make_ctx(&g2);
	t_assert_ok(ckvm_snapshot_restore_vcpu(c2, v2, b, blen, CKVM_SNAPSHOT_RESTORE_KEEP_TSC_KHZ));
	assert_int_equal(ckvm_vcpu_get_tsc_khz(v2), host);
	assert_int_equal(t_expect_report(&g2, v2), 0x33334444);
	/* an unknown flag is refused */
	t_assert_err(ckvm_snapshot_restore_vcpu(c2, v2, blob, len, 0x80), EINVAL);
	free(b);
	ckvm_snapshot_free(blob);
	ckvm_snapshot_ctx_free(c1);
	ckvm_snapshot_ctx_free(c2);
	t_guest_destroy(&g1);
	t_guest_destroy(&g2);
}

/* ---- VM state -------------------------------------------------------------- */
static void pit_clear_times(struct kvm_pit_state2 *p)
{
	int i;

	for (i = 0; i < 3; i++)
		p->channels[i].count_load_time = 0;
}

static void test_vm_roundtrip(void **state)
{
	struct t_guest ga, gb, gc;
	struct ckvm_snapshot_ctx *ca, *cb, *cc;
	struct kvm_irqchip chip, chip2, saved[3];
	struct kvm_pit_state2 pit, pit2;
	struct kvm_clock_data clock;
	struct ckvm_snapshot_region reg = { 0 }, back[2];
	void *blob;
	size_t len;
	int i;

	(void)state;
	t_watchdog(30);
	make_vm(&ga, true, true, 0, 0);
	/* non-default state in every device */
	memset(&chip, 0, sizeof(chip));
	chip.chip_id = KVM_IRQCHIP_IOAPIC;
	t_assert_ok(ckvm_vm_get_irqchip(ga.vm, &chip));
	chip.chip.ioapic.redirtbl[5].bits = 0x0000000000010035ull; /* masked, vector 0x35 */
	chip.chip.ioapic.id = 0x0;
	t_assert_ok(ckvm_vm_set_irqchip(ga.vm, &chip));
	memset(&chip, 0, sizeof(chip));
	chip.chip_id = KVM_IRQCHIP_PIC_MASTER;
	t_assert_ok(ckvm_vm_get_irqchip(ga.vm, &chip));
	chip.chip.pic.imr = 0xfb;
	chip.chip.pic.irq_base = 0x20;
	t_assert_ok(ckvm_vm_set_irqchip(ga.vm, &chip));
	t_assert_ok(ckvm_vm_get_pit2(ga.vm, &pit));
	pit.channels[2].count = 0x1234;
	pit.channels[2].mode = 3;
	pit.channels[2].rw_mode = 3;
	pit.channels[2].gate = 0;
	t_assert_ok(ckvm_vm_set_pit2(ga.vm, &pit));
	memset(&clock, 0, sizeof(clock));
	clock.clock = 10000000000ull; /* 10 s */
	t_assert_ok(ckvm_vm_set_clock(ga.vm, &clock));
	for (i = 0; i < 3; i++) {
		memset(&saved[i], 0, sizeof(saved[i]));
		saved[i].chip_id = (uint32_t)i;
		t_assert_ok(ckvm_vm_get_irqchip(ga.vm, &saved[i]));
	}
	t_assert_ok(ckvm_vm_get_pit2(ga.vm, &pit));

	ca = make_ctx(&ga);
	reg.slot = 0;
	reg.guest_phys_addr = 0;
	reg.memory_size = ga.mem_size;
	reg.host = ga.mem;
	t_assert_ok(ckvm_snapshot_save_vm(ca, &reg, 1, 0, &blob, &len));
	t_assert_ok(ckvm_snapshot_validate(blob, len));
	assert_int_equal(ckvm_snapshot_get_regions(blob, len, back, 2), 1);
	assert_int_equal(back[0].memory_size, ga.mem_size);

	make_vm(&gb, true, true, 0, 0);
	cb = make_ctx(&gb);
	t_assert_ok(ckvm_snapshot_restore_vm(cb, blob, len, 0));
	for (i = 0; i < 3; i++) {
		memset(&chip2, 0, sizeof(chip2));
		chip2.chip_id = (uint32_t)i;
		t_assert_ok(ckvm_vm_get_irqchip(gb.vm, &chip2));
		assert_memory_equal(&chip2, &saved[i], sizeof(chip2));
	}
	t_assert_ok(ckvm_vm_get_pit2(gb.vm, &pit2));
	pit_clear_times(&pit);
	pit_clear_times(&pit2);
	assert_memory_equal(&pit, &pit2, sizeof(pit));
	memset(&clock, 0, sizeof(clock));
	t_assert_ok(ckvm_vm_get_clock(gb.vm, &clock));
	assert_true(clock.clock >= 10000000000ull);
	assert_true(clock.clock < 10000000000ull + 5000000000ull);

	/* a VM without the PIT refuses the blob and keeps its irqchip state */
	make_vm(&gc, true, false, 0, 0);
	cc = make_ctx(&gc);
	memset(&chip, 0, sizeof(chip));
	chip.chip_id = KVM_IRQCHIP_IOAPIC;
	t_assert_ok(ckvm_vm_get_irqchip(gc.vm, &chip));
	t_assert_err(ckvm_snapshot_restore_vm(cc, blob, len, 0), EOPNOTSUPP);
	memset(&chip2, 0, sizeof(chip2));
	chip2.chip_id = KVM_IRQCHIP_IOAPIC;
	t_assert_ok(ckvm_vm_get_irqchip(gc.vm, &chip2));
	assert_memory_equal(&chip, &chip2, sizeof(chip));
	/* and a vCPU blob is not a VM blob */
	{
		struct sb s;
		uint8_t *b;
		size_t blen;

		sb_from_blob(&s, blob, len);
		s.kind = CKVM_SNAPSHOT_KIND_VCPU;
		b = sb_build(&s, &blen);
		t_assert_err(ckvm_snapshot_restore_vm(cb, b, blen, 0), EINVAL);
		free(b);
		sb_free(&s);
	}
	/* bad region tables are refused at save time */
	{
		struct ckvm_snapshot_region two[2] = { reg, reg };
		void *x;
		size_t xl;

		two[1].slot = 1; /* same GPA range, same address space */
		t_assert_err(ckvm_snapshot_save_vm(ca, two, 2, 0, &x, &xl), EINVAL);
	}
	ckvm_snapshot_free(blob);
	ckvm_snapshot_ctx_free(ca);
	ckvm_snapshot_ctx_free(cb);
	ckvm_snapshot_ctx_free(cc);
	t_guest_destroy(&ga);
	t_guest_destroy(&gb);
	t_guest_destroy(&gc);
}

/* ---- memory with the dirty log ------------------------------------------ */
static void assert_file_equals_mem(int fd, const uint8_t *mem, size_t size)
{
	uint8_t *buf = malloc(size);

	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, size, 0), (ssize_t)size);
	assert_memory_equal(buf, mem, size);
	free(buf);
}

static void test_memory_dirty(void **state)
{
	const uint64_t area = 0x100000, span = 0x80000, stride = 4, npages = span / 4096 / stride;
	struct t_guest g;
	struct ckvm_snapshot_region reg = { 0 };
	struct ckvm_vcpu *v;
	struct kvm_regs regs;
	uint64_t fsize, pages, i;
	uint64_t *bitmap;
	size_t words;
	int fd;

	(void)state;
	t_watchdog(30);
	make_vm(&g, false, false, KVM_MEM_LOG_DIRTY_PAGES, 0x200000);
	t_guest_load_code(&g, snap_dirty_guest);
	v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	regs.rdi = area;
	regs.rsi = stride;
	regs.rdx = span;
	regs.r8 = 0xabc;
	t_assert_ok(ckvm_vcpu_set_regs(v, &regs));

	reg.slot = 0;
	reg.flags = KVM_MEM_LOG_DIRTY_PAGES;
	reg.memory_size = g.mem_size;
	reg.host = g.mem;
	t_assert_ok(ckvm_snapshot_mem_layout(&reg, 1, 0, &fsize));
	assert_int_equal(fsize, g.mem_size);
	fd = memfd_create("ckvm-snap-test", MFD_CLOEXEC);
	assert_true(fd >= 0);
	/* full save, then drop what the log collected so far */
	t_assert_ok(ckvm_snapshot_mem_save(fd, &reg, 1));
	assert_file_equals_mem(fd, g.mem, g.mem_size);
	words = ckvm_dirty_log_words(g.mem_size);
	bitmap = calloc(words, 8);
	assert_non_null(bitmap);
	t_assert_ok(ckvm_vm_get_dirty_log(g.vm, 0, g.mem_size, bitmap, words));

	/* the guest writes npages pages; a dirty-only save writes those (and few others) */
	assert_int_equal(t_expect_report(&g, v), npages);
	t_assert_ok(ckvm_snapshot_mem_save_dirty(g.vm, fd, &reg, 1, &pages));
	assert_true(pages >= npages);
	assert_true(pages <= npages + 16); /* stack, page-table A/D bits */
	assert_file_equals_mem(fd, g.mem, g.mem_size);
	for (i = 0; i < npages; i++)
		assert_int_equal(*(uint64_t *)(g.mem + area + i * stride * 4096), 0xabc);

	/* a second round writes 0xabd; revert only the dirty pages from the file */
	assert_int_equal(t_expect_report(&g, v), npages);
	assert_int_equal(*(uint64_t *)(g.mem + area), 0xabd);
	t_assert_ok(ckvm_snapshot_mem_restore_dirty(g.vm, fd, &reg, 1, &pages));
	assert_true(pages >= npages && pages <= npages + 16);
	for (i = 0; i < npages; i++)
		assert_int_equal(*(uint64_t *)(g.mem + area + i * stride * 4096), 0xabc);
	assert_file_equals_mem(fd, g.mem, g.mem_size);

	/* no dirty logging on the slot: refused before anything is done */
	reg.flags = 0;
	t_assert_err(ckvm_snapshot_mem_save_dirty(g.vm, fd, &reg, 1, &pages), EINVAL);
	free(bitmap);
	close(fd);
	t_guest_destroy(&g);
}

/* ---- the committed format-1.0 fixtures restore and resume ------------------ */
static void *read_fixture(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	long n;
	void *buf;

	snprintf(path, sizeof(path), "%s/tests/data/%s", CKVM_SOURCE_ROOT, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void test_fixture_restore(void **state)
{
	struct t_guest g;
	struct ckvm_snapshot_ctx *c;
	struct ckvm_vcpu *v;
	struct kvm_regs regs;
	size_t vlen, mlen;
	void *vb = read_fixture("snapshot-v1.0-x86_64-vcpu.bin", &vlen);
	void *mb = read_fixture("snapshot-v1.0-x86_64-vm.bin", &mlen);

	(void)state;
	t_watchdog(30);
	/* the configuration the fixture was saved from, and its guest code */
	make_vm(&g, true, true, 0, 0);
	t_guest_load_code(&g, snap_fixture_guest);
	v = bare_vcpu(&g);
	c = make_ctx(&g);
	t_assert_ok(ckvm_snapshot_restore_vm(c, mb, mlen, 0));
	t_assert_ok(ckvm_snapshot_restore_vcpu(c, v, vb, vlen, 0));
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	assert_int_equal(regs.rbx, 0x1111222233334444ull);
	/* it resumes after its save point (the MMIO report of 1) */
	assert_int_equal(t_expect_report(&g, v), 0x33334444);
	assert_int_equal(t_expect_report(&g, v), 0x55555555);
	t_expect_done(&g, v);
	ckvm_snapshot_ctx_free(c);
	t_guest_destroy(&g);
	free(vb);
	free(mb);
}

/* ---- fixtures (only with --write-fixtures) ------------------------------ */
static void write_blob(const char *name, const void *blob, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fixture_dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(blob, 1, len, f), len);
	fclose(f);
	fprintf(stderr, "wrote %s (%zu bytes)\n", path, len);
}

static void test_write_fixtures(void **state)
{
	struct t_guest g;
	struct ckvm_snapshot_ctx *c;
	struct ckvm_snapshot_region reg = { 0 };
	struct ckvm_vcpu *v;
	void *blob;
	size_t len;

	(void)state;
	make_vm(&g, true, true, 0, 0);
	v = fixture_to_save_point(&g);
	c = make_ctx(&g);
	t_assert_ok(ckvm_snapshot_save_vcpu(c, v, 0, &blob, &len));
	write_blob("snapshot-v1.0-x86_64-vcpu.bin", blob, len);
	ckvm_snapshot_free(blob);
	reg.memory_size = g.mem_size;
	reg.host = g.mem;
	t_assert_ok(ckvm_snapshot_save_vm(c, &reg, 1, 0, &blob, &len));
	write_blob("snapshot-v1.0-x86_64-vm.bin", blob, len);
	ckvm_snapshot_free(blob);
	ckvm_snapshot_ctx_free(c);
	t_guest_destroy(&g);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vcpu_roundtrip),
		cmocka_unit_test(test_restore_refused_unchanged),
		cmocka_unit_test(test_tsc_khz),
		cmocka_unit_test(test_vm_roundtrip),
		cmocka_unit_test(test_memory_dirty),
		cmocka_unit_test(test_fixture_restore),
		cmocka_unit_test(test_save_split_mmio),
	};
	const struct CMUnitTest fixtures[] = {
		cmocka_unit_test(test_write_fixtures),
	};

	ckvm_close(t_require_kvm());
	if (argc == 3 && strcmp(argv[1], "--write-fixtures") == 0) {
		fixture_dir = argv[2];
		return cmocka_run_group_tests(fixtures, NULL, NULL);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
