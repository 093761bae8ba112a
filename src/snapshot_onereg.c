/* SPDX-License-Identifier: MIT */
/*
 * snapshot_onereg.c - the ONE_REG-state part of the snapshot record sets
 * that arm64 and riscv64 share (c-anchors 8.8, docs/snapshot-format.md
 * 4.4): a vCPU is KVM_GET_REG_LIST plus KVM_GET_ONE_REG for each id plus
 * the MP state; the irqchip is a configuration record plus a list of device
 * attributes. src/arm64/snapshot.c and src/riscv64/snapshot.c call these
 * steps in their documented restore order and supply what differs through
 * struct ckvm__snap_onereg_ops and struct ckvm__snap_dev_ops
 * (snapshot_internal.h). Nothing here is specific to an architecture.
 */
#include "snapshot_internal.h"

#include <stdlib.h>
#include <string.h>

/* ======================= vCPU: MP_STATE + ONE_REGS ======================= */
int ckvm__snap_onereg_save(struct ckvm_vcpu *vcpu, uint32_t flags,
			   int (*filter)(void *opaque, uint64_t id), void *opaque,
			   struct ckvm_snapshot_writer *w)
{
	struct kvm_reg_list *list = NULL;
	struct kvm_mp_state mp;
	uint64_t *ids = NULL;
	uint64_t i, n = 0;
	int r;

	if (!(flags & CKVM_SNAPSHOT_SAVE_NO_COMPLETE_IO)) {
		r = ckvm_vcpu_complete_io(vcpu);
		if (r > 0)
			return -EAGAIN; /* finishing it made a new exit: the VMM handles it first */
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
	for (i = 0; i < list->n; i++) {
		r = filter ? filter(opaque, list->reg[i]) : 1;
		if (r < 0)
			goto out;
		if (r)
			ids[n++] = list->reg[i];
	}
	r = ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_MP_STATE, 0, &mp, sizeof(mp));
	if (r == 0)
		r = ckvm__snap_one_regs_save(vcpu, ids, (size_t)n, w);
out:
	free(ids);
	ckvm_reg_list_free(list);
	return r < 0 ? r : 0;
}

/* MP_STATE or ONE_REGS into v: 1 taken, 0 another type, -EBADMSG. */
static int take_common(const struct ckvm_snapshot_record *rec,
		       const struct ckvm__snap_onereg_ops *ops, struct ckvm__snap_onereg_vcpu *v)
{
	int64_t n;
	int r;

	switch (rec->type) {
	case CKVM_SNAPSHOT_REC_ONE_REGS:
		if (v->have_one_regs)
			return -EBADMSG;
		n = ckvm__snap_one_regs_check(rec);
		if (n < 0)
			return (int)n;
		if (ops->id_check) {
			r = ckvm__snap_one_regs_each(rec, ops->id_check, NULL);
			if (r < 0)
				return r;
		}
		v->one_regs = *rec;
		v->have_one_regs = true;
		return 1;
	case CKVM_SNAPSHOT_REC_MP_STATE:
		if (v->have_mp)
			return -EBADMSG;
		ckvm_snapshot_record_copy(rec, &v->mp_state, sizeof(v->mp_state));
		if (!ops->mp_state_ok(v->mp_state.mp_state))
			return -EBADMSG;
		v->have_mp = true;
		return 1;
	default:
		return 0;
	}
}

int ckvm__snap_onereg_decode(const void *blob, size_t len, const struct ckvm__snap_onereg_ops *ops,
			     struct ckvm__snap_onereg_vcpu *v, void *arch)
{
	struct ckvm_snapshot_record rec;
	size_t cursor = 0;
	int r;

