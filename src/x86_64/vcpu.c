/* SPDX-License-Identifier: MIT */
/*
 * x86_64/vcpu.c - x86 vCPU state ioctls and the sync-regs fast path.
 *
 * Sync regs: vcpu->sync_fresh holds the KVM_SYNC_X86_* classes whose copy in
 * the run page is current (KVM wrote it on the last exit, and the caller may
 * have modified it since). For those classes get/set go through the run
 * page and issue no ioctl; a set marks the class dirty so KVM loads it on
 * the next entry.
 *
 * Coherence with every other vCPU ioctl (ckvm__vcpu_sync_prepare): before
 * it, a pending run-page write is applied with the matching SET ioctl, so
 * that the ioctl sees it and program order is kept; after an ioctl that may
 * change state (NMI, SMI, interrupt, MSRs, MP state, nested state, ...) the
 * run page no longer counts as current until the next exit.
 */
#include "internal.h"

#include <string.h>

#define SYNC_ALL (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS)

static bool sync_fast(struct ckvm_vcpu *vcpu, uint64_t cls)
{
	return (vcpu->sync_fresh & cls) && (vcpu->run->kvm_valid_regs & cls);
}

int ckvm__vcpu_sync_flush(struct ckvm_vcpu *vcpu)
{
	static const struct {
		uint64_t cls;
		unsigned long req;
		size_t off;
	} order[] = {
		/* The order KVM's own sync_regs() applies them on entry. */
		{ KVM_SYNC_X86_REGS, KVM_SET_REGS, offsetof(struct kvm_sync_regs, regs) },
		{ KVM_SYNC_X86_SREGS, KVM_SET_SREGS, offsetof(struct kvm_sync_regs, sregs) },
		{ KVM_SYNC_X86_EVENTS, KVM_SET_VCPU_EVENTS, offsetof(struct kvm_sync_regs, events) },
	};
	struct kvm_run *run = vcpu->run;
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int r;

		if (!(run->kvm_dirty_regs & order[i].cls))
			continue;
		r = ckvm__ioctl(vcpu->fd, order[i].req, (uint8_t *)&run->s.regs + order[i].off);
		if (r < 0)
			return r; /* the write stays pending (dirty) */
		run->kvm_dirty_regs &= ~order[i].cls;
	}
	return 0;
}

/* A vCPU ioctl other than the fast path (see the top of this file). */
static int vioctl(struct ckvm_vcpu *vcpu, bool writes, unsigned long req, void *arg)
{
	int r = ckvm__vcpu_sync_prepare(vcpu, writes);

	if (r < 0)
		return r;
	return ckvm__ioctl(vcpu->fd, req, arg);
}

/* ---- regs / sregs / sregs2 ------------------------------------------------ */

int ckvm_vcpu_get_regs(struct ckvm_vcpu *vcpu, struct kvm_regs *regs)
{
	if (!vcpu || !regs)
		return -EINVAL;
	if (sync_fast(vcpu, KVM_SYNC_X86_REGS)) {
		memcpy(regs, &vcpu->run->s.regs.regs, sizeof(*regs));
		return 0;
	}
	return vioctl(vcpu, false, KVM_GET_REGS, regs);
}

int ckvm_vcpu_set_regs(struct ckvm_vcpu *vcpu, const struct kvm_regs *regs)
{
	if (!vcpu || !regs)
		return -EINVAL;
	if (sync_fast(vcpu, KVM_SYNC_X86_REGS)) {
		memcpy(&vcpu->run->s.regs.regs, regs, sizeof(*regs));
		vcpu->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
		return 0;
	}
	return vioctl(vcpu, true, KVM_SET_REGS, (void *)regs);
}

int ckvm_vcpu_get_sregs(struct ckvm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	if (!vcpu || !sregs)
		return -EINVAL;
	if (sync_fast(vcpu, KVM_SYNC_X86_SREGS)) {
		memcpy(sregs, &vcpu->run->s.regs.sregs, sizeof(*sregs));
		return 0;
	}
	return vioctl(vcpu, false, KVM_GET_SREGS, sregs);
}

