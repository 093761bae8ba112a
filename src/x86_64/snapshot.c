/* SPDX-License-Identifier: MIT */
/*
 * x86_64/snapshot.c - the x86_64 record set of the snapshot format and the
 * arch hooks of snapshot_internal.h: struct ckvm_x86_vcpu_state and
 * struct ckvm_x86_vm_state, their save (ioctls), load (ioctls in the order
 * the kernel needs), encode (records) and decode (validation).
 *
 * Restore order (ckvm_x86_vcpu_state_load), and why:
 *   0. Everything is validated first (decode, then the fit with the target:
 *      XSAVE and nested sizes, capabilities, in-kernel LAPIC present) so a
 *      bad blob leaves the vCPU untouched.
 *   1. TSC frequency (unless CKVM_SNAPSHOT_RESTORE_KEEP_TSC_KHZ): before
 *      MSR_IA32_TSC so the TSC is written at the right scale; first of all
 *      because it is the step most likely to be refused (a host without TSC
 *      scaling accepts only rates close to, or above, its own).
 *   2. CPUID: the MSRs KVM accepts, the XSAVE components it allows and the
 *      x2APIC all depend on the guest CPUID.
 *   3. sregs2 (or sregs): CR0/CR4/EFER/APIC base first, because MSR
 *      writes, the nested state (EFER.SVME) and regs are checked against
 *      the mode.
 *   4. Nested state (after sregs, before MSRs, as QEMU does; not testable
 *      on this project's PVM host, which has no KVM_CAP_NESTED_STATE).
 *   5. MSRs, except MSR_IA32_TSC_DEADLINE. An MSR the target refuses to
 *      write but already holds with the saved value is skipped (see
 *      set_msrs_all).
 *   6. FPU (only without XSAVE, which supersedes it), XCRs, then XSAVE.
 *   7. LAPIC (after the APIC base from sregs/MSRs).
 *   8. MSR_IA32_TSC_DEADLINE: KVM ignores the write unless the LAPIC timer
 *      is already in TSC-deadline mode, so it must follow the LAPIC.
 *   9. Debug registers.
 *  10. regs: KVM_SET_REGS discards a pending exception, so regs go before
 *      the events.
 *  11. vCPU events (with NMI_PENDING and SIPI_VECTOR marked valid).
 *  12. MP state last (it can make the vCPU process pending INIT/SIPI).
 * Save completes a pending I/O first (ckvm_vcpu_complete_io): after an I/O
 * or MMIO exit the guest state is only consistent once KVM_RUN has been
 * re-entered. MP state is read first because reading it can process a
 * pending INIT.
 */
#include "snapshot_internal.h"

#include <stdlib.h>
#include <string.h>

#define MSR_IA32_TSC_DEADLINE 0x6e0u

#ifndef KVM_CAP_SREGS2
#define KVM_CAP_SREGS2 200
#endif
#ifndef KVM_SREGS2_FLAGS_PDPTRS_VALID
#define KVM_SREGS2_FLAGS_PDPTRS_VALID 1
#endif

struct x86_ctx {
	struct kvm_msr_list *msr_list; /* NULL: no kvm given, cannot save MSRs */
	size_t xsave_size;             /* KVM_CAP_XSAVE2 (>= 4096) */
	uint32_t nested_max;           /* KVM_CAP_NESTED_STATE, 0 if none */
	bool xsave, xsave2, sregs2, xcrs, debugregs, events;
};

static struct x86_ctx *xctx(struct ckvm_snapshot_ctx *ctx)
{
	return ctx->arch;
}

int ckvm__snap_arch_ctx_init(struct ckvm_snapshot_ctx *ctx, struct ckvm *kvm)
{
	struct x86_ctx *x = calloc(1, sizeof(*x));
	struct ckvm_vm *vm = ctx->vm;
	int r;

	if (!x)
		return -ENOMEM;
	if (kvm) {
		r = ckvm_get_msr_index_list(kvm, &x->msr_list);
		if (r < 0) {
			free(x);
			return r;
		}
	}
	x->xsave = ckvm_vm_check_extension(vm, KVM_CAP_XSAVE) > 0;
	x->xsave2 = ckvm_vm_check_extension(vm, KVM_CAP_XSAVE2) > 0;
	r = ckvm_vm_xsave_size(vm);
	x->xsave_size = r > 0 ? (size_t)r : sizeof(struct kvm_xsave);
	r = ckvm_vm_check_extension(vm, KVM_CAP_NESTED_STATE);
	x->nested_max = r > 0 ? (uint32_t)r : 0;
	x->sregs2 = ckvm_vm_check_extension(vm, KVM_CAP_SREGS2) > 0;
	x->xcrs = ckvm_vm_check_extension(vm, KVM_CAP_XCRS) > 0;
	x->debugregs = ckvm_vm_check_extension(vm, KVM_CAP_DEBUGREGS) > 0;
	x->events = ckvm_vm_check_extension(vm, KVM_CAP_VCPU_EVENTS) > 0;
	ctx->arch = x;
	return 0;
}

void ckvm__snap_arch_ctx_fini(struct ckvm_snapshot_ctx *ctx)
{
	struct x86_ctx *x = xctx(ctx);

	if (!x)
		return;
	ckvm_msr_list_free(x->msr_list);
	free(x);
	ctx->arch = NULL;
}

