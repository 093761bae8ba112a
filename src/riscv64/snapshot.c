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
 * The generic ONE_REG and attribute-list steps are src/snapshot_onereg.c;
 * this file keeps the riscv64 parts: the read-only timer frequency, the
 * AIA configuration record, its register list and accessors.
 */
#include "snapshot_internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_VCPUS KVM_DEV_RISCV_APLIC_MAX_HARTS
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

/*
 * The timer frequency is the host's timebase: kernels before 6.6 refuse any
 * write of it (-EOPNOTSUPP), later ones all but the same value. It is
 * compared with the target's in the fit phase and never written.
 */
static bool read_only(uint64_t id)
{
	return id == ckvm_riscv_timer_reg(CKVM_RISCV_TIMER_FREQUENCY);
}

static const struct ckvm__snap_onereg_ops vcpu_ops = {
	.mp_state_ok = mp_state_ok,
	.read_only = read_only,
};

static int vcpu_decode(const void *blob, size_t len, struct ckvm__snap_onereg_vcpu *v)
{
	return ckvm__snap_onereg_decode(blob, len, &vcpu_ops, v, NULL);
}

int ckvm__snap_arch_save_vcpu(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
			      uint32_t flags, struct ckvm_snapshot_writer *w)
{
	(void)ctx;
	return ckvm__snap_onereg_save(vcpu, flags, NULL, NULL, w);
}

int ckvm__snap_arch_restore_vcpu(struct ckvm_snapshot_ctx *ctx, struct ckvm_vcpu *vcpu,
				 const void *blob, size_t len, uint32_t flags)
{
	struct kvm_reg_list *list = NULL;
	struct ckvm__snap_onereg_vcpu v;
	int r;

	(void)ctx;
	(void)flags;
	r = vcpu_decode(blob, len, &v);
	if (r < 0)
		return r;
	/* the fit with the target, then ONE_REGS, then the MP state last */
	r = ckvm__snap_onereg_fit(vcpu, &vcpu_ops, &v, &list);
	if (r == 0)
		r = ckvm__snap_onereg_apply(vcpu, &vcpu_ops, &v);
	if (r == 0 && v.have_mp)
		r = ckvm_vcpu_set_mp_state(vcpu, &v.mp_state);
	ckvm_reg_list_free(list);
	return r < 0 ? r : 0;
}

/* ======================= VM: the AIA ====================================== */
#define al_add ckvm__snap_attr_list_add
#define APLIC KVM_DEV_RISCV_AIA_GRP_APLIC
#define IMSIC KVM_DEV_RISCV_AIA_GRP_IMSIC

/* Every APLIC and IMSIC register an AIA with these sizes may have, in restore order. */
static void aia_candidates(struct ckvm__snap_attr_list *l, uint32_t srcs, uint32_t nr_vcpus)
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

/* An RISCV_AIA_ATTRS entry: an aligned APLIC offset or an IMSIC register of a possible hart. */
static int aia_entry_check(const void *cfg, uint32_t group, uint32_t size, uint64_t attr,
			   uint64_t value)
{
	(void)cfg;
	if (group == APLIC) {
		if (size != 4 || (value >> 32) || (attr & 3) || attr >= KVM_DEV_RISCV_APLIC_SIZE)
			return -EBADMSG;
	} else if (group == IMSIC) {
		if (size != 8 || (attr >> KVM_DEV_RISCV_AIA_IMSIC_ISEL_BITS) >= MAX_VCPUS)
			return -EBADMSG;
	} else {
		return -EBADMSG;
	}
	return 0;
}

struct aia_cfg {
	uint32_t config[NR_CONFIG]; /* mode, ids, srcs, group_bits, group_shift, hart_bits, guest_bits */
	uint32_t nr_vcpus;
	uint64_t aplic;
	const uint8_t *imsic;       /* nr_vcpus little-endian u64 */
};

static int aia_cfg_decode(const struct ckvm_snapshot_record *rec, void *cfg)
{
	const uint8_t *p = rec->data;
	struct aia_cfg *c = cfg;
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

static bool aia_absent(int err)
{
	/* absent in this kernel / this configuration */
	return err == -ENXIO || err == -ENODEV || err == -ENOENT || err == -EINVAL;
}

static int aia_get(struct ckvm_device *dev, uint32_t group, uint32_t size, uint64_t attr,
		   uint64_t *value)
{
	uint32_t v32 = 0;
	int r;

	(void)size;
	if (group == APLIC) {
		r = ckvm_aia_get_aplic_reg(dev, (uint32_t)attr, &v32);
		*value = v32;
		return r;
	}
	return ckvm_aia_get_imsic_reg(dev, (uint32_t)(attr >> KVM_DEV_RISCV_AIA_IMSIC_ISEL_BITS),
				      (uint32_t)(attr & KVM_DEV_RISCV_AIA_IMSIC_ISEL_MASK), value);
}

static int aia_set(struct ckvm_device *dev, uint32_t group, uint32_t size, uint64_t attr,
		   uint64_t value)
{
	(void)size;
	if (group == APLIC)
		return ckvm_aia_set_aplic_reg(dev, (uint32_t)attr, (uint32_t)value);
	return ckvm_aia_set_imsic_reg(dev, (uint32_t)(attr >> KVM_DEV_RISCV_AIA_IMSIC_ISEL_BITS),
				      (uint32_t)(attr & KVM_DEV_RISCV_AIA_IMSIC_ISEL_MASK), value);
}

static const struct ckvm__snap_dev_ops aia_ops = {
	.cfg_type = CKVM_SNAPSHOT_REC_RISCV_AIA,
	.attrs_type = CKVM_SNAPSHOT_REC_RISCV_AIA_ATTRS,
	.cfg_decode = aia_cfg_decode,
	.entry_check = aia_entry_check,
	.absent = aia_absent,
	.get = aia_get,
	.set = aia_set,
};

struct vm_recs {
	struct ckvm__snap_dev_recs d;
	struct aia_cfg c;
};

static int vm_decode(const void *blob, size_t len, struct vm_recs *v)
{
	memset(v, 0, sizeof(*v));
	return ckvm__snap_dev_decode(blob, len, &aia_ops, &v->d, &v->c);
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
	struct ckvm__snap_attr_list l;
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
	return ckvm__snap_dev_save_attrs(w, &aia_ops, rc->aia, &l);
}

int ckvm__snap_arch_restore_vm(struct ckvm_snapshot_ctx *ctx, const void *blob, size_t len,
			       uint32_t flags)
{
	struct riscv_ctx *rc = rctx(ctx);
	struct vm_recs v;
	unsigned i;
	int r;

	(void)flags;
	r = vm_decode(blob, len, &v);
	if (r < 0)
		return r;
	if (!v.d.have_cfg)
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
	/* ---- apply, in the saved order ---- */
	return ckvm__snap_dev_restore_attrs(&aia_ops, rc->aia, &v.d);
}

int ckvm__snap_arch_validate(const void *blob, size_t len, const struct ckvm_snapshot_info *info)
{
	if (info->kind == CKVM_SNAPSHOT_KIND_VCPU) {
		struct ckvm__snap_onereg_vcpu v;

		return vcpu_decode(blob, len, &v);
	} else {
		struct vm_recs v;

		return vm_decode(blob, len, &v);
	}
}