int ckvm_vcpu_set_sregs(struct ckvm_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	if (!vcpu || !sregs)
		return -EINVAL;
	if (sync_fast(vcpu, KVM_SYNC_X86_SREGS)) {
		memcpy(&vcpu->run->s.regs.sregs, sregs, sizeof(*sregs));
		vcpu->run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
		return 0;
	}
	return vioctl(vcpu, true, KVM_SET_SREGS, (void *)sregs);
}

int ckvm_vcpu_get_sregs2(struct ckvm_vcpu *vcpu, struct kvm_sregs2 *sregs2)
{
	if (!vcpu || !sregs2)
		return -EINVAL;
	/* A pending run-page sregs write is applied first (read your writes). */
	return vioctl(vcpu, false, KVM_GET_SREGS2, sregs2);
}

int ckvm_vcpu_set_sregs2(struct ckvm_vcpu *vcpu, const struct kvm_sregs2 *sregs2)
{
	if (!vcpu || !sregs2)
		return -EINVAL;
	/* A pending run-page write is applied before, never loaded over this. */
	return vioctl(vcpu, true, KVM_SET_SREGS2, (void *)sregs2);
}

/* ---- simple get/set pairs ------------------------------------------------- */

#define GET_SET(name, type, getreq, setreq)                                      \
	int ckvm_vcpu_get_##name(struct ckvm_vcpu *vcpu, type *p)                \
	{                                                                        \
		if (!vcpu || !p)                                                 \
			return -EINVAL;                                          \
		return vioctl(vcpu, false, getreq, p);                           \
	}                                                                        \
	int ckvm_vcpu_set_##name(struct ckvm_vcpu *vcpu, const type *p)          \
	{                                                                        \
		if (!vcpu || !p)                                                 \
			return -EINVAL;                                          \
		return vioctl(vcpu, true, setreq, (void *)p);                    \
	}

GET_SET(fpu, struct kvm_fpu, KVM_GET_FPU, KVM_SET_FPU)
GET_SET(lapic, struct kvm_lapic_state, KVM_GET_LAPIC, KVM_SET_LAPIC)
GET_SET(xcrs, struct kvm_xcrs, KVM_GET_XCRS, KVM_SET_XCRS)
GET_SET(debug_regs, struct kvm_debugregs, KVM_GET_DEBUGREGS, KVM_SET_DEBUGREGS)

int ckvm_vcpu_get_vcpu_events(struct ckvm_vcpu *vcpu, struct kvm_vcpu_events *ev)
{
	if (!vcpu || !ev)
		return -EINVAL;
	if (sync_fast(vcpu, KVM_SYNC_X86_EVENTS)) {
		memcpy(ev, &vcpu->run->s.regs.events, sizeof(*ev));
		return 0;
	}
	return vioctl(vcpu, false, KVM_GET_VCPU_EVENTS, ev);
}

int ckvm_vcpu_set_vcpu_events(struct ckvm_vcpu *vcpu, const struct kvm_vcpu_events *ev)
{
	if (!vcpu || !ev)
		return -EINVAL;
	if (sync_fast(vcpu, KVM_SYNC_X86_EVENTS)) {
		memcpy(&vcpu->run->s.regs.events, ev, sizeof(*ev));
		vcpu->run->kvm_dirty_regs |= KVM_SYNC_X86_EVENTS;
		return 0;
	}
	return vioctl(vcpu, true, KVM_SET_VCPU_EVENTS, (void *)ev);
}

/* ---- MSRs ------------------------------------------------------------------ */

int ckvm_vcpu_get_msrs(struct ckvm_vcpu *vcpu, struct kvm_msrs *msrs)
{
	if (!vcpu || !msrs)
		return -EINVAL;
	if (msrs->nmsrs > CKVM_MAX_MSR_ENTRIES)
		return -E2BIG;
	return vioctl(vcpu, false, KVM_GET_MSRS, msrs);
}

int ckvm_vcpu_set_msrs(struct ckvm_vcpu *vcpu, const struct kvm_msrs *msrs)
{
	if (!vcpu || !msrs)
		return -EINVAL;
	if (msrs->nmsrs > CKVM_MAX_MSR_ENTRIES)
		return -E2BIG;
	/* EFER and the APIC base live in sregs too */
	return vioctl(vcpu, true, KVM_SET_MSRS, (void *)msrs);
}

