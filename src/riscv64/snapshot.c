/* SPDX-License-Identifier: MIT */
/*
 * riscv64/snapshot.c - the riscv64 record set of the snapshot format and
 * the arch hooks of snapshot_internal.h (docs/snapshot-format.md, 4.4).
 *
 * vCPU blob, in save order: MP_STATE, ONE_REGS (every id of
 * KVM_GET_REG_LIST, read with KVM_GET_ONE_REG).
 * vCPU restore order, and why:
 *   0. Validate every record, then the fit with the target: every saved
 *      register id is in the target's KVM_GET_REG_LIST (same ISA and SBI
 *      extensions available, same kernel ABI) and the timer frequency (the
 *      host's timebase, read-only) equals the target's. Nothing is written
 *      before.
 *   1. ONE_REGS in the saved (kernel list) order, except the timer
 *      frequency: config (ISA, block sizes, ids; only writable before the
 *      first run), core, CSRs, timer, FP, extension switches, vector, SBI
 *      state.
 *   2. MP state last (a stopped hart stays stopped).
 * VM blob: RISCV_AIA (mode, identities, sources, group/hart/guest bits,
 * APLIC and IMSIC addresses) and RISCV_AIA_ATTRS (registers) when the
 * context knows the AIA (ckvm_snapshot_ctx_set_aia), plus MEM_REGIONS.
 * VM restore: validate, check the target AIA has the same configuration
 * and addresses, then write the registers in the saved order: APLIC source
 * modes, targets, pending and enable bits, the domain configuration last;
 * per hart the IMSIC pending and enable bits, then threshold and delivery.
 */
#include "snapshot_internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_VCPUS KVM_DEV_RISCV_APLIC_MAX_HARTS
#define ATTR_ENTRY 24u     /* u32 group, u32 size, u64 attr, u64 value */
#define MAX_ATTRS 262144u
#define AIA_HDR 40u
#define NR_CONFIG 7u       /* KVM_DEV_RISCV_AIA_CONFIG_MODE .. _GUEST_BITS */

struct riscv_ctx {
	struct ckvm_device *aia; /* registered with ckvm_snapshot_ctx_set_aia */
	uint32_t nr_vcpus;
};

static struct riscv_ctx *rctx(struct ckvm_snapshot_ctx *ctx)
{
	return ctx->arch;
}

int ckvm__snap_arch_ctx_init(struct ckvm_snapshot_ctx *ctx, struct ckvm *kvm)
{
	struct riscv_ctx *r = calloc(1, sizeof(*r));

	(void)kvm;
	if (!r)
		return -ENOMEM;
	ctx->arch = r;
	return 0;
}

void ckvm__snap_arch_ctx_fini(struct ckvm_snapshot_ctx *ctx)
{
	free(ctx->arch);
	ctx->arch = NULL;
}

int ckvm_snapshot_ctx_set_aia(struct ckvm_snapshot_ctx *ctx, struct ckvm_device *aia,
			      size_t nr_vcpus)
{
	struct riscv_ctx *r;

	if (!ctx || !ctx->arch || !aia || nr_vcpus == 0 || nr_vcpus > MAX_VCPUS ||
	    ckvm_device_type(aia) != KVM_DEV_TYPE_RISCV_AIA)
		return -EINVAL;
	r = rctx(ctx);
	r->aia = aia;
	r->nr_vcpus = (uint32_t)nr_vcpus;
	return 0;
}

/* ======================= vCPU ============================================ */
static bool mp_state_ok(uint32_t s)
{
	return s == KVM_MP_STATE_RUNNABLE || s == KVM_MP_STATE_STOPPED;
}

struct vcpu_recs {
	struct ckvm_snapshot_record one_regs;
	bool have_one_regs, have_mp;
	struct kvm_mp_state mp_state;
};

