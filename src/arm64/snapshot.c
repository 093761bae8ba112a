/* SPDX-License-Identifier: MIT */
/*
 * arm64/snapshot.c - the arm64 record set of the snapshot format and the
 * arch hooks of snapshot_internal.h (docs/snapshot-format.md, 4.4).
 *
 * vCPU blob, in save order:
 *   MP_STATE, ONE_REGS (every id of KVM_GET_REG_LIST but
 *   KVM_REG_ARM64_SVE_VLS, values read with KVM_GET_ONE_REG),
 *   ARM64_SVE_VLS (only with SVE), ARM64_EVENTS (KVM_CAP_VCPU_EVENTS).
 * vCPU restore order, and why:
 *   0. Validate every record, then the fit with the target: every saved
 *      register id is in the target's KVM_GET_REG_LIST (same features,
 *      same kernel ABI), the SVE vector lengths equal the target's (they are
 *      fixed once the vCPU is finalized, so they are compared, not written),
 *      events need KVM_CAP_VCPU_EVENTS. Nothing is written before that.
 *   1. ONE_REGS in the saved (kernel list) order: core registers, system
 *      registers (ID registers before the vCPU first runs), timers,
 *      firmware pseudo-registers, SVE.
 *   2. vCPU events (a pending SError / external abort) after the registers
 *      they are delivered against.
 *   3. MP state last (a powered-off or suspended vCPU).
 * VM blob: ARM64_VGIC (configuration) and ARM64_VGIC_ATTRS (registers) when
 * the context knows the vGIC (ckvm_snapshot_ctx_set_vgic), plus the common
 * MEM_REGIONS. VM restore: validate, check the target vGIC has the same
 * type, interrupt count, addresses and vCPU affinities, then write the
 * registers in the saved order, which is the order the GIC needs (QEMU's):
 * distributor control, then per vCPU the redistributor (PROPBASER,
 * PENDBASER, CTLR, SGI/PPI group, config, priority, pending, enable,
 * active), then SPI group, config, routing, priority, pending, enable,
 * active, the line levels, and last the CPU interface registers.
 * The generic ONE_REG and attribute-list steps are src/snapshot_onereg.c;
 * this file keeps the arm64 parts: the SVE vector lengths and vCPU events,
 * the vGIC configuration record, its register list and accessors.
 */
#include "snapshot_internal.h"

#include <stdlib.h>
#include <string.h>

#define SVE_VLS_BYTES 64u
#define MAX_VCPUS 4096u
#define VGIC_HDR 32u

struct arm64_ctx {
	bool events;               /* KVM_CAP_VCPU_EVENTS */
	struct ckvm_device *vgic;  /* registered with ckvm_snapshot_ctx_set_vgic */
	uint32_t vgic_type;
	uint32_t nr_vcpus;
	uint64_t *mpidr;           /* nr_vcpus MPIDR_EL1 values */
};

static struct arm64_ctx *actx(struct ckvm_snapshot_ctx *ctx)
{
	return ctx->arch;
}

int ckvm__snap_arch_ctx_init(struct ckvm_snapshot_ctx *ctx, struct ckvm *kvm)
{
	struct arm64_ctx *a = calloc(1, sizeof(*a));

	(void)kvm;
	if (!a)
		return -ENOMEM;
	a->events = ckvm_vm_check_extension(ctx->vm, KVM_CAP_VCPU_EVENTS) > 0;
	ctx->arch = a;
	return 0;
}

void ckvm__snap_arch_ctx_fini(struct ckvm_snapshot_ctx *ctx)
{
	struct arm64_ctx *a = actx(ctx);

	if (!a)
		return;
	free(a->mpidr);
	free(a);
	ctx->arch = NULL;
}

int ckvm_snapshot_ctx_set_vgic(struct ckvm_snapshot_ctx *ctx, struct ckvm_device *vgic,
			       struct ckvm_vcpu **vcpus, size_t nr_vcpus)
{
	struct arm64_ctx *a;
	uint64_t *mpidr;
	uint32_t type;
	size_t i;
	int r;