union one_msr {
	struct kvm_msrs hdr;
	uint8_t bytes[sizeof(struct kvm_msrs) + sizeof(struct kvm_msr_entry)];
	uint64_t align;
};

int ckvm_vcpu_get_msr(struct ckvm_vcpu *vcpu, uint32_t index, uint64_t *value)
{
	union one_msr u;
	int r;

	if (!vcpu || !value)
		return -EINVAL;
	memset(&u, 0, sizeof(u));
	u.hdr.nmsrs = 1;
	u.hdr.entries[0].index = index;
	r = vioctl(vcpu, false, KVM_GET_MSRS, &u.hdr);
	if (r < 0)
		return r;
	if (r != 1)
		return -EINVAL;
	*value = u.hdr.entries[0].data;
	return 0;
}

int ckvm_vcpu_set_msr(struct ckvm_vcpu *vcpu, uint32_t index, uint64_t value)
{
	union one_msr u;
	int r;

	if (!vcpu)
		return -EINVAL;
	memset(&u, 0, sizeof(u));
	u.hdr.nmsrs = 1;
	u.hdr.entries[0].index = index;
	u.hdr.entries[0].data = value;
	r = vioctl(vcpu, true, KVM_SET_MSRS, &u.hdr);
	if (r < 0)
		return r;
	return r == 1 ? 0 : -EINVAL;
}

/* ---- CPUID ------------------------------------------------------------------ */

int ckvm_vcpu_set_cpuid2(struct ckvm_vcpu *vcpu, const struct kvm_cpuid2 *cpuid)
{
	if (!vcpu || !cpuid)
		return -EINVAL;
	if (cpuid->nent > CKVM_MAX_CPUID_ENTRIES)
		return -E2BIG;
	return vioctl(vcpu, true, KVM_SET_CPUID2, (void *)cpuid);
}

int ckvm_vcpu_get_cpuid2(struct ckvm_vcpu *vcpu, struct kvm_cpuid2 **out)
{
	struct kvm_cpuid2 *c;
	bool ours = false;
	int r;

	if (!vcpu || !out)
		return -EINVAL;
	c = *out;
	if (!c) {
		r = ckvm_cpuid2_alloc(64, &c);
		if (r < 0)
			return r;
		ours = true;
	} else if (!ckvm_cpuid2_capacity(c)) {
		return -EINVAL; /* not from ckvm_cpuid2_alloc(), or capacity 0 */
	}
	for (;;) {
		uint32_t cap = ckvm_cpuid2_capacity(c);

		c->nent = cap;
		r = vioctl(vcpu, false, KVM_GET_CPUID2, c);
		if (r != -E2BIG)
			break;
		if (cap >= CKVM_MAX_CPUID_ENTRIES)
			break; /* r is -E2BIG */
		cap = cap * 2 > CKVM_MAX_CPUID_ENTRIES ? CKVM_MAX_CPUID_ENTRIES : cap * 2;
		c->nent = 0;
		r = ckvm_cpuid2_reserve(&c, cap);
		if (r < 0)
			break;
		if (!ours)
			*out = c; /* the caller's buffer moved */
	}
	if (r < 0) {
		/* A buffer allocated here is freed; a caller's stays theirs, count 0. */
		if (ours)
			ckvm_cpuid2_free(c);
		else
			c->nent = 0;
		return r;
	}
	*out = c;
	return 0;
}

int ckvm_vcpu_get_supported_hv_cpuid(struct ckvm_vcpu *vcpu, struct kvm_cpuid2 **out)
{
	int r;

	if (!vcpu || !out)
		return -EINVAL;
	r = ckvm__vcpu_sync_prepare(vcpu, false);
	if (r < 0)
		return r;
	return ckvm__cpuid_query(vcpu->fd, KVM_GET_SUPPORTED_HV_CPUID, CKVM__HV_CPUID_FIRST_GUESS,
				 out);
}

/* ---- XSAVE ------------------------------------------------------------------ */

int ckvm_vcpu_get_xsave(struct ckvm_vcpu *vcpu, struct kvm_xsave *xsave)
{
	if (!vcpu || !xsave)
		return -EINVAL;
	return vioctl(vcpu, false, KVM_GET_XSAVE, xsave);
}