/* ======================= vCPU state object =============================== */
int ckvm_x86_vcpu_state_alloc(struct ckvm_x86_vcpu_state **out)
{
	if (!out)
		return -EINVAL;
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

static void members_free(struct ckvm_x86_vcpu_state *st)
{
	ckvm_xsave_free(st->xsave);
	ckvm_msrs_free(st->msrs);
	ckvm_cpuid2_free(st->cpuid);
	free(st->nested);
}

void ckvm_x86_vcpu_state_free(struct ckvm_x86_vcpu_state *st)
{
	if (!st)
		return;
	members_free(st);
	free(st);
}

/* Replace st's contents with tmp's (taking ownership of tmp's members). */
static void state_replace(struct ckvm_x86_vcpu_state *st, struct ckvm_x86_vcpu_state *tmp)
{
	members_free(st);
	*st = *tmp;
	memset(tmp, 0, sizeof(*tmp));
}

/* ======================= save ============================================ */
/*
 * Every MSR of the index list that KVM_GET_MSRS accepts for this vCPU. The
 * kernel stops at the first index it refuses and returns how many it read;
 * drop that index and go on.
 */
static int save_msrs(struct x86_ctx *x, struct ckvm_vcpu *vcpu, struct kvm_msrs **out)
{
	uint32_t n = x->msr_list->nmsrs, i, done = 0;
	struct kvm_msrs *m;
	int r;

	r = ckvm_msrs_alloc(n ? n : 1, &m);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++)
		m->entries[i].index = x->msr_list->indices[i];
	m->nmsrs = n;
	while (done < m->nmsrs) {
		r = ckvm_vcpu_get_msrs(vcpu, m);
		if (r < 0) {
			ckvm_msrs_free(m);
			return r;
		}
		if ((uint32_t)r >= m->nmsrs)
			break;
		/* entries [0, r) were read; entry r was refused: remove it */
		memmove(&m->entries[r], &m->entries[r + 1],
			(m->nmsrs - (uint32_t)r - 1) * sizeof(m->entries[0]));
		m->nmsrs--;
		done = (uint32_t)r;
	}
	*out = m;
	return 0;
}

int ckvm_x86_vcpu_state_save(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
			     uint32_t flags, struct ckvm_x86_vcpu_state *st)
{
	struct ckvm_x86_vcpu_state t;
	struct x86_ctx *x;
	int r;

	if (!ctx || !vcpu || !st || (flags & ~CKVM_SNAPSHOT_SAVE_NO_COMPLETE_IO))
		return -EINVAL;
	x = xctx(ctx);
	if (!x->msr_list)
		return -EINVAL; /* context made without kvm: the MSR list is unknown */
	memset(&t, 0, sizeof(t));
	t.id = ckvm_vcpu_id(vcpu);

	if (!(flags & CKVM_SNAPSHOT_SAVE_NO_COMPLETE_IO)) {
		r = ckvm_vcpu_complete_io(vcpu);
		if (r > 0)
			r = -EAGAIN; /* finishing it made a new exit: the VMM handles it first */
		if (r < 0)
			goto fail;
	}
	/* MP state first: reading it may process a pending INIT/SIPI */
	r = ckvm_vcpu_get_mp_state(vcpu, &t.mp_state);
	if (r < 0)
		goto fail;
	t.present |= CKVM_X86_STATE_MP_STATE;
	if (x->events) {
		r = ckvm_vcpu_get_vcpu_events(vcpu, &t.events);
		if (r < 0)
			goto fail;
		t.present |= CKVM_X86_STATE_EVENTS;
	}
	r = ckvm_vcpu_get_regs(vcpu, &t.regs);
	if (r < 0)
		goto fail;
	t.present |= CKVM_X86_STATE_REGS;
	r = ckvm_vcpu_get_sregs(vcpu, &t.sregs);
	if (r < 0)
		goto fail;
	t.present |= CKVM_X86_STATE_SREGS;
	if (x->sregs2) {
		r = ckvm_vcpu_get_sregs2(vcpu, &t.sregs2);
		if (r < 0)
			goto fail;
		t.present |= CKVM_X86_STATE_SREGS2;
	}
	r = ckvm_vcpu_get_fpu(vcpu, &t.fpu);
	if (r < 0)
		goto fail;
	t.present |= CKVM_X86_STATE_FPU;
	if (x->xsave) {
		r = ckvm_xsave_alloc(x->xsave_size, &t.xsave);
		if (r < 0)
			goto fail;
		r = x->xsave2 ? ckvm_vcpu_get_xsave2(vcpu, t.xsave)
			      : ckvm_vcpu_get_xsave(vcpu, t.xsave);
		if (r < 0)
			goto fail;
		t.present |= CKVM_X86_STATE_XSAVE;
	}
	if (x->xcrs) {
		r = ckvm_vcpu_get_xcrs(vcpu, &t.xcrs);
		if (r < 0)
			goto fail;
		t.present |= CKVM_X86_STATE_XCRS;
	}
	r = ckvm_vcpu_get_lapic(vcpu, &t.lapic);
	if (r == 0)
		t.present |= CKVM_X86_STATE_LAPIC;
	else if (r != -EINVAL && r != -ENXIO) /* KVM says -EINVAL without an in-kernel LAPIC */
		goto fail;
	if (x->nested_max >= sizeof(struct kvm_nested_state)) {
		t.nested = calloc(1, x->nested_max);
		if (!t.nested) {
			r = -ENOMEM;
			goto fail;
		}
		r = ckvm_vcpu_get_nested_state(vcpu, t.nested, x->nested_max);
		if (r < 0)
			goto fail;
		t.nested_size = t.nested->size < x->nested_max ? t.nested->size : x->nested_max;
		t.present |= CKVM_X86_STATE_NESTED;
	}
	r = save_msrs(x, vcpu, &t.msrs);
	if (r < 0)
		goto fail;
	t.present |= CKVM_X86_STATE_MSRS;
	if (x->debugregs) {
		r = ckvm_vcpu_get_debug_regs(vcpu, &t.debugregs);
		if (r < 0)
			goto fail;
		t.present |= CKVM_X86_STATE_DEBUGREGS;
	}
	r = ckvm_vcpu_get_cpuid2(vcpu, &t.cpuid);
	if (r < 0)
		goto fail;
	t.present |= CKVM_X86_STATE_CPUID;
	r = ckvm_vcpu_get_tsc_khz(vcpu);
	if (r > 0) { /* an error (no KVM_CAP_GET_TSC_KHZ, unstable TSC) leaves it out */
		t.tsc_khz = (uint32_t)r;
		t.present |= CKVM_X86_STATE_TSC_KHZ;
	}
	state_replace(st, &t);
	return 0;
fail:
	members_free(&t);
	return r;
}