	if (!ctx || !ctx->arch || !vgic || !vcpus || nr_vcpus == 0 || nr_vcpus > MAX_VCPUS)
		return -EINVAL;
	type = ckvm_device_type(vgic);
	if (type != KVM_DEV_TYPE_ARM_VGIC_V2 && type != KVM_DEV_TYPE_ARM_VGIC_V3)
		return -EINVAL;
	mpidr = calloc(nr_vcpus, sizeof(*mpidr));
	if (!mpidr)
		return -ENOMEM;
	for (i = 0; i < nr_vcpus; i++) {
		if (!vcpus[i]) {
			free(mpidr);
			return -EINVAL;
		}
		r = ckvm_vcpu_get_one_reg(vcpus[i], CKVM_ARM64_MPIDR_EL1, &mpidr[i], sizeof(mpidr[i]));
		if (r < 0) {
			free(mpidr);
			return r;
		}
	}
	a = actx(ctx);
	free(a->mpidr);
	a->mpidr = mpidr;
	a->nr_vcpus = (uint32_t)nr_vcpus;
	a->vgic = vgic;
	a->vgic_type = type;
	return 0;
}

/* ======================= vCPU ============================================ */
static bool mp_state_ok(uint32_t s)
{
	return s == KVM_MP_STATE_RUNNABLE || s == KVM_MP_STATE_STOPPED ||
	       s == KVM_MP_STATE_SUSPENDED;
}

static int events_check(const struct kvm_vcpu_events *ev)
{
	size_t i;

	if (ev->exception.serror_pending > 1 || ev->exception.serror_has_esr > 1 ||
	    ev->exception.ext_dabt_pending > 1)
		return -EBADMSG;
	if (ev->exception.serror_has_esr && !ev->exception.serror_pending)
		return -EBADMSG;
	for (i = 0; i < sizeof(ev->exception.pad); i++)
		if (ev->exception.pad[i])
			return -EBADMSG;
	for (i = 0; i < sizeof(ev->reserved) / sizeof(ev->reserved[0]); i++)
		if (ev->reserved[i])
			return -EBADMSG;
	return 0;
}

struct vcpu_recs {
	struct ckvm__snap_onereg_vcpu c; /* MP_STATE, ONE_REGS */
	bool have_vls, have_events;
	struct kvm_vcpu_events ev;
	uint8_t vls_val[SVE_VLS_BYTES];
};

static int not_vls(void *opaque, uint64_t id, const void *val, size_t size)
{
	(void)opaque;
	(void)val;
	(void)size;
	/* the vector lengths have their own record and are never written */
	return id == KVM_REG_ARM64_SVE_VLS ? -EBADMSG : 0;
}

static int vcpu_record(void *arch, const struct ckvm_snapshot_record *rec)
{
	struct vcpu_recs *v = arch;
	int r;

	switch (rec->type) {
	case CKVM_SNAPSHOT_REC_ARM64_SVE_VLS:
		if (v->have_vls)
			return -EBADMSG;
		ckvm_snapshot_record_copy(rec, v->vls_val, sizeof(v->vls_val));
		v->have_vls = true;
		return 1;
	case CKVM_SNAPSHOT_REC_ARM64_EVENTS:
		if (v->have_events)
			return -EBADMSG;
		ckvm_snapshot_record_copy(rec, &v->ev, sizeof(v->ev));
		r = events_check(&v->ev);
		if (r < 0)
			return r;
		v->have_events = true;
		return 1;
	default:
		return 0;
	}
}

static const struct ckvm__snap_onereg_ops vcpu_ops = {
	.mp_state_ok = mp_state_ok,
	.id_check = not_vls,
	.record = vcpu_record,
};

static int vcpu_decode(const void *blob, size_t len, struct vcpu_recs *v)
{
	memset(v, 0, sizeof(*v));
	return ckvm__snap_onereg_decode(blob, len, &vcpu_ops, &v->c, v);
}

struct vls_save {
	struct ckvm_vcpu *vcpu;
	bool have;
	uint8_t val[SVE_VLS_BYTES];
};