int ckvm_vcpu_set_xsave(struct ckvm_vcpu *vcpu, const struct kvm_xsave *xsave)
{
	if (!vcpu || !xsave)
		return -EINVAL;
	/*
	 * With dynamic xfeatures (AMX) KVM_SET_XSAVE reads more than 4096
	 * bytes: a plain struct kvm_xsave would be overrun. Use set_xsave2.
	 */
	if (vcpu->xsave_size > sizeof(struct kvm_xsave))
		return -EINVAL;
	return vioctl(vcpu, true, KVM_SET_XSAVE, (void *)xsave);
}

int ckvm_vcpu_get_xsave2(struct ckvm_vcpu *vcpu, struct kvm_xsave *xsave)
{
	if (!vcpu || !xsave)
		return -EINVAL;
	if (ckvm_xsave_size(xsave) < vcpu->xsave_size)
		return -EINVAL;
	return vioctl(vcpu, false, KVM_GET_XSAVE2, xsave);
}

int ckvm_vcpu_set_xsave2(struct ckvm_vcpu *vcpu, const struct kvm_xsave *xsave)
{
	if (!vcpu || !xsave)
		return -EINVAL;
	if (ckvm_xsave_size(xsave) < vcpu->xsave_size)
		return -EINVAL;
	return vioctl(vcpu, true, KVM_SET_XSAVE, (void *)xsave);
}

/* ---- misc ------------------------------------------------------------------- */

int ckvm_vcpu_translate_gva(struct ckvm_vcpu *vcpu, struct kvm_translation *tr)
{
	if (!vcpu || !tr)
		return -EINVAL;
	return vioctl(vcpu, false, KVM_TRANSLATE, tr);
}

int ckvm_vcpu_nmi(struct ckvm_vcpu *vcpu)
{
	if (!vcpu)
		return -EINVAL;
	return vioctl(vcpu, true, KVM_NMI, NULL);
}

int ckvm_vcpu_smi(struct ckvm_vcpu *vcpu)
{
	if (!vcpu)
		return -EINVAL;
	return vioctl(vcpu, true, KVM_SMI, NULL);
}

int ckvm_vcpu_interrupt(struct ckvm_vcpu *vcpu, uint32_t irq)
{
	struct kvm_interrupt i = { .irq = irq };

	if (!vcpu)
		return -EINVAL;
	return vioctl(vcpu, true, KVM_INTERRUPT, &i);
}

int ckvm_vcpu_kvmclock_ctrl(struct ckvm_vcpu *vcpu)
{
	if (!vcpu)
		return -EINVAL;
	return vioctl(vcpu, true, KVM_KVMCLOCK_CTRL, NULL);
}

int ckvm_vcpu_get_tsc_khz(struct ckvm_vcpu *vcpu)
{
	if (!vcpu)
		return -EINVAL;
	return vioctl(vcpu, false, KVM_GET_TSC_KHZ, NULL);
}

int ckvm_vcpu_set_tsc_khz(struct ckvm_vcpu *vcpu, uint32_t khz)
{
	int r;

	if (!vcpu || khz == 0)
		return -EINVAL;
	r = ckvm__vcpu_sync_prepare(vcpu, true);
	if (r < 0)
		return r;
	return ckvm__ioctl_val(vcpu->fd, KVM_SET_TSC_KHZ, khz);
}

int ckvm_vcpu_setup_mce(struct ckvm_vcpu *vcpu, uint64_t mcg_cap)
{
	if (!vcpu)
		return -EINVAL;
	return vioctl(vcpu, true, KVM_X86_SETUP_MCE, &mcg_cap);
}

int ckvm_vcpu_set_mce(struct ckvm_vcpu *vcpu, const struct kvm_x86_mce *mce)
{
	if (!vcpu || !mce)
		return -EINVAL;
	return vioctl(vcpu, true, KVM_X86_SET_MCE, (void *)mce);
}

int ckvm_vcpu_tpr_access_reporting(struct ckvm_vcpu *vcpu, bool enabled)
{
	struct kvm_tpr_access_ctl ctl;

	if (!vcpu)
		return -EINVAL;
	memset(&ctl, 0, sizeof(ctl));
	ctl.enabled = enabled ? 1 : 0;
	return vioctl(vcpu, true, KVM_TPR_ACCESS_REPORTING, &ctl);
}