/* ======================= encode ========================================== */
static int add(struct ckvm_snapshot_writer *w, uint16_t type, const void *p, size_t len)
{
	return ckvm_snapshot_writer_add(w, type, 0, p, len);
}

int ckvm_x86_vcpu_state_encode(const struct ckvm_x86_vcpu_state *st,
			       struct ckvm_snapshot_writer *w)
{
	uint64_t p;
	int r = 0;

	if (!st || !w)
		return -EINVAL;
	p = st->present;
	if ((p & CKVM_X86_STATE_XSAVE) && !st->xsave)
		return -EINVAL;
	if ((p & CKVM_X86_STATE_MSRS) && !st->msrs)
		return -EINVAL;
	if ((p & CKVM_X86_STATE_CPUID) && !st->cpuid)
		return -EINVAL;
	if ((p & CKVM_X86_STATE_NESTED) &&
	    (!st->nested || st->nested_size < sizeof(struct kvm_nested_state) ||
	     st->nested->size > st->nested_size))
		return -EINVAL;
	/* records in restore order, so a reader streaming them can apply as it goes */
	if (!r && (p & CKVM_X86_STATE_TSC_KHZ)) {
		uint32_t v[2] = { st->tsc_khz, 0 };

		r = add(w, CKVM_SNAPSHOT_REC_X86_TSC_KHZ, v, sizeof(v));
	}
	if (!r && (p & CKVM_X86_STATE_CPUID))
		r = add(w, CKVM_SNAPSHOT_REC_X86_CPUID, st->cpuid,
			offsetof(struct kvm_cpuid2, entries) +
			(size_t)st->cpuid->nent * sizeof(struct kvm_cpuid_entry2));
	if (!r && (p & CKVM_X86_STATE_SREGS))
		r = add(w, CKVM_SNAPSHOT_REC_X86_SREGS, &st->sregs, sizeof(st->sregs));
	if (!r && (p & CKVM_X86_STATE_SREGS2))
		r = add(w, CKVM_SNAPSHOT_REC_X86_SREGS2, &st->sregs2, sizeof(st->sregs2));
	if (!r && (p & CKVM_X86_STATE_NESTED))
		r = add(w, CKVM_SNAPSHOT_REC_X86_NESTED, st->nested, st->nested->size);
	if (!r && (p & CKVM_X86_STATE_MSRS))
		r = add(w, CKVM_SNAPSHOT_REC_X86_MSRS, st->msrs,
			offsetof(struct kvm_msrs, entries) +
			(size_t)st->msrs->nmsrs * sizeof(struct kvm_msr_entry));
	if (!r && (p & CKVM_X86_STATE_FPU))
		r = add(w, CKVM_SNAPSHOT_REC_X86_FPU, &st->fpu, sizeof(st->fpu));
	if (!r && (p & CKVM_X86_STATE_XCRS))
		r = add(w, CKVM_SNAPSHOT_REC_X86_XCRS, &st->xcrs, sizeof(st->xcrs));
	if (!r && (p & CKVM_X86_STATE_XSAVE))
		r = add(w, CKVM_SNAPSHOT_REC_X86_XSAVE, st->xsave, ckvm_xsave_size(st->xsave));
	if (!r && (p & CKVM_X86_STATE_LAPIC))
		r = add(w, CKVM_SNAPSHOT_REC_X86_LAPIC, &st->lapic, sizeof(st->lapic));
	if (!r && (p & CKVM_X86_STATE_DEBUGREGS))
		r = add(w, CKVM_SNAPSHOT_REC_X86_DEBUGREGS, &st->debugregs, sizeof(st->debugregs));
	if (!r && (p & CKVM_X86_STATE_REGS))
		r = add(w, CKVM_SNAPSHOT_REC_X86_REGS, &st->regs, sizeof(st->regs));
	if (!r && (p & CKVM_X86_STATE_EVENTS))
		r = add(w, CKVM_SNAPSHOT_REC_X86_EVENTS, &st->events, sizeof(st->events));
	if (!r && (p & CKVM_X86_STATE_MP_STATE))
		r = add(w, CKVM_SNAPSHOT_REC_MP_STATE, &st->mp_state, sizeof(st->mp_state));
	return r;
}