/* Everything but the vector lengths goes to ONE_REGS; those are read for their own record. */
static int save_filter(void *opaque, uint64_t id)
{
	struct vls_save *s = opaque;
	int r;

	if (id != KVM_REG_ARM64_SVE_VLS)
		return 1;
	r = ckvm_vcpu_get_one_reg(s->vcpu, KVM_REG_ARM64_SVE_VLS, s->val, sizeof(s->val));
	if (r < 0)
		return r;
	s->have = true;
	return 0;
}

int ckvm__snap_arch_save_vcpu(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
			      uint32_t flags, struct ckvm_snapshot_writer *w)
{
	struct arm64_ctx *a = actx(ctx);
	struct vls_save vls = { .vcpu = vcpu };
	int r;

	r = ckvm__snap_onereg_save(vcpu, flags, save_filter, &vls, w);
	if (r == 0 && vls.have)
		r = ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ARM64_SVE_VLS, 0, vls.val,
					     sizeof(vls.val));
	if (r == 0 && a->events) {
		struct kvm_vcpu_events ev;

		r = ckvm_vcpu_get_vcpu_events(vcpu, &ev);
		if (r == 0)
			r = ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_ARM64_EVENTS, 0, &ev,
						     sizeof(ev));
	}
	return r < 0 ? r : 0;
}

int ckvm__snap_arch_restore_vcpu(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
				 const void *blob, size_t len, uint32_t flags)
{
	struct arm64_ctx *a = actx(ctx);
	struct kvm_reg_list *list = NULL;
	struct vcpu_recs v;
	int r;

	(void)flags;
	r = vcpu_decode(blob, len, &v);
	if (r < 0)
		return r;
	/* ---- the fit with the target, still without writing anything ---- */
	if (v.have_events && !a->events)
		return -EOPNOTSUPP;
	r = ckvm__snap_onereg_fit(vcpu, &vcpu_ops, &v.c, &list);
	if (r < 0)
		goto out;
	if (v.have_vls) {
		uint8_t cur[SVE_VLS_BYTES];

		if (!ckvm__snap_onereg_listed(list, KVM_REG_ARM64_SVE_VLS)) {
			r = -EOPNOTSUPP; /* the target has no SVE */
			goto out;
		}
		r = ckvm_vcpu_get_one_reg(vcpu, KVM_REG_ARM64_SVE_VLS, cur, sizeof(cur));
		if (r < 0)
			goto out;
		if (memcmp(cur, v.vls_val, sizeof(cur)) != 0) {
			r = -EOPNOTSUPP; /* other vector lengths: fixed at finalize */
			goto out;
		}
	}
	/* ---- apply ---- */
	r = ckvm__snap_onereg_apply(vcpu, &vcpu_ops, &v.c);
	if (r < 0)
		goto out;
	if (v.have_events) {
		r = ckvm_vcpu_set_vcpu_events(vcpu, &v.ev);
		if (r < 0)
			goto out;
	}
	if (v.c.have_mp)
		r = ckvm_vcpu_set_mp_state(vcpu, &v.c.mp_state);
out:
	ckvm_reg_list_free(list);
	return r < 0 ? r : 0;
}

/* ======================= VM: the vGIC ===================================== */
#define al_add ckvm__snap_attr_list_add
#define DIST KVM_DEV_ARM_VGIC_GRP_DIST_REGS
#define REDIST KVM_DEV_ARM_VGIC_GRP_REDIST_REGS
#define SYSREG KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS
#define LEVEL KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO
#define CPUIF KVM_DEV_ARM_VGIC_GRP_CPU_REGS
#define SGI_FRAME 0x10000u