int ckvm_vcpu_set_vapic_addr(struct ckvm_vcpu *vcpu, uint64_t addr)
{
	struct kvm_vapic_addr va = { .vapic_addr = addr };

	if (!vcpu)
		return -EINVAL;
	return vioctl(vcpu, true, KVM_SET_VAPIC_ADDR, &va);
}

/* ---- Xen ---------------------------------------------------------------------- */

int ckvm_vcpu_xen_get_attr(struct ckvm_vcpu *vcpu, struct kvm_xen_vcpu_attr *attr)
{
	if (!vcpu || !attr)
		return -EINVAL;
	return vioctl(vcpu, false, KVM_XEN_VCPU_GET_ATTR, attr);
}

int ckvm_vcpu_xen_set_attr(struct ckvm_vcpu *vcpu, const struct kvm_xen_vcpu_attr *attr)
{
	if (!vcpu || !attr)
		return -EINVAL;
	/* a timer or upcall vector may make an event pending: not a pure read */
	return vioctl(vcpu, true, KVM_XEN_VCPU_SET_ATTR, (void *)attr);
}

/* ---- nested state ----------------------------------------------------------- */

int ckvm_vcpu_get_nested_state(struct ckvm_vcpu *vcpu, struct kvm_nested_state *st, size_t size)
{
	int r;

	if (!vcpu || !st || size < sizeof(*st) || size > UINT32_MAX)
		return -EINVAL;
	if (!vcpu->nested_state_max)
		return -ENOTSUP;
	memset(st, 0, sizeof(*st));
	st->size = (uint32_t)size;
	r = vioctl(vcpu, false, KVM_GET_NESTED_STATE, st);
	if (r < 0)
		return r;
	if (st->size > size)
		return -E2BIG;
	return (int)st->size;
}

int ckvm_vcpu_set_nested_state(struct ckvm_vcpu *vcpu, const struct kvm_nested_state *st)
{
	if (!vcpu || !st || st->size < sizeof(*st))
		return -EINVAL;
	if (!vcpu->nested_state_max)
		return -ENOTSUP;
	return vioctl(vcpu, true, KVM_SET_NESTED_STATE, (void *)st);
}

/* ---- sync regs ---------------------------------------------------------------- */

int ckvm_vcpu_set_sync_valid_reg(struct ckvm_vcpu *vcpu, uint64_t mask)
{
	if (!vcpu || (mask & ~(uint64_t)SYNC_ALL))
		return -EINVAL;
	if (mask & ~vcpu->sync_regs_cap)
		return -EOPNOTSUPP; /* KVM_RUN would fail with -EINVAL */
	vcpu->run->kvm_valid_regs |= mask;
	return 0;
}

int ckvm_vcpu_clear_sync_valid_reg(struct ckvm_vcpu *vcpu, uint64_t mask)
{
	if (!vcpu || (mask & ~(uint64_t)SYNC_ALL))
		return -EINVAL;
	/* A pending run-page write (dirty bit) is still loaded on the next entry. */
	vcpu->run->kvm_valid_regs &= ~mask;
	vcpu->sync_fresh &= ~mask;
	return 0;
}

int ckvm_vcpu_set_sync_dirty_reg(struct ckvm_vcpu *vcpu, uint64_t mask)
{
	if (!vcpu || (mask & ~(uint64_t)SYNC_ALL))
		return -EINVAL;
	if (mask & ~vcpu->sync_regs_cap)
		return -EOPNOTSUPP;
	vcpu->run->kvm_dirty_regs |= mask;
	return 0;
}

int ckvm_vcpu_clear_sync_dirty_reg(struct ckvm_vcpu *vcpu, uint64_t mask)
{
	if (!vcpu || (mask & ~(uint64_t)SYNC_ALL))
		return -EINVAL;
	/* A cancelled write leaves the run page unlike KVM's state: no longer current. */
	vcpu->run->kvm_dirty_regs &= ~mask;
	vcpu->sync_fresh &= ~mask;
	return 0;
}

struct kvm_sync_regs *ckvm_vcpu_sync_regs(struct ckvm_vcpu *vcpu)
{
	return vcpu ? &vcpu->run->s.regs : NULL;
}