static int vcpu_decode(const void *blob, size_t len, struct vcpu_recs *v)
{
	struct ckvm_snapshot_record rec;
	size_t cursor = 0;
	int64_t n;
	int r;

	memset(v, 0, sizeof(*v));
	while ((r = ckvm_snapshot_next(blob, len, &cursor, &rec)) > 0) {
		switch (rec.type) {
		case CKVM_SNAPSHOT_REC_ONE_REGS:
			if (v->have_one_regs)
				return -EBADMSG;
			n = ckvm__snap_one_regs_check(&rec);
			if (n < 0)
				return (int)n;
			v->one_regs = rec;
			v->have_one_regs = true;
			break;
		case CKVM_SNAPSHOT_REC_MP_STATE:
			if (v->have_mp)
				return -EBADMSG;
			ckvm_snapshot_record_copy(&rec, &v->mp_state, sizeof(v->mp_state));
			if (!mp_state_ok(v->mp_state.mp_state))
				return -EBADMSG;
			v->have_mp = true;
			break;
		default:
			r = ckvm__snap_skip_unknown(&rec);
			if (r < 0)
				return r;
		}
	}
	return r;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct fit {
	const struct kvm_reg_list *list; /* the target's ids, sorted */
	struct ckvm_vcpu *vcpu;
};

/*
 * The timer frequency is the host's timebase: kernels before 6.6 refuse any
 * write of it (-EOPNOTSUPP), later ones all but the same value. It is
 * compared with the target's in the fit phase and never written.
 */
static bool read_only(uint64_t id)
{
	return id == ckvm_riscv_timer_reg(CKVM_RISCV_TIMER_FREQUENCY);
}

/* Every saved id must be one the target lists; read-only ones must match. */
static int fits(void *opaque, uint64_t id, const void *val, size_t size)
{
	const struct fit *f = opaque;
	uint64_t cur = 0;
	int r;

	if (!bsearch(&id, f->list->reg, f->list->n, sizeof(f->list->reg[0]), cmp_u64))
		return -EOPNOTSUPP;
	if (!read_only(id))
		return 0;
	if (size != sizeof(cur))
		return -EBADMSG;
	r = ckvm_vcpu_get_one_reg(f->vcpu, id, &cur, sizeof(cur));
	if (r < 0)
		return r;
	return memcmp(&cur, val, sizeof(cur)) == 0 ? 0 : -EOPNOTSUPP;
}

static int apply(void *opaque, uint64_t id, const void *val, size_t size)
{
	int r;

	if (read_only(id))
		return 0;
	r = ckvm_vcpu_set_one_reg(opaque, id, val, size);
	return r < 0 ? r : 0;
}

int ckvm__snap_arch_save_vcpu(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
			      uint32_t flags, struct ckvm_snapshot_writer *w)
{
	struct kvm_reg_list *list = NULL;
	struct kvm_mp_state mp;
	uint64_t *ids = NULL, i;
	int r;

	(void)ctx;
	if (!(flags & CKVM_SNAPSHOT_SAVE_NO_COMPLETE_IO)) {
		r = ckvm_vcpu_complete_io(vcpu);
		if (r < 0)
			return r;
	}
	r = ckvm_vcpu_get_mp_state(vcpu, &mp);
	if (r < 0)
		return r;
	r = ckvm_vcpu_get_reg_list(vcpu, &list);
	if (r < 0)
		goto out;
	ids = calloc(list->n ? list->n : 1, sizeof(*ids));
	if (!ids) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < list->n; i++)
		ids[i] = list->reg[i];
	r = ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_MP_STATE, 0, &mp, sizeof(mp));
	if (r == 0)
		r = ckvm__snap_one_regs_save(vcpu, ids, (size_t)list->n, w);
out:
	free(ids);
	ckvm_reg_list_free(list);
	return r < 0 ? r : 0;
}

int ckvm__snap_arch_restore_vcpu(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
				 const void *blob, size_t len, uint32_t flags)
{
	struct kvm_reg_list *list = NULL;
	struct vcpu_recs v;
	int r;

	(void)ctx;
	(void)flags;
	r = vcpu_decode(blob, len, &v);
	if (r < 0)
		return r;
	r = ckvm_vcpu_get_reg_list(vcpu, &list);
	if (r < 0)
		goto out;
	qsort(list->reg, list->n, sizeof(list->reg[0]), cmp_u64);
	if (v.have_one_regs) {
		struct fit f = { list, vcpu };

		r = ckvm__snap_one_regs_each(&v.one_regs, fits, &f);
		if (r < 0)
			goto out;
		r = ckvm__snap_one_regs_each(&v.one_regs, apply, vcpu);
		if (r < 0)
			goto out;
	}
	if (v.have_mp)
		r = ckvm_vcpu_set_mp_state(vcpu, &v.mp_state);
out:
	ckvm_reg_list_free(list);
	return r < 0 ? r : 0;
}

/* ======================= VM: the AIA ====================================== */
struct attr_list {
	uint32_t *group;
	uint32_t *size;
	uint64_t *attr;
	size_t n, cap;
	int error;
};