/* ======================= decode (validation) ============================= */
static uint64_t type_bit(uint16_t type)
{
	if (type == CKVM_SNAPSHOT_REC_MP_STATE)
		return CKVM_X86_STATE_MP_STATE;
	switch (type) {
	case CKVM_SNAPSHOT_REC_X86_REGS: return CKVM_X86_STATE_REGS;
	case CKVM_SNAPSHOT_REC_X86_SREGS: return CKVM_X86_STATE_SREGS;
	case CKVM_SNAPSHOT_REC_X86_SREGS2: return CKVM_X86_STATE_SREGS2;
	case CKVM_SNAPSHOT_REC_X86_FPU: return CKVM_X86_STATE_FPU;
	case CKVM_SNAPSHOT_REC_X86_XSAVE: return CKVM_X86_STATE_XSAVE;
	case CKVM_SNAPSHOT_REC_X86_XCRS: return CKVM_X86_STATE_XCRS;
	case CKVM_SNAPSHOT_REC_X86_LAPIC: return CKVM_X86_STATE_LAPIC;
	case CKVM_SNAPSHOT_REC_X86_MSRS: return CKVM_X86_STATE_MSRS;
	case CKVM_SNAPSHOT_REC_X86_DEBUGREGS: return CKVM_X86_STATE_DEBUGREGS;
	case CKVM_SNAPSHOT_REC_X86_EVENTS: return CKVM_X86_STATE_EVENTS;
	case CKVM_SNAPSHOT_REC_X86_CPUID: return CKVM_X86_STATE_CPUID;
	case CKVM_SNAPSHOT_REC_X86_TSC_KHZ: return CKVM_X86_STATE_TSC_KHZ;
	case CKVM_SNAPSHOT_REC_X86_NESTED: return CKVM_X86_STATE_NESTED;
	default: return 0;
	}
}

/* MP states KVM_SET_MP_STATE accepts on x86. */
static bool mp_state_ok(uint32_t s)
{
	return s == KVM_MP_STATE_RUNNABLE || s == KVM_MP_STATE_UNINITIALIZED ||
	       s == KVM_MP_STATE_INIT_RECEIVED || s == KVM_MP_STATE_HALTED ||
	       s == KVM_MP_STATE_SIPI_RECEIVED || s == 9 /* KVM_MP_STATE_AP_RESET_HOLD */;
}

static int decode_record(const struct ckvm_snapshot_record *rec, struct ckvm_x86_vcpu_state *t)
{
	const uint8_t *d = rec->data;
	uint32_t n;
	int r;

	switch (rec->type) {
	case CKVM_SNAPSHOT_REC_X86_REGS:
		ckvm_snapshot_record_copy(rec, &t->regs, sizeof(t->regs));
		break;
	case CKVM_SNAPSHOT_REC_X86_SREGS:
		ckvm_snapshot_record_copy(rec, &t->sregs, sizeof(t->sregs));
		break;
	case CKVM_SNAPSHOT_REC_X86_SREGS2:
		ckvm_snapshot_record_copy(rec, &t->sregs2, sizeof(t->sregs2));
		if (t->sregs2.flags & ~(uint32_t)KVM_SREGS2_FLAGS_PDPTRS_VALID)
			return -EBADMSG;
		break;
	case CKVM_SNAPSHOT_REC_X86_FPU:
		ckvm_snapshot_record_copy(rec, &t->fpu, sizeof(t->fpu));
		break;
	case CKVM_SNAPSHOT_REC_X86_XSAVE: {
		size_t sz = rec->len < sizeof(struct kvm_xsave) ? sizeof(struct kvm_xsave) : rec->len;

		r = ckvm_xsave_alloc(sz, &t->xsave);
		if (r < 0)
			return r;
		memcpy(t->xsave, rec->data, rec->len); /* the rest is zeroed */
		break;
	}
	case CKVM_SNAPSHOT_REC_X86_XCRS:
		ckvm_snapshot_record_copy(rec, &t->xcrs, sizeof(t->xcrs));
		if (t->xcrs.nr_xcrs > KVM_MAX_XCRS || t->xcrs.flags)
			return -EBADMSG;
		break;
	case CKVM_SNAPSHOT_REC_X86_LAPIC:
		ckvm_snapshot_record_copy(rec, &t->lapic, sizeof(t->lapic));
		break;
	case CKVM_SNAPSHOT_REC_X86_MSRS:
		if (rec->len < offsetof(struct kvm_msrs, entries))
			return -EBADMSG;
		n = ckvm__get32(d);
		if (n > CKVM_MAX_MSR_ENTRIES ||
		    (size_t)n * sizeof(struct kvm_msr_entry) >
			    rec->len - offsetof(struct kvm_msrs, entries))
			return -EBADMSG;
		r = ckvm_msrs_alloc(n ? n : 1, &t->msrs);
		if (r < 0)
			return r;
		memcpy(t->msrs->entries, d + offsetof(struct kvm_msrs, entries),
		       (size_t)n * sizeof(struct kvm_msr_entry));
		t->msrs->nmsrs = n;
		break;
	case CKVM_SNAPSHOT_REC_X86_DEBUGREGS:
		ckvm_snapshot_record_copy(rec, &t->debugregs, sizeof(t->debugregs));
		if (t->debugregs.flags)
			return -EBADMSG;
		break;
	case CKVM_SNAPSHOT_REC_X86_EVENTS:
		ckvm_snapshot_record_copy(rec, &t->events, sizeof(t->events));
		/* KVM refuses exception vectors above 31 and NMI (2) as an exception */
		if ((t->events.exception.injected || t->events.exception.pending) &&
		    (t->events.exception.nr > 31 || t->events.exception.nr == 2))
			return -EBADMSG;
		break;
	case CKVM_SNAPSHOT_REC_X86_CPUID:
		if (rec->len < offsetof(struct kvm_cpuid2, entries))
			return -EBADMSG;
		n = ckvm__get32(d);
		if (n > CKVM_MAX_CPUID_ENTRIES ||
		    (size_t)n * sizeof(struct kvm_cpuid_entry2) >
			    rec->len - offsetof(struct kvm_cpuid2, entries))
			return -EBADMSG;
		r = ckvm_cpuid2_alloc(n ? n : 1, &t->cpuid);
		if (r < 0)
			return r;
		memcpy(t->cpuid->entries, d + offsetof(struct kvm_cpuid2, entries),
		       (size_t)n * sizeof(struct kvm_cpuid_entry2));
		t->cpuid->nent = n;
		break;
	case CKVM_SNAPSHOT_REC_X86_TSC_KHZ: {
		uint32_t v = 0;

		ckvm_snapshot_record_copy(rec, &v, sizeof(v));
		if (v == 0 || v > INT32_MAX)
			return -EBADMSG;
		t->tsc_khz = v;
		break;
	}
	case CKVM_SNAPSHOT_REC_X86_NESTED: {
		const size_t hdr = sizeof(struct kvm_nested_state);
		uint32_t size;

		if (rec->len < offsetof(struct kvm_nested_state, hdr))
			return -EBADMSG;
		size = ckvm__get32(d + offsetof(struct kvm_nested_state, size));
		if (size < hdr || size > rec->len)
			return -EBADMSG;
		t->nested = calloc(1, size);
		if (!t->nested)
			return -ENOMEM;
		memcpy(t->nested, d, size);
		t->nested_size = size;
		break;
	}
	case CKVM_SNAPSHOT_REC_MP_STATE:
		ckvm_snapshot_record_copy(rec, &t->mp_state, sizeof(t->mp_state));
		if (!mp_state_ok(t->mp_state.mp_state))
			return -EBADMSG;
		break;
	default:
		return ckvm__snap_skip_unknown(rec);
	}
	t->present |= type_bit(rec->type);
	return 0;
}