	memset(v, 0, sizeof(*v));
	while ((r = ckvm_snapshot_next(blob, len, &cursor, &rec)) > 0) {
		r = take_common(&rec, ops, v);
		if (r == 0 && ops->record)
			r = ops->record(arch, &rec);
		if (r == 0)
			r = ckvm__snap_skip_unknown(&rec);
		if (r < 0)
			return r;
	}
	return r;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

bool ckvm__snap_onereg_listed(const struct kvm_reg_list *list, uint64_t id)
{
	return bsearch(&id, list->reg, list->n, sizeof(list->reg[0]), cmp_u64) != NULL;
}

struct fit {
	const struct ckvm__snap_onereg_ops *ops;
	const struct kvm_reg_list *list; /* the target's ids, sorted */
	struct ckvm_vcpu *vcpu;
};

/* Every saved id must be one the target lists; read-only ones must match. */
static int fits(void *opaque, uint64_t id, const void *val, size_t size)
{
	const struct fit *f = opaque;
	uint8_t cur[CKVM__SNAP_MAX_ONE_REG];
	int r;

	if (!ckvm__snap_onereg_listed(f->list, id))
		return -EOPNOTSUPP;
	if (!f->ops->read_only || !f->ops->read_only(id))
		return 0;
	if (size > sizeof(cur))
		return -EBADMSG;
	memset(cur, 0, sizeof(cur));
	r = ckvm_vcpu_get_one_reg(f->vcpu, id, cur, size);
	if (r < 0)
		return r;
	return memcmp(cur, val, size) == 0 ? 0 : -EOPNOTSUPP;
}

int ckvm__snap_onereg_fit(struct ckvm_vcpu *vcpu, const struct ckvm__snap_onereg_ops *ops,
			  const struct ckvm__snap_onereg_vcpu *v, struct kvm_reg_list **list)
{
	struct fit f;
	int r;

	*list = NULL;
	r = ckvm_vcpu_get_reg_list(vcpu, list);
	if (r < 0)
		return r;
	qsort((*list)->reg, (*list)->n, sizeof((*list)->reg[0]), cmp_u64);
	if (!v->have_one_regs)
		return 0;
	f.ops = ops;
	f.list = *list;
	f.vcpu = vcpu;
	return ckvm__snap_one_regs_each(&v->one_regs, fits, &f);
}

struct apply {
	const struct ckvm__snap_onereg_ops *ops;
	struct ckvm_vcpu *vcpu;
};

static int apply_one(void *opaque, uint64_t id, const void *val, size_t size)
{
	const struct apply *a = opaque;
	int r;

	if (a->ops->read_only && a->ops->read_only(id))
		return 0;
	r = ckvm_vcpu_set_one_reg(a->vcpu, id, val, size);
	return r < 0 ? r : 0;
}

int ckvm__snap_onereg_apply(struct ckvm_vcpu *vcpu, const struct ckvm__snap_onereg_ops *ops,
			    const struct ckvm__snap_onereg_vcpu *v)
{
	struct apply a = { ops, vcpu };

	if (!v->have_one_regs)
		return 0;
	return ckvm__snap_one_regs_each(&v->one_regs, apply_one, &a);
}

/* ======================= VM: the irqchip's attribute list ================= */
void ckvm__snap_attr_list_add(struct ckvm__snap_attr_list *l, uint32_t group, uint64_t attr,
			      uint32_t size)
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
		if (!a || cap > CKVM__SNAP_MAX_ATTRS) {
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

void ckvm__snap_attr_list_free(struct ckvm__snap_attr_list *l)
{
	free(l->group);
	free(l->size);
	free(l->attr);
	memset(l, 0, sizeof(*l));
}

/*
 * Visit each entry of an attribute-list payload, checking the layout first:
 * the number of entries, -EBADMSG, or fn's first negative answer.
 */
static int64_t attrs_each(const struct ckvm_snapshot_record *rec,
			  int (*fn)(void *opaque, uint32_t group, uint32_t size, uint64_t attr,
				    uint64_t value),
			  void *opaque)
{
	const uint8_t *p = rec->data;
	uint64_t n, i;

	if (rec->len < 8)
		return -EBADMSG;
	n = ckvm__get64(p);
	if (n > CKVM__SNAP_MAX_ATTRS || rec->len != 8 + n * CKVM__SNAP_ATTR_ENTRY)
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		const uint8_t *e = p + 8 + i * CKVM__SNAP_ATTR_ENTRY;
		int r = fn(opaque, ckvm__get32(e), ckvm__get32(e + 4), ckvm__get64(e + 8),
			   ckvm__get64(e + 16));

		if (r < 0)
			return r;
	}
	return (int64_t)n;
}

struct check {
	const struct ckvm__snap_dev_ops *ops;
	const void *cfg;
};

static int check_entry(void *opaque, uint32_t group, uint32_t size, uint64_t attr, uint64_t value)
{
	const struct check *c = opaque;

	return c->ops->entry_check(c->cfg, group, size, attr, value);
}

int ckvm__snap_dev_decode(const void *blob, size_t len, const struct ckvm__snap_dev_ops *ops,
			  struct ckvm__snap_dev_recs *v, void *cfg)
{
	struct ckvm_snapshot_record rec;
	size_t cursor = 0;
	int r;