static void al_add(struct attr_list *l, uint32_t group, uint64_t attr, uint32_t size)
{
	if (l->error)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		uint32_t *g = realloc(l->group, cap * sizeof(*g));
		uint32_t *s = g ? realloc(l->size, cap * sizeof(*s)) : NULL;
		uint64_t *a = s ? realloc(l->attr, cap * sizeof(*a)) : NULL;

		if (g)
			l->group = g;
		if (s)
			l->size = s;
		if (a)
			l->attr = a;
		if (!a || cap > MAX_ATTRS) {
			l->error = -ENOMEM;
			return;
		}
		l->cap = cap;
	}
	l->group[l->n] = group;
	l->size[l->n] = size;
	l->attr[l->n] = attr;
	l->n++;
}

static void al_free(struct attr_list *l)
{
	free(l->group);
	free(l->size);
	free(l->attr);
	memset(l, 0, sizeof(*l));
}

#define APLIC KVM_DEV_RISCV_AIA_GRP_APLIC
#define IMSIC KVM_DEV_RISCV_AIA_GRP_IMSIC

/* Every APLIC and IMSIC register an AIA with these sizes may have, in restore order. */
static void aia_candidates(struct attr_list *l, uint32_t srcs, uint32_t nr_vcpus)
{
	uint32_t i, k, words = srcs / 32 + 1, v;

	for (i = 1; i <= srcs; i++)
		al_add(l, APLIC, 0x0004 + 4 * (i - 1), 4); /* sourcecfg[i] */
	for (i = 1; i <= srcs; i++)
		al_add(l, APLIC, 0x3004 + 4 * (i - 1), 4); /* target[i] */
	for (k = 0; k < words; k++)
		al_add(l, APLIC, 0x1c00 + 4 * k, 4); /* setip[k] */
	for (k = 0; k < words; k++)
		al_add(l, APLIC, 0x1e00 + 4 * k, 4); /* setie[k] */
	al_add(l, APLIC, 0x0000, 4); /* domaincfg */
	for (v = 0; v < nr_vcpus; v++) {
		for (k = 0x80; k < 0xc0; k += 2) /* eip0, eip2, ... (64-bit on rv64) */
			al_add(l, IMSIC, ckvm_aia_imsic_attr(v, k), 8);
		for (k = 0xc0; k < 0x100; k += 2) /* eie */
			al_add(l, IMSIC, ckvm_aia_imsic_attr(v, k), 8);
		al_add(l, IMSIC, ckvm_aia_imsic_attr(v, 0x72), 8); /* eithreshold */
		al_add(l, IMSIC, ckvm_aia_imsic_attr(v, 0x70), 8); /* eidelivery */
	}
}

static int64_t attrs_check(const struct ckvm_snapshot_record *rec)
{
	const uint8_t *p = rec->data;
	uint64_t n, i;

	if (rec->len < 8)
		return -EBADMSG;
	n = ckvm__get64(p);
	if (n > MAX_ATTRS || rec->len != 8 + n * ATTR_ENTRY)
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		const uint8_t *e = p + 8 + i * ATTR_ENTRY;
		uint32_t group = ckvm__get32(e), size = ckvm__get32(e + 4);
		uint64_t attr = ckvm__get64(e + 8), value = ckvm__get64(e + 16);

		if (group == APLIC) {
			if (size != 4 || (value >> 32) || (attr & 3) || attr >= KVM_DEV_RISCV_APLIC_SIZE)
				return -EBADMSG;
		} else if (group == IMSIC) {
			if (size != 8 || (attr >> KVM_DEV_RISCV_AIA_IMSIC_ISEL_BITS) >= MAX_VCPUS)
				return -EBADMSG;
		} else {
			return -EBADMSG;
		}
	}
	return (int64_t)n;
}

struct aia_cfg {
	uint32_t config[NR_CONFIG]; /* mode, ids, srcs, group_bits, group_shift, hart_bits, guest_bits */
	uint32_t nr_vcpus;
	uint64_t aplic;
	const uint8_t *imsic;       /* nr_vcpus little-endian u64 */
};