/* Every register a GICv3 of nr_irqs interrupts with these vCPUs may have, in restore order. */
static void v3_candidates(struct ckvm__snap_attr_list *l, uint32_t nr_irqs, const uint64_t *mpidr,
			  uint32_t nr_vcpus)
{
	static const uint8_t sysregs[][5] = {
		{ 3, 0, 12, 12, 5 }, /* ICC_SRE_EL1 */
		{ 3, 0, 12, 12, 4 }, /* ICC_CTLR_EL1 */
		{ 3, 0, 4, 6, 0 },   /* ICC_PMR_EL1 */
		{ 3, 0, 12, 8, 3 },  /* ICC_BPR0_EL1 */
		{ 3, 0, 12, 12, 3 }, /* ICC_BPR1_EL1 */
		{ 3, 0, 12, 8, 4 }, { 3, 0, 12, 8, 5 }, { 3, 0, 12, 8, 6 }, { 3, 0, 12, 8, 7 }, /* AP0R */
		{ 3, 0, 12, 9, 0 }, { 3, 0, 12, 9, 1 }, { 3, 0, 12, 9, 2 }, { 3, 0, 12, 9, 3 }, /* AP1R */
		{ 3, 0, 12, 12, 6 }, /* ICC_IGRPEN0_EL1 */
		{ 3, 0, 12, 12, 7 }, /* ICC_IGRPEN1_EL1 */
	};
	uint32_t chunks = nr_irqs / 32, c, i, k, irq;

	al_add(l, DIST, ckvm_vgic_v3_attr(0, 0x0000), 4); /* GICD_CTLR */
	for (i = 0; i < nr_vcpus; i++) {
		uint32_t aff = ckvm_arm64_mpidr_to_attr_aff(mpidr[i]);

		al_add(l, REDIST, ckvm_vgic_v3_attr(aff, 0x0070), 4); /* GICR_PROPBASER */
		al_add(l, REDIST, ckvm_vgic_v3_attr(aff, 0x0074), 4);
		al_add(l, REDIST, ckvm_vgic_v3_attr(aff, 0x0078), 4); /* GICR_PENDBASER */
		al_add(l, REDIST, ckvm_vgic_v3_attr(aff, 0x007c), 4);
		al_add(l, REDIST, ckvm_vgic_v3_attr(aff, 0x0000), 4); /* GICR_CTLR */
		al_add(l, REDIST, ckvm_vgic_v3_attr(aff, SGI_FRAME + 0x0080), 4); /* IGROUPR0 */
		al_add(l, REDIST, ckvm_vgic_v3_attr(aff, SGI_FRAME + 0x0c04), 4); /* ICFGR1 */
		for (k = 0; k < 8; k++) /* IPRIORITYR0-7 */
			al_add(l, REDIST, ckvm_vgic_v3_attr(aff, SGI_FRAME + 0x0400 + 4 * k), 4);
		al_add(l, REDIST, ckvm_vgic_v3_attr(aff, SGI_FRAME + 0x0200), 4); /* ISPENDR0 */
		al_add(l, REDIST, ckvm_vgic_v3_attr(aff, SGI_FRAME + 0x0100), 4); /* ISENABLER0 */
		al_add(l, REDIST, ckvm_vgic_v3_attr(aff, SGI_FRAME + 0x0300), 4); /* ISACTIVER0 */
	}
	for (c = 1; c < chunks; c++)
		al_add(l, DIST, 0x0080 + 4 * c, 4); /* GICD_IGROUPR */
	for (c = 1; c < chunks; c++) {
		al_add(l, DIST, 0x0c00 + 8 * c, 4); /* GICD_ICFGR, two per 32 */
		al_add(l, DIST, 0x0c00 + 8 * c + 4, 4);
	}
	for (irq = 32; irq < nr_irqs; irq++) {
		al_add(l, DIST, 0x6000 + 8 * (uint64_t)irq, 4); /* GICD_IROUTER, 64-bit */
		al_add(l, DIST, 0x6000 + 8 * (uint64_t)irq + 4, 4);
	}
	for (c = 1; c < chunks; c++)
		for (k = 0; k < 8; k++)
			al_add(l, DIST, 0x0400 + 32 * c + 4 * k, 4); /* GICD_IPRIORITYR */
	for (c = 1; c < chunks; c++)
		al_add(l, DIST, 0x0200 + 4 * c, 4); /* GICD_ISPENDR */
	for (c = 1; c < chunks; c++)
		al_add(l, DIST, 0x0100 + 4 * c, 4); /* GICD_ISENABLER */
	for (c = 1; c < chunks; c++)
		al_add(l, DIST, 0x0300 + 4 * c, 4); /* GICD_ISACTIVER */
	for (c = 1; c < chunks; c++) /* SPI levels: any vCPU names them, use the first */
		al_add(l, LEVEL, ckvm_vgic_v3_line_level_attr(ckvm_arm64_mpidr_to_attr_aff(mpidr[0]),
							      32 * c), 4);
	for (i = 0; i < nr_vcpus; i++) {
		uint32_t aff = ckvm_arm64_mpidr_to_attr_aff(mpidr[i]);

		for (k = 0; k < sizeof(sysregs) / sizeof(sysregs[0]); k++)
			al_add(l, SYSREG, ckvm_vgic_v3_sysreg_attr(aff, sysregs[k][0], sysregs[k][1],
								   sysregs[k][2], sysregs[k][3],
								   sysregs[k][4]), 8);
	}
}