static int vcpu_decode(const void *blob, size_t len, struct ckvm_x86_vcpu_state *t)
{
	struct ckvm_snapshot_info info;
	struct ckvm_snapshot_record rec;
	size_t cursor = 0;
	int r;

	memset(t, 0, sizeof(*t));
	r = ckvm_snapshot_parse(blob, len, &info);
	if (r < 0)
		return r;
	if (info.arch != CKVM_SNAPSHOT_ARCH_X86_64)
		return -ENOEXEC;
	if (info.kind != CKVM_SNAPSHOT_KIND_VCPU)
		return -EINVAL;
	t->id = info.id;
	while ((r = ckvm_snapshot_next(blob, len, &cursor, &rec)) > 0) {
		uint64_t bit = type_bit(rec.type);

		if (bit && (t->present & bit)) {
			r = -EBADMSG; /* a duplicate record */
			break;
		}
		r = decode_record(&rec, t);
		if (r < 0)
			break;
	}
	if (r < 0)
		members_free(t);
	return r;
}

int ckvm_x86_vcpu_state_decode(const void *blob, size_t len, struct ckvm_x86_vcpu_state *st)
{
	struct ckvm_x86_vcpu_state t;
	int r;

	if (!blob || !st)
		return -EINVAL;
	r = vcpu_decode(blob, len, &t);
	if (r < 0)
		return r;
	state_replace(st, &t);
	return 0;
}

/* ======================= load ============================================ */
struct load_plan {
	struct kvm_xsave *xsave;   /* resized to the target's XSAVE size */
	struct kvm_msrs *msrs;     /* all but TSC_DEADLINE */
	struct kvm_msrs *deadline; /* TSC_DEADLINE alone, or NULL */
	bool nested;
	bool sregs2;
};

static void plan_free(struct load_plan *p)
{
	ckvm_xsave_free(p->xsave);
	ckvm_msrs_free(p->msrs);
	ckvm_msrs_free(p->deadline);
}

/* The fit of st with the target, and the buffers the apply phase needs. No state changes. */
static int load_prepare(struct x86_ctx *x, struct ckvm_vcpu *vcpu,
			const struct ckvm_x86_vcpu_state *st, struct load_plan *p)
{
	uint64_t pr = st->present;
	uint32_t i;
	int r;

	memset(p, 0, sizeof(*p));
	if (((pr & CKVM_X86_STATE_XSAVE) && !st->xsave) ||
	    ((pr & CKVM_X86_STATE_MSRS) && !st->msrs) ||
	    ((pr & CKVM_X86_STATE_CPUID) && !st->cpuid) ||
	    ((pr & CKVM_X86_STATE_NESTED) &&
	     (!st->nested || st->nested_size < sizeof(struct kvm_nested_state) ||
	      st->nested->size > st->nested_size || st->nested->size < sizeof(struct kvm_nested_state))))
		return -EINVAL;
	if (pr & CKVM_X86_STATE_SREGS2) {
		p->sregs2 = x->sregs2;
		if (!x->sregs2 && !(pr & CKVM_X86_STATE_SREGS))
			return -EOPNOTSUPP;
		if (st->sregs2.flags & ~(uint32_t)KVM_SREGS2_FLAGS_PDPTRS_VALID)
			return -EINVAL;
	}
	if (((pr & CKVM_X86_STATE_XCRS) && !x->xcrs) ||
	    ((pr & CKVM_X86_STATE_DEBUGREGS) && !x->debugregs) ||
	    ((pr & CKVM_X86_STATE_EVENTS) && !x->events) ||
	    ((pr & CKVM_X86_STATE_XSAVE) && !x->xsave))
		return -EOPNOTSUPP;
	if (pr & CKVM_X86_STATE_NESTED) {
		/* an empty nested state (no L2 guest, no flags) needs no support */
		bool empty = st->nested->size == sizeof(struct kvm_nested_state) &&
			     st->nested->flags == 0;

		if (x->nested_max >= st->nested->size)
			p->nested = true;
		else if (!empty)
			return -EOPNOTSUPP;
	}
	if (pr & CKVM_X86_STATE_LAPIC) {
		struct kvm_lapic_state probe;

		r = ckvm_vcpu_get_lapic(vcpu, &probe); /* read-only probe */
		if (r == -EINVAL || r == -ENXIO)
			return -EOPNOTSUPP; /* the target has no in-kernel LAPIC */
		if (r < 0)
			return r;
	}
	if (pr & CKVM_X86_STATE_XSAVE) {
		size_t have = ckvm_xsave_size(st->xsave), want = x->xsave_size, k;
		const uint8_t *src = (const uint8_t *)st->xsave;

		/* state beyond what the target can hold must be all zero */
		for (k = want; k < have; k++)
			if (src[k])
				return -E2BIG;
		r = ckvm_xsave_alloc(want, &p->xsave);
		if (r < 0)
			goto fail;
		memcpy(p->xsave, st->xsave, have < want ? have : want);
	}
	if (pr & CKVM_X86_STATE_MSRS) {
		uint32_t n = st->msrs->nmsrs;

		r = ckvm_msrs_alloc(n ? n : 1, &p->msrs);
		if (r < 0)
			goto fail;
		for (i = 0; i < n; i++) {
			const struct kvm_msr_entry *e = &st->msrs->entries[i];

			if (e->index == MSR_IA32_TSC_DEADLINE) {
				if (!p->deadline) {
					r = ckvm_msrs_alloc(1, &p->deadline);
					if (r < 0)
						goto fail;
				}
				p->deadline->entries[0] = *e;
				p->deadline->nmsrs = 1;
			} else {
				p->msrs->entries[p->msrs->nmsrs++] = *e;
			}
		}
	}
	return 0;
fail:
	plan_free(p);
	return r;
}