static int aia_cfg_decode(const struct ckvm_snapshot_record *rec, struct aia_cfg *c)
{
	const uint8_t *p = rec->data;
	unsigned i;

	if (rec->len < AIA_HDR)
		return -EBADMSG;
	for (i = 0; i < NR_CONFIG; i++)
		c->config[i] = ckvm__get32(p + 4 * i);
	c->nr_vcpus = ckvm__get32(p + 28);
	c->aplic = ckvm__get64(p + 32);
	c->imsic = p + AIA_HDR;
	if (c->config[KVM_DEV_RISCV_AIA_CONFIG_MODE] > KVM_DEV_RISCV_AIA_MODE_AUTO ||
	    c->config[KVM_DEV_RISCV_AIA_CONFIG_IDS] >= KVM_DEV_RISCV_AIA_IDS_MAX ||
	    c->config[KVM_DEV_RISCV_AIA_CONFIG_SRCS] >= KVM_DEV_RISCV_AIA_SRCS_MAX ||
	    c->config[KVM_DEV_RISCV_AIA_CONFIG_GROUP_BITS] > KVM_DEV_RISCV_AIA_GROUP_BITS_MAX ||
	    c->config[KVM_DEV_RISCV_AIA_CONFIG_GROUP_SHIFT] > KVM_DEV_RISCV_AIA_GROUP_SHIFT_MAX ||
	    c->config[KVM_DEV_RISCV_AIA_CONFIG_HART_BITS] > KVM_DEV_RISCV_AIA_HART_BITS_MAX ||
	    c->config[KVM_DEV_RISCV_AIA_CONFIG_GUEST_BITS] > KVM_DEV_RISCV_AIA_GUEST_BITS_MAX)
		return -EBADMSG;
	if (c->nr_vcpus == 0 || c->nr_vcpus > MAX_VCPUS ||
	    rec->len < AIA_HDR + (uint64_t)c->nr_vcpus * 8)
		return -EBADMSG;
	return 0;
}

struct vm_recs {
	struct ckvm_snapshot_record attrs;
	bool have_cfg, have_attrs;
	struct aia_cfg c;
};

static int vm_decode(const void *blob, size_t len, struct vm_recs *v)
{
	struct ckvm_snapshot_record rec;
	size_t cursor = 0;
	int r;

	memset(v, 0, sizeof(*v));
	while ((r = ckvm_snapshot_next(blob, len, &cursor, &rec)) > 0) {
		switch (rec.type) {
		case CKVM_SNAPSHOT_REC_RISCV_AIA:
			if (v->have_cfg)
				return -EBADMSG;
			r = aia_cfg_decode(&rec, &v->c);
			if (r < 0)
				return r;
			v->have_cfg = true;
			break;
		case CKVM_SNAPSHOT_REC_RISCV_AIA_ATTRS:
			if (v->have_attrs)
				return -EBADMSG;
			v->attrs = rec;
			v->have_attrs = true;
			break;
		default:
			r = ckvm__snap_skip_unknown(&rec);
			if (r < 0)
				return r;
		}
	}
	if (r < 0)
		return r;
	if (v->have_attrs && !v->have_cfg)
		return -EBADMSG;
	if (v->have_attrs) {
		int64_t n = attrs_check(&v->attrs);

		if (n < 0)
			return (int)n;
	}
	return 0;
}

static uint64_t addr_or_unknown(struct ckvm_device *aia, uint64_t attr)
{
	uint64_t a = 0;

	return ckvm_aia_get_addr(aia, attr, &a) == 0 ? a : UINT64_MAX;
}

int ckvm__snap_arch_save_vm(struct ckvm_snapshot_ctx *ctx, uint32_t flags,
			    struct ckvm_snapshot_writer *w)
{
	struct riscv_ctx *rc = rctx(ctx);
	uint32_t config[NR_CONFIG], v;
	struct attr_list l;
	size_t k, kept = 0;
	uint8_t *p;
	unsigned i;
	int r;

	(void)flags;
	if (!rc->aia)
		return 0;
	for (i = 0; i < NR_CONFIG; i++) {
		r = ckvm_aia_get_config(rc->aia, i, &config[i]);
		if (r < 0)
			return r;
	}
	if (config[KVM_DEV_RISCV_AIA_CONFIG_SRCS] >= KVM_DEV_RISCV_AIA_SRCS_MAX)
		return -EIO;
	p = ckvm__snap_reserve(w, CKVM_SNAPSHOT_REC_RISCV_AIA, 0, AIA_HDR + 8 * (size_t)rc->nr_vcpus);
	if (!p)
		return w->error;
	for (i = 0; i < NR_CONFIG; i++)
		ckvm__put32(p + 4 * i, config[i]);
	ckvm__put32(p + 28, rc->nr_vcpus);
	ckvm__put64(p + 32, addr_or_unknown(rc->aia, KVM_DEV_RISCV_AIA_ADDR_APLIC));
	for (v = 0; v < rc->nr_vcpus; v++)
		ckvm__put64(p + AIA_HDR + 8 * v,
			    addr_or_unknown(rc->aia, KVM_DEV_RISCV_AIA_ADDR_IMSIC((uint64_t)v)));