/* The same for a GICv2: banked registers per vCPU (cpuid), SPIs with cpuid 0. */
static void v2_candidates(struct ckvm__snap_attr_list *l, uint32_t nr_irqs, uint32_t nr_vcpus)
{
	uint32_t chunks = nr_irqs / 32, c, i, k;

	al_add(l, DIST, ckvm_vgic_v2_attr(0, 0x000), 4); /* GICD_CTLR */
	for (i = 0; i < nr_vcpus; i++) {
		al_add(l, DIST, ckvm_vgic_v2_attr(i, 0x080), 4); /* IGROUPR0 */
		al_add(l, DIST, ckvm_vgic_v2_attr(i, 0xc04), 4); /* ICFGR1 */
		for (k = 0; k < 8; k++)
			al_add(l, DIST, ckvm_vgic_v2_attr(i, 0x400 + 4 * k), 4); /* IPRIORITYR */
		for (k = 0; k < 4; k++)
			al_add(l, DIST, ckvm_vgic_v2_attr(i, 0xf20 + 4 * k), 4); /* SPENDSGIR */
		al_add(l, DIST, ckvm_vgic_v2_attr(i, 0x200), 4); /* ISPENDR0 */
		al_add(l, DIST, ckvm_vgic_v2_attr(i, 0x100), 4); /* ISENABLER0 */
		al_add(l, DIST, ckvm_vgic_v2_attr(i, 0x300), 4); /* ISACTIVER0 */
	}
	for (c = 1; c < chunks; c++)
		al_add(l, DIST, ckvm_vgic_v2_attr(0, 0x080 + 4 * c), 4);
	for (c = 1; c < chunks; c++) {
		al_add(l, DIST, ckvm_vgic_v2_attr(0, 0xc00 + 8 * c), 4);
		al_add(l, DIST, ckvm_vgic_v2_attr(0, 0xc00 + 8 * c + 4), 4);
	}
	for (c = 1; c < chunks; c++)
		for (k = 0; k < 8; k++) {
			al_add(l, DIST, ckvm_vgic_v2_attr(0, 0x800 + 32 * c + 4 * k), 4); /* ITARGETSR */
			al_add(l, DIST, ckvm_vgic_v2_attr(0, 0x400 + 32 * c + 4 * k), 4); /* IPRIORITYR */
		}
	for (c = 1; c < chunks; c++)
		al_add(l, DIST, ckvm_vgic_v2_attr(0, 0x200 + 4 * c), 4);
	for (c = 1; c < chunks; c++)
		al_add(l, DIST, ckvm_vgic_v2_attr(0, 0x100 + 4 * c), 4);
	for (c = 1; c < chunks; c++)
		al_add(l, DIST, ckvm_vgic_v2_attr(0, 0x300 + 4 * c), 4);
	for (i = 0; i < nr_vcpus; i++) {
		static const uint16_t cpu_regs[] = { 0x00, 0x04, 0x08, 0x1c, 0xd0, 0xd4, 0xd8, 0xdc };

		for (k = 0; k < sizeof(cpu_regs) / sizeof(cpu_regs[0]); k++)
			al_add(l, CPUIF, ckvm_vgic_v2_attr(i, cpu_regs[k]), 4);
	}
}

static bool vgic_group_ok(uint32_t type, uint32_t group, uint32_t size)
{
	if (type == KVM_DEV_TYPE_ARM_VGIC_V3)
		return (group == DIST || group == REDIST || group == LEVEL) ? size == 4 :
		       group == SYSREG && size == 8;
	return (group == DIST || group == CPUIF) && size == 4;
}