/*
 * KVM_SET_MSRS stops at the first entry it refuses. An entry the target
 * refuses but already holds with the saved value is skipped: KVM reads some
 * MSRs it will not write back even unchanged (MSR_KVM_ASYNC_PF_INT reads 0
 * without an in-kernel LAPIC, but writing 0 is refused). Any other refusal
 * is -EINVAL. m is the plan's own copy and is consumed.
 */
static int set_msrs_all(struct ckvm_vcpu *vcpu, struct kvm_msrs *m)
{
	int r;

	while (m && m->nmsrs) {
		uint64_t cur;
		uint32_t done;

		r = ckvm_vcpu_set_msrs(vcpu, m);
		if (r < 0)
			return r;
		done = (uint32_t)r;
		if (done >= m->nmsrs)
			return 0;
		/* entries[done] was refused */
		r = ckvm_vcpu_get_msr(vcpu, m->entries[done].index, &cur);
		if (r < 0 || cur != m->entries[done].data)
			return -EINVAL;
		memmove(&m->entries[0], &m->entries[done + 1],
			(m->nmsrs - done - 1) * sizeof(m->entries[0]));
		m->nmsrs -= done + 1;
	}
	return 0;
}

int ckvm_x86_vcpu_state_load(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
			     const struct ckvm_x86_vcpu_state *st, uint32_t flags)
{
	struct load_plan p;
	uint64_t pr;
	int r;

	if (!ctx || !vcpu || !st || (flags & ~CKVM_SNAPSHOT_RESTORE_KEEP_TSC_KHZ))
		return -EINVAL;
	pr = st->present;
	r = load_prepare(xctx(ctx), vcpu, st, &p);
	if (r < 0)
		return r;
	/* ---- validation is over: apply in the order described at the top ---- */
	/*
	 * Sync regs: a register write still pending in the kvm_run page would
	 * be loaded by KVM on the next entry, over the restored state, and the
	 * page's copies are stale once the ioctls below ran. Drop both, so every
	 * write below is an ioctl that takes effect now, in this order.
	 */
	vcpu->run->kvm_dirty_regs &= ~(uint64_t)(KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS |
						 KVM_SYNC_X86_EVENTS);
	vcpu->sync_fresh = 0;
	if ((pr & CKVM_X86_STATE_TSC_KHZ) && !(flags & CKVM_SNAPSHOT_RESTORE_KEEP_TSC_KHZ)) {
		r = ckvm_vcpu_get_tsc_khz(vcpu);
		if (r != (int)st->tsc_khz) {
			r = ckvm_vcpu_set_tsc_khz(vcpu, st->tsc_khz);
			if (r < 0)
				goto out;
		}
	}
	if ((pr & CKVM_X86_STATE_CPUID) && st->cpuid->nent) {
		r = ckvm_vcpu_set_cpuid2(vcpu, st->cpuid);
		if (r < 0)
			goto out;
	}
	r = 0;
	if (p.sregs2)
		r = ckvm_vcpu_set_sregs2(vcpu, &st->sregs2);
	else if (pr & CKVM_X86_STATE_SREGS)
		r = ckvm_vcpu_set_sregs(vcpu, &st->sregs);
	if (r < 0)
		goto out;
	if (p.nested) {
		r = ckvm_vcpu_set_nested_state(vcpu, st->nested);
		if (r < 0)
			goto out;
	}
	r = set_msrs_all(vcpu, p.msrs);
	if (r < 0)
		goto out;
	if ((pr & CKVM_X86_STATE_FPU) && !(pr & CKVM_X86_STATE_XSAVE)) {
		r = ckvm_vcpu_set_fpu(vcpu, &st->fpu);
		if (r < 0)
			goto out;
	}
	if (pr & CKVM_X86_STATE_XCRS) {
		r = ckvm_vcpu_set_xcrs(vcpu, &st->xcrs);
		if (r < 0)
			goto out;
	}
	if (p.xsave) {
		r = xctx(ctx)->xsave_size > sizeof(struct kvm_xsave)
			    ? ckvm_vcpu_set_xsave2(vcpu, p.xsave)
			    : ckvm_vcpu_set_xsave(vcpu, p.xsave);
		if (r < 0)
			goto out;
	}
	if (pr & CKVM_X86_STATE_LAPIC) {
		r = ckvm_vcpu_set_lapic(vcpu, &st->lapic);
		if (r < 0)
			goto out;
	}
	r = set_msrs_all(vcpu, p.deadline);
	if (r < 0)
		goto out;
	if (pr & CKVM_X86_STATE_DEBUGREGS) {
		r = ckvm_vcpu_set_debug_regs(vcpu, &st->debugregs);
		if (r < 0)
			goto out;
	}
	if (pr & CKVM_X86_STATE_REGS) {
		r = ckvm_vcpu_set_regs(vcpu, &st->regs);
		if (r < 0)
			goto out;
	}
	if (pr & CKVM_X86_STATE_EVENTS) {
		struct kvm_vcpu_events ev = st->events;

		ev.flags |= KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR;
		r = ckvm_vcpu_set_vcpu_events(vcpu, &ev);
		if (r < 0)
			goto out;
	}
	if (pr & CKVM_X86_STATE_MP_STATE) {
		r = ckvm_vcpu_set_mp_state(vcpu, &st->mp_state);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	plan_free(&p);
	return r;
}

/* ======================= vCPU hooks ====================================== */
int ckvm__snap_arch_save_vcpu(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
			      uint32_t flags, struct ckvm_snapshot_writer *w)
{
	struct ckvm_x86_vcpu_state st;
	int r;

	memset(&st, 0, sizeof(st));
	r = ckvm_x86_vcpu_state_save(ctx, vcpu, flags, &st);
	if (r < 0)
		return r;
	r = ckvm_x86_vcpu_state_encode(&st, w);
	members_free(&st);
	return r;
}

int ckvm__snap_arch_restore_vcpu(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
				 const void *blob, size_t len, uint32_t flags)
{
	struct ckvm_x86_vcpu_state st;
	int r;

	r = vcpu_decode(blob, len, &st); /* validates every record */
	if (r < 0)
		return r;
	r = ckvm_x86_vcpu_state_load(ctx, vcpu, &st, flags);
	members_free(&st);
	return r;
}

/* ======================= VM state ======================================== */
int ckvm_x86_vm_state_alloc(struct ckvm_x86_vm_state **out)
{
	if (!out)
		return -EINVAL;
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void ckvm_x86_vm_state_free(struct ckvm_x86_vm_state *st)
{
	free(st);
}

static const uint64_t chip_bit[3] = {
	CKVM_X86_VM_STATE_PIC_MASTER, CKVM_X86_VM_STATE_PIC_SLAVE, CKVM_X86_VM_STATE_IOAPIC,
};

int ckvm_x86_vm_state_save(struct ckvm_snapshot_ctx *ctx, uint32_t flags,
			   struct ckvm_x86_vm_state *st)
{
	struct ckvm_x86_vm_state t;
	uint32_t i;
	int r;

	if (!ctx || !st || flags)
		return -EINVAL;
	memset(&t, 0, sizeof(t));
	for (i = 0; i < 3; i++) {
		t.irqchip[i].chip_id = i;
		r = ckvm_vm_get_irqchip(ctx->vm, &t.irqchip[i]);
		if (r == -ENXIO)
			break; /* no in-kernel PIC/IOAPIC (none, or split irqchip) */
		if (r < 0)
			return r;
		t.present |= chip_bit[i];
	}
	r = ckvm_vm_get_pit2(ctx->vm, &t.pit2);
	if (r == 0)
		t.present |= CKVM_X86_VM_STATE_PIT2;
	else if (r != -ENXIO) /* -ENXIO: no PIT */
		return r;
	r = ckvm_vm_get_clock(ctx->vm, &t.clock);
	if (r < 0)
		return r;
	t.present |= CKVM_X86_VM_STATE_CLOCK;
	*st = t;
	return 0;
}

int ckvm_x86_vm_state_encode(const struct ckvm_x86_vm_state *st, struct ckvm_snapshot_writer *w)
{
	uint32_t i;
	int r = 0;

	if (!st || !w)
		return -EINVAL;
	for (i = 0; !r && i < 3; i++)
		if (st->present & chip_bit[i])
			r = add(w, CKVM_SNAPSHOT_REC_X86_IRQCHIP, &st->irqchip[i],
				sizeof(st->irqchip[i]));
	if (!r && (st->present & CKVM_X86_VM_STATE_PIT2))
		r = add(w, CKVM_SNAPSHOT_REC_X86_PIT2, &st->pit2, sizeof(st->pit2));
	if (!r && (st->present & CKVM_X86_VM_STATE_CLOCK))
		r = add(w, CKVM_SNAPSHOT_REC_X86_CLOCK, &st->clock, sizeof(st->clock));
	return r;
}

static int vm_decode(const void *blob, size_t len, struct ckvm_x86_vm_state *t)
{
	struct ckvm_snapshot_info info;
	struct ckvm_snapshot_record rec;
	size_t cursor = 0;
	int r;

	memset(t, 0, sizeof(*t));
	r = ckvm_snapshot_parse(blob, len, &info);
	if (r < 0)
		return r;
	if (info.arch != CKVM_SNAPSHOT_ARCH_X86_64)
		return -ENOEXEC;
	if (info.kind != CKVM_SNAPSHOT_KIND_VM)
		return -EINVAL;
	while ((r = ckvm_snapshot_next(blob, len, &cursor, &rec)) > 0) {
		switch (rec.type) {
		case CKVM_SNAPSHOT_REC_X86_IRQCHIP: {
			struct kvm_irqchip chip;

			ckvm_snapshot_record_copy(&rec, &chip, sizeof(chip));
			if (chip.chip_id > KVM_IRQCHIP_IOAPIC || (t->present & chip_bit[chip.chip_id]))
				return -EBADMSG;
			t->irqchip[chip.chip_id] = chip;
			t->present |= chip_bit[chip.chip_id];
			break;
		}
		case CKVM_SNAPSHOT_REC_X86_PIT2:
			if (t->present & CKVM_X86_VM_STATE_PIT2)
				return -EBADMSG;
			ckvm_snapshot_record_copy(&rec, &t->pit2, sizeof(t->pit2));
			t->present |= CKVM_X86_VM_STATE_PIT2;
			break;
		case CKVM_SNAPSHOT_REC_X86_CLOCK:
			if (t->present & CKVM_X86_VM_STATE_CLOCK)
				return -EBADMSG;
			ckvm_snapshot_record_copy(&rec, &t->clock, sizeof(t->clock));
			t->present |= CKVM_X86_VM_STATE_CLOCK;
			break;
		default:
			r = ckvm__snap_skip_unknown(&rec);
			if (r < 0)
				return r;
		}
	}
	return r;
}

int ckvm_x86_vm_state_decode(const void *blob, size_t len, struct ckvm_x86_vm_state *st)
{
	struct ckvm_x86_vm_state t;
	int r;

	if (!blob || !st)
		return -EINVAL;
	r = ckvm_snapshot_validate(blob, len); /* the region table too */
	if (r < 0)
		return r;
	r = vm_decode(blob, len, &t);
	if (r < 0)
		return r;
	*st = t;
	return 0;
}

int ckvm_x86_vm_state_load(struct ckvm_snapshot_ctx *ctx, const struct ckvm_x86_vm_state *st,
			   uint32_t flags)
{
	struct kvm_clock_data clock;
	uint32_t i;
	int r;

	if (!ctx || !st || (flags & ~CKVM_SNAPSHOT_RESTORE_CLOCK_REALTIME))
		return -EINVAL;
	for (i = 0; i < 3; i++)
		if ((st->present & chip_bit[i]) && st->irqchip[i].chip_id != i)
			return -EINVAL;
	/* read-only probes: the target must have the devices the state is for */
	if (st->present & (CKVM_X86_VM_STATE_PIC_MASTER | CKVM_X86_VM_STATE_PIC_SLAVE |
			   CKVM_X86_VM_STATE_IOAPIC)) {
		struct kvm_irqchip probe = { .chip_id = KVM_IRQCHIP_PIC_MASTER };

		r = ckvm_vm_get_irqchip(ctx->vm, &probe);
		if (r == -ENXIO)
			return -EOPNOTSUPP;
		if (r < 0)
			return r;
	}
	if (st->present & CKVM_X86_VM_STATE_PIT2) {
		struct kvm_pit_state2 probe;

		r = ckvm_vm_get_pit2(ctx->vm, &probe);
		if (r == -ENXIO)
			return -EOPNOTSUPP;
		if (r < 0)
			return r;
	}
	/* apply: interrupt controllers, then the PIT that feeds them, then the clock */
	for (i = 0; i < 3; i++) {
		if (!(st->present & chip_bit[i]))
			continue;
		r = ckvm_vm_set_irqchip(ctx->vm, &st->irqchip[i]);
		if (r < 0)
			return r;
	}
	if (st->present & CKVM_X86_VM_STATE_PIT2) {
		r = ckvm_vm_set_pit2(ctx->vm, &st->pit2);
		if (r < 0)
			return r;
	}
	if (st->present & CKVM_X86_VM_STATE_CLOCK) {
		clock = st->clock;
		/*
		 * Only KVM_CLOCK_REALTIME is an input flag (kernels before 5.16
		 * refuse any flag). With it the kernel adds the wall time elapsed
		 * since the save.
		 */
		if ((flags & CKVM_SNAPSHOT_RESTORE_CLOCK_REALTIME) && (clock.flags & KVM_CLOCK_REALTIME))
			clock.flags = KVM_CLOCK_REALTIME;
		else
			clock.flags = 0;
		r = ckvm_vm_set_clock(ctx->vm, &clock);
		if (r < 0)
			return r;
	}
	return 0;
}

int ckvm__snap_arch_save_vm(struct ckvm_snapshot_ctx *ctx, uint32_t flags,
			    struct ckvm_snapshot_writer *w)
{
	struct ckvm_x86_vm_state st;
	int r = ckvm_x86_vm_state_save(ctx, flags, &st);

	return r < 0 ? r : ckvm_x86_vm_state_encode(&st, w);
}

int ckvm__snap_arch_restore_vm(struct ckvm_snapshot_ctx *ctx, const void *blob, size_t len,
			       uint32_t flags)
{
	struct ckvm_x86_vm_state st;
	int r = vm_decode(blob, len, &st); /* validates every record */

	return r < 0 ? r : ckvm_x86_vm_state_load(ctx, &st, flags);
}

int ckvm__snap_arch_validate(const void *blob, size_t len, const struct ckvm_snapshot_info *info)
{
	if (info->kind == CKVM_SNAPSHOT_KIND_VCPU) {
		struct ckvm_x86_vcpu_state st;
		int r = vcpu_decode(blob, len, &st);

		if (r == 0)
			members_free(&st);
		return r;
	} else {
		struct ckvm_x86_vm_state st;

		return vm_decode(blob, len, &st);
	}
}