	memset(v, 0, sizeof(*v));
	while ((r = ckvm_snapshot_next(blob, len, &cursor, &rec)) > 0) {
		if (rec.type == ops->cfg_type) {
			if (v->have_cfg)
				return -EBADMSG;
			r = ops->cfg_decode(&rec, cfg);
			if (r < 0)
				return r;
			v->have_cfg = true;
		} else if (rec.type == ops->attrs_type) {
			if (v->have_attrs)
				return -EBADMSG;
			v->attrs = rec;
			v->have_attrs = true;
		} else {
			r = ckvm__snap_skip_unknown(&rec);
			if (r < 0)
				return r;
		}
	}
	if (r < 0)
		return r;
	/* the registers only make sense with the configuration they belong to */
	if (v->have_attrs && !v->have_cfg)
		return -EBADMSG;
	if (v->have_attrs) {
		struct check c = { ops, cfg };
		int64_t n = attrs_each(&v->attrs, check_entry, &c);

		if (n < 0)
			return (int)n;
	}
	return 0;
}

int ckvm__snap_dev_save_attrs(struct ckvm_snapshot_writer *w, const struct ckvm__snap_dev_ops *ops,
			      struct ckvm_device *dev, struct ckvm__snap_attr_list *l)
{
	size_t k, kept = 0;
	uint8_t *p;
	int r;

	if (l->error) {
		r = l->error;
		goto out;
	}
	/* probe: keep the registers this kernel and this configuration implement */
	for (k = 0; k < l->n; k++) {
		struct kvm_device_attr attr;

		memset(&attr, 0, sizeof(attr));
		attr.group = l->group[k];
		attr.attr = l->attr[k];
		r = ckvm_device_has_attr(dev, &attr);
		if (r < 0 && ops->absent(r))
			continue;
		if (r < 0)
			goto out;
		l->group[kept] = l->group[k];
		l->size[kept] = l->size[k];
		l->attr[kept] = l->attr[k];
		kept++;
	}
	p = ckvm__snap_reserve(w, ops->attrs_type, 0, 8 + kept * CKVM__SNAP_ATTR_ENTRY);
	if (!p) {
		r = w->error;
		goto out;
	}
	ckvm__put64(p, kept);
	for (k = 0; k < kept; k++) {
		uint8_t *e = p + 8 + k * CKVM__SNAP_ATTR_ENTRY;
		uint64_t v64 = 0;

		r = ops->get(dev, l->group[k], l->size[k], l->attr[k], &v64);
		if (r < 0) {
			w->error = r;
			goto out;
		}
		ckvm__put32(e, l->group[k]);
		ckvm__put32(e + 4, l->size[k]);
		ckvm__put64(e + 8, l->attr[k]);
		ckvm__put64(e + 16, v64);
	}
	r = 0;
out:
	ckvm__snap_attr_list_free(l);
	return r;
}

struct set {
	const struct ckvm__snap_dev_ops *ops;
	struct ckvm_device *dev;
};

static int set_entry(void *opaque, uint32_t group, uint32_t size, uint64_t attr, uint64_t value)
{
	const struct set *s = opaque;
	int r = s->ops->set(s->dev, group, size, attr, value);

	return r < 0 ? r : 0;
}

int ckvm__snap_dev_restore_attrs(const struct ckvm__snap_dev_ops *ops, struct ckvm_device *dev,
				 const struct ckvm__snap_dev_recs *v)
{
	struct set s = { ops, dev };
	int64_t r;

	if (!v->have_attrs)
		return 0;
	r = attrs_each(&v->attrs, set_entry, &s);
	return r < 0 ? (int)r : 0;
}