struct vgic_cfg {
	uint32_t type, nr_irqs, nr_vcpus;
	uint64_t dist, cpu;
	const uint8_t *mpidr; /* nr_vcpus little-endian u64 */
};

static int vgic_cfg_decode(const struct ckvm_snapshot_record *rec, void *cfg)
{
	const uint8_t *p = rec->data;
	struct vgic_cfg *c = cfg;

	if (rec->len < VGIC_HDR)
		return -EBADMSG;
	c->type = ckvm__get32(p);
	c->nr_irqs = ckvm__get32(p + 4);
	c->nr_vcpus = ckvm__get32(p + 8);
	c->dist = ckvm__get64(p + 16);
	c->cpu = ckvm__get64(p + 24);
	c->mpidr = p + VGIC_HDR;
	if (c->type != KVM_DEV_TYPE_ARM_VGIC_V2 && c->type != KVM_DEV_TYPE_ARM_VGIC_V3)
		return -EBADMSG;
	if (c->nr_irqs < 64 || c->nr_irqs > 1024 || c->nr_irqs % 32)
		return -EBADMSG;
	if (c->nr_vcpus == 0 || c->nr_vcpus > MAX_VCPUS ||
	    rec->len < VGIC_HDR + (uint64_t)c->nr_vcpus * 8)
		return -EBADMSG;
	if (ckvm__get32(p + 12) != 0)
		return -EBADMSG; /* reserved */
	return 0;
}

/* An ARM64_VGIC_ATTRS entry: a group valid for the vGIC type, with its size. */
static int vgic_entry_check(const void *cfg, uint32_t group, uint32_t size, uint64_t attr,
			    uint64_t value)
{
	const struct vgic_cfg *c = cfg;

	(void)attr;
	if (!vgic_group_ok(c->type, group, size) || (size == 4 && (value >> 32)))
		return -EBADMSG;
	return 0;
}

static bool vgic_absent(int err)
{
	/* absent in this kernel / this GIC */
	return err == -ENXIO || err == -ENOENT || err == -EINVAL;
}

static int vgic_get(struct ckvm_device *dev, uint32_t group, uint32_t size, uint64_t attr,
		    uint64_t *value)
{
	uint32_t v32 = 0;
	int r;

	if (size == 8)
		return ckvm_vgic_get_reg64(dev, group, attr, value);
	r = ckvm_vgic_get_reg32(dev, group, attr, &v32);
	*value = v32;
	return r;
}

static int vgic_set(struct ckvm_device *dev, uint32_t group, uint32_t size, uint64_t attr,
		    uint64_t value)
{
	if (size == 8)
		return ckvm_vgic_set_reg64(dev, group, attr, value);
	return ckvm_vgic_set_reg32(dev, group, attr, (uint32_t)value);
}

static const struct ckvm__snap_dev_ops vgic_ops = {
	.cfg_type = CKVM_SNAPSHOT_REC_ARM64_VGIC,
	.attrs_type = CKVM_SNAPSHOT_REC_ARM64_VGIC_ATTRS,
	.cfg_decode = vgic_cfg_decode,
	.entry_check = vgic_entry_check,
	.absent = vgic_absent,
	.get = vgic_get,
	.set = vgic_set,
};

struct vm_recs {
	struct ckvm__snap_dev_recs d;
	struct vgic_cfg c;
};

static int vm_decode(const void *blob, size_t len, struct vm_recs *v)
{
	memset(v, 0, sizeof(*v));
	return ckvm__snap_dev_decode(blob, len, &vgic_ops, &v->d, &v->c);
}

static uint64_t addr_or_unknown(struct ckvm_device *dev, uint64_t type)
{
	uint64_t a = 0;

	return ckvm_vgic_get_addr(dev, type, &a) == 0 ? a : UINT64_MAX;
}

int ckvm__snap_arch_save_vm(struct ckvm_snapshot_ctx *ctx, uint32_t flags,
			    struct ckvm_snapshot_writer *w)
{
	struct arm64_ctx *a = actx(ctx);
	struct ckvm__snap_attr_list l;
	uint32_t nr_irqs = 0, i;
	bool v3;
	uint8_t *p;
	int r;