	memset(&l, 0, sizeof(l));
	aia_candidates(&l, config[KVM_DEV_RISCV_AIA_CONFIG_SRCS], rc->nr_vcpus);
	if (l.error) {
		r = l.error;
		al_free(&l);
		return r;
	}
	for (k = 0; k < l.n; k++) {
		struct kvm_device_attr attr;

		memset(&attr, 0, sizeof(attr));
		attr.group = l.group[k];
		attr.attr = l.attr[k];
		r = ckvm_device_has_attr(rc->aia, &attr);
		if (r == -ENXIO || r == -ENODEV || r == -ENOENT || r == -EINVAL)
			continue; /* not implemented by this kernel / this configuration */
		if (r < 0)
			goto out;
		l.group[kept] = l.group[k];
		l.size[kept] = l.size[k];
		l.attr[kept] = l.attr[k];
		kept++;
	}
	p = ckvm__snap_reserve(w, CKVM_SNAPSHOT_REC_RISCV_AIA_ATTRS, 0, 8 + kept * ATTR_ENTRY);
	if (!p) {
		r = w->error;
		goto out;
	}
	ckvm__put64(p, kept);
	for (k = 0; k < kept; k++) {
		uint8_t *e = p + 8 + k * ATTR_ENTRY;
		uint64_t v64 = 0;
		uint32_t v32 = 0;

		if (l.group[k] == APLIC) {
			r = ckvm_aia_get_aplic_reg(rc->aia, (uint32_t)l.attr[k], &v32);
			v64 = v32;
		} else {
			r = ckvm_aia_get_imsic_reg(rc->aia,
				(uint32_t)(l.attr[k] >> KVM_DEV_RISCV_AIA_IMSIC_ISEL_BITS),
				(uint32_t)(l.attr[k] & KVM_DEV_RISCV_AIA_IMSIC_ISEL_MASK), &v64);
		}
		if (r < 0) {
			w->error = r;
			goto out;
		}
		ckvm__put32(e, l.group[k]);
		ckvm__put32(e + 4, l.size[k]);
		ckvm__put64(e + 8, l.attr[k]);
		ckvm__put64(e + 16, v64);
	}
	r = 0;
out:
	al_free(&l);
	return r;
}

int ckvm__snap_arch_restore_vm(struct ckvm_snapshot_ctx *ctx, const void *blob, size_t len,
			       uint32_t flags)
{
	struct riscv_ctx *rc = rctx(ctx);
	struct vm_recs v;
	uint64_t n, k;
	unsigned i;
	int r;

	(void)flags;
	r = vm_decode(blob, len, &v);
	if (r < 0)
		return r;
	if (!v.have_cfg)
		return 0;
	/* ---- the fit with the target ---- */
	if (!rc->aia || rc->nr_vcpus != v.c.nr_vcpus)
		return -EOPNOTSUPP;
	for (i = 0; i < NR_CONFIG; i++) {
		uint32_t cur = 0;

		r = ckvm_aia_get_config(rc->aia, i, &cur);
		if (r < 0)
			return r;
		if (cur != v.c.config[i])
			return -EOPNOTSUPP;
	}
	if (v.c.aplic != UINT64_MAX &&
	    addr_or_unknown(rc->aia, KVM_DEV_RISCV_AIA_ADDR_APLIC) != v.c.aplic)
		return -EOPNOTSUPP;
	for (i = 0; i < v.c.nr_vcpus; i++) {
		uint64_t want = ckvm__get64(v.c.imsic + 8 * i);

		if (want != UINT64_MAX &&
		    addr_or_unknown(rc->aia, KVM_DEV_RISCV_AIA_ADDR_IMSIC((uint64_t)i)) != want)
			return -EOPNOTSUPP;
	}
	if (!v.have_attrs)
		return 0;
	/* ---- apply, in the saved order ---- */
	n = ckvm__get64(v.attrs.data);
	for (k = 0; k < n; k++) {
		const uint8_t *e = (const uint8_t *)v.attrs.data + 8 + k * ATTR_ENTRY;
		uint32_t group = ckvm__get32(e);
		uint64_t attr = ckvm__get64(e + 8), value = ckvm__get64(e + 16);

		if (group == APLIC)
			r = ckvm_aia_set_aplic_reg(rc->aia, (uint32_t)attr, (uint32_t)value);
		else
			r = ckvm_aia_set_imsic_reg(rc->aia,
				(uint32_t)(attr >> KVM_DEV_RISCV_AIA_IMSIC_ISEL_BITS),
				(uint32_t)(attr & KVM_DEV_RISCV_AIA_IMSIC_ISEL_MASK), value);
		if (r < 0)
			return r;
	}
	return 0;
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