	(void)flags;
	if (!a->vgic)
		return 0; /* no vGIC registered: memory regions only */
	v3 = a->vgic_type == KVM_DEV_TYPE_ARM_VGIC_V3;
	r = ckvm_vgic_get_nr_irqs(a->vgic, &nr_irqs);
	if (r < 0)
		return r;
	if (nr_irqs < 64 || nr_irqs > 1024 || nr_irqs % 32)
		return -EIO; /* not what the kernel should report */
	p = ckvm__snap_reserve(w, CKVM_SNAPSHOT_REC_ARM64_VGIC, 0, VGIC_HDR + 8 * (size_t)a->nr_vcpus);
	if (!p)
		return w->error;
	ckvm__put32(p, a->vgic_type);
	ckvm__put32(p + 4, nr_irqs);
	ckvm__put32(p + 8, a->nr_vcpus);
	ckvm__put64(p + 16, addr_or_unknown(a->vgic, v3 ? KVM_VGIC_V3_ADDR_TYPE_DIST
							 : KVM_VGIC_V2_ADDR_TYPE_DIST));
	ckvm__put64(p + 24, addr_or_unknown(a->vgic, v3 ? KVM_VGIC_V3_ADDR_TYPE_REDIST
							 : KVM_VGIC_V2_ADDR_TYPE_CPU));
	for (i = 0; i < a->nr_vcpus; i++)
		ckvm__put64(p + VGIC_HDR + 8 * i, a->mpidr[i]);

	memset(&l, 0, sizeof(l));
	if (v3)
		v3_candidates(&l, nr_irqs, a->mpidr, a->nr_vcpus);
	else
		v2_candidates(&l, nr_irqs, a->nr_vcpus);
	return ckvm__snap_dev_save_attrs(w, &vgic_ops, a->vgic, &l);
}

int ckvm__snap_arch_restore_vm(struct ckvm_snapshot_ctx *ctx, const void *blob, size_t len,
			       uint32_t flags)
{
	struct arm64_ctx *a = actx(ctx);
	struct vm_recs v;
	uint32_t nr_irqs = 0, i;
	bool v3;
	int r;

	(void)flags;
	r = vm_decode(blob, len, &v);
	if (r < 0)
		return r;
	if (!v.d.have_cfg)
		return 0;
	/* ---- the fit with the target ---- */
	if (!a->vgic || a->vgic_type != v.c.type || a->nr_vcpus != v.c.nr_vcpus)
		return -EOPNOTSUPP;
	for (i = 0; i < v.c.nr_vcpus; i++)
		if (ckvm__get64(v.c.mpidr + 8 * i) != a->mpidr[i])
			return -EOPNOTSUPP;
	r = ckvm_vgic_get_nr_irqs(a->vgic, &nr_irqs);
	if (r < 0)
		return r;
	if (nr_irqs != v.c.nr_irqs)
		return -EOPNOTSUPP;
	v3 = v.c.type == KVM_DEV_TYPE_ARM_VGIC_V3;
	if (v.c.dist != UINT64_MAX) {
		uint64_t cur = addr_or_unknown(a->vgic, v3 ? KVM_VGIC_V3_ADDR_TYPE_DIST
							   : KVM_VGIC_V2_ADDR_TYPE_DIST);

		if (cur != UINT64_MAX && cur != v.c.dist)
			return -EOPNOTSUPP;
	}
	if (v.c.cpu != UINT64_MAX) {
		uint64_t cur = addr_or_unknown(a->vgic, v3 ? KVM_VGIC_V3_ADDR_TYPE_REDIST
							   : KVM_VGIC_V2_ADDR_TYPE_CPU);

		if (cur != UINT64_MAX && cur != v.c.cpu)
			return -EOPNOTSUPP;
	}
	/* ---- apply, in the saved order ---- */
	return ckvm__snap_dev_restore_attrs(&vgic_ops, a->vgic, &v.d);
}

int ckvm__snap_arch_validate(const void *blob, size_t len, const struct ckvm_snapshot_info *info)
{
	if (info->kind == CKVM_SNAPSHOT_KIND_VCPU) {
		struct vcpu_recs v;

		return vcpu_decode(blob, len, &v);
	} else {
		struct vm_recs v;

		return vm_decode(blob, len, &v);
	}
}
