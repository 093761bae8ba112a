/* SPDX-License-Identifier: MIT */
/* onereg_fake.c - a fake /dev/kvm for the arm64/riscv64 snapshot unit tests, see onereg_fake.h. */
#include "onereg_fake.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_FDS 1024
#define MAX_OBJS 32

enum role { R_NONE, R_KVM, R_VM, R_VCPU, R_DEV };

static struct {
	enum role role;
	unsigned idx;
} fds[MAX_FDS];
static int backing = -1;            /* a memfd: every fake fd is a dup (vCPUs mmap it) */
static struct fake_vcpu vcpus[MAX_OBJS];
static unsigned nvcpus;
static struct fake_dev devs[MAX_OBJS];
static unsigned ndevs;
static int events_cap = 1;

static int new_fd(enum role role, unsigned idx)
{
	int fd = fcntl(backing, F_DUPFD_CLOEXEC, 0);

	if (fd < 0 || fd >= MAX_FDS)
		return -1;
	fds[fd].role = role;
	fds[fd].idx = idx;
	return fd;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

static size_t reg_bytes(uint64_t id)
{
	return (size_t)1 << ((id & KVM_REG_SIZE_MASK) >> KVM_REG_SIZE_SHIFT);
}

/* Bytes of a device attribute's value, by group. */
static size_t attr_bytes(uint32_t group)
{
#if defined(__aarch64__)
	return group == KVM_DEV_ARM_VGIC_GRP_ADDR || group == KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS ? 8 : 4;
#else
	return group == KVM_DEV_RISCV_AIA_GRP_ADDR || group == KVM_DEV_RISCV_AIA_GRP_IMSIC ? 8 : 4;
#endif
}

int fake_has_attr_err(const struct fake_dev *d, uint32_t group, uint64_t attr)
{
	static const int absent[] = { 0, 0, 0, ENXIO, ENOENT, EINVAL, 0 };
	unsigned k = (unsigned)(mix(group * 1000003ull + attr) % 7);

	if (d->has_fail_err)
		return d->has_fail_err;
	if (k == 6 && d->enodev)
		return ENODEV;
	return absent[k];
}

uint64_t fake_attr_value(const struct fake_dev *d, uint32_t group, uint64_t attr)
{
	uint64_t v = mix(group * 7919ull + attr + 17);
	unsigned i;

#if defined(__aarch64__)
	if (group == KVM_DEV_ARM_VGIC_GRP_NR_IRQS)
		return d->nr_irqs;
	if (group == KVM_DEV_ARM_VGIC_GRP_ADDR)
		return 0x08000000ull + attr * 0x10000 + d->addr_salt;
#else
	if (group == KVM_DEV_RISCV_AIA_GRP_CONFIG)
		return attr < 7 ? d->config[attr] : 0;
	if (group == KVM_DEV_RISCV_AIA_GRP_ADDR)
		return 0x0c000000ull + attr * 0x1000 + d->addr_salt;
#endif
	for (i = 0; i < d->n; i++)
		if (d->group[i] == group && d->attr[i] == attr)
			v = d->value[i];
	return attr_bytes(group) == 4 ? (uint32_t)v : v;
}

static int fake_errno(int err)
{
	errno = err;
	return -1;
}

static int dev_ioctl(struct fake_dev *d, unsigned long req, struct kvm_device_attr *at)
{
	uint64_t v = 0;
	int err;

	switch (req) {
	case KVM_HAS_DEVICE_ATTR:
		err = fake_has_attr_err(d, at->group, at->attr);
		return err ? fake_errno(err) : 0;
	case KVM_GET_DEVICE_ATTR:
		v = fake_attr_value(d, at->group, at->attr);
		memcpy((void *)(uintptr_t)at->addr, &v, attr_bytes(at->group));
		return 0;
	case KVM_SET_DEVICE_ATTR:
		if (d->n == FAKE_MAX_ATTRS)
			return fake_errno(ENOSPC);
		memcpy(&v, (const void *)(uintptr_t)at->addr, attr_bytes(at->group));
		d->group[d->n] = at->group;
		d->attr[d->n] = at->attr;
		d->value[d->n] = v;
		d->n++;
		d->sets++;
		return 0;
	}
	return fake_errno(ENOTTY);
}

const uint8_t *fake_reg(const struct fake_vcpu *c, uint64_t id)
{
	unsigned i;

	for (i = 0; i < c->n; i++)
		if (c->ids[i] == id)
			return c->val[i];
	return NULL;
}

void fake_fill_regs(struct fake_vcpu *c, const uint64_t *ids, unsigned n, unsigned seed, int drop)
{
	unsigned i, b;

	assert_true(n <= FAKE_MAX_REGS);
	c->n = 0;
	for (i = 0; i < n; i++) {
		if ((int)i == drop)
			continue;
		c->ids[c->n] = ids[i];
		for (b = 0; b < sizeof(c->val[0]); b++)
			c->val[c->n][b] = (uint8_t)(seed * 131 + i * 17 + b);
		c->n++;
	}
}

static int vcpu_ioctl(struct fake_vcpu *c, unsigned long req, void *arg)
{
	struct kvm_one_reg *o = arg;
	struct kvm_reg_list *l = arg;
	uint8_t *val;
	unsigned i;

	switch (req) {
	case KVM_RUN:
		return fake_errno(EINTR); /* complete_io: immediate_exit is set */
	case KVM_GET_REG_LIST:
		if (l->n < c->n) {
			l->n = c->n;
			return fake_errno(E2BIG);
		}
		l->n = c->n;
		for (i = 0; i < c->n; i++)
			l->reg[i] = c->ids[i];
		return 0;
	case KVM_GET_ONE_REG:
		val = (uint8_t *)fake_reg(c, o->id);
		if (!val)
			return fake_errno(ENOENT);
		if (o->id == c->fail_get_id && c->fail_get_err)
			return fake_errno(c->fail_get_err);
		memcpy((void *)(uintptr_t)o->addr, val, reg_bytes(o->id));
		return 0;
	case KVM_SET_ONE_REG:
		val = (uint8_t *)fake_reg(c, o->id);
		if (!val)
			return fake_errno(ENOENT);
		memcpy(val, (const void *)(uintptr_t)o->addr, reg_bytes(o->id));
		if (c->sets < sizeof(c->set_ids) / sizeof(c->set_ids[0]))
			c->set_ids[c->sets] = o->id;
		c->sets++;
		return 0;
	case KVM_GET_MP_STATE:
		memcpy(arg, &c->mp, sizeof(c->mp));
		return 0;
	case KVM_SET_MP_STATE:
		memcpy(&c->mp, arg, sizeof(c->mp));
		c->mp_sets++;
		return 0;
#if defined(__aarch64__)
	case KVM_GET_VCPU_EVENTS:
		memcpy(arg, &c->ev, sizeof(c->ev));
		return 0;
	case KVM_SET_VCPU_EVENTS:
		memcpy(&c->ev, arg, sizeof(c->ev));
		c->event_sets++;
		return 0;
#endif
	}
	return fake_errno(ENOTTY);
}

int ioctl(int fd, unsigned long req, ...);
int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd < 0 || fd >= MAX_FDS || fds[fd].role == R_NONE)
		return (int)syscall(SYS_ioctl, fd, req, arg);
	switch (fds[fd].role) {
	case R_KVM:
		if (req == KVM_GET_API_VERSION)
			return KVM_API_VERSION;
		if (req == KVM_GET_VCPU_MMAP_SIZE)
			return 3 * 4096;
		if (req == KVM_CHECK_EXTENSION)
			return 0;
		if (req == KVM_CREATE_VM)
			return new_fd(R_VM, 0);
		break;
	case R_VM:
		if (req == KVM_CHECK_EXTENSION) {
#ifdef KVM_CAP_VCPU_EVENTS
			if ((unsigned long)arg == KVM_CAP_VCPU_EVENTS)
				return events_cap;
#endif
			return 0;
		}
		if (req == KVM_CREATE_VCPU && nvcpus < MAX_OBJS)
			return new_fd(R_VCPU, nvcpus++);
		if (req == KVM_CREATE_DEVICE && ndevs < MAX_OBJS) {
			struct kvm_create_device *cd = arg;
			int nfd = new_fd(R_DEV, ndevs);

			if (nfd < 0)
				return fake_errno(EMFILE);
			devs[ndevs++].type = cd->type;
			cd->fd = (uint32_t)nfd;
			return 0;
		}
		break;
	case R_VCPU:
		return vcpu_ioctl(&vcpus[fds[fd].idx], req, arg);
	case R_DEV:
		return dev_ioctl(&devs[fds[fd].idx], req, arg);
	default:
		break;
	}
	return fake_errno(ENOTTY);
}

struct ckvm *fake_kvm(void)
{
	struct ckvm *kvm = NULL;
	int fd;

	if (backing < 0) {
		backing = memfd_create("onereg_fake", MFD_CLOEXEC);
		assert_true(backing >= 0);
		t_assert_ok(ftruncate(backing, 64 * 1024) < 0 ? -errno : 0);
	}
	fd = new_fd(R_KVM, 0);
	assert_true(fd >= 0);
	t_assert_ok(ckvm_from_fd(fd, &kvm));
	return kvm;
}

void fake_set_events_cap(int on)
{
	events_cap = on;
}

struct fake_vcpu *fake_next_vcpu(void)
{
	assert_true(nvcpus < MAX_OBJS);
	memset(&vcpus[nvcpus], 0, sizeof(vcpus[nvcpus]));
	return &vcpus[nvcpus];
}

struct fake_dev *fake_next_dev(void)
{
	assert_true(ndevs < MAX_OBJS);
	memset(&devs[ndevs], 0, sizeof(devs[ndevs]));
	return &devs[ndevs];
}

/* ======================= a VM on the fake ================================= */
void fake_vm_create(struct fake_vm *f, struct ckvm *kvm)
{
	memset(f, 0, sizeof(*f));
	f->own_kvm = !kvm;
	f->kvm = kvm ? kvm : fake_kvm();
	t_assert_ok(ckvm_create_vm(f->kvm, &f->vm));
	t_assert_ok(ckvm_snapshot_ctx_create(f->kvm, f->vm, &f->ctx));
}

/* Writes to f's vCPU and chip so far. */
static unsigned writes(struct fake_vm *f)
{
	const struct fake_vcpu *c = f->vcpu ? fake_vcpu_of(f->vcpu) : NULL;
	unsigned n = f->chip ? fake_dev_of(f->chip)->sets : 0;

	if (c) {
		n += c->sets + c->mp_sets;
#if defined(__aarch64__)
		n += c->event_sets;
#endif
	}
	return n;
}

void fake_vm_save(struct fake_vm *f)
{
	unsigned before = writes(f);

	t_assert_ok(ckvm_snapshot_save_vcpu(f->ctx, f->vcpu, 0, &f->cblob, &f->clen));
	t_assert_ok(ckvm_snapshot_save_vm(f->ctx, NULL, 0, 0, &f->vblob, &f->vlen));
	t_assert_ok(ckvm_snapshot_validate(f->cblob, f->clen));
	t_assert_ok(ckvm_snapshot_validate(f->vblob, f->vlen));
	assert_int_equal(writes(f), before);
}

void fake_vm_restore(struct fake_vm *t, const struct fake_vm *s)
{
	t_assert_ok(ckvm_snapshot_restore_vm(t->ctx, s->vblob, s->vlen, 0));
	t_assert_ok(ckvm_snapshot_restore_vcpu(t->ctx, t->vcpu, s->cblob, s->clen, 0));
}

void fake_vm_close(struct fake_vm *f)
{
	ckvm_snapshot_free(f->cblob);
	ckvm_snapshot_free(f->vblob);
	ckvm_snapshot_ctx_free(f->ctx);
	ckvm_device_close(f->chip);
	ckvm_vcpu_close(f->vcpu);
	ckvm_vm_close(f->vm);
	if (f->own_kvm)
		ckvm_close(f->kvm);
	memset(f, 0, sizeof(*f));
}

void fake_check_refused(struct fake_vm *t, const struct fake_vm *s, bool vm_blob, int err)
{
	unsigned before = writes(t);

	if (vm_blob)
		t_assert_err(ckvm_snapshot_restore_vm(t->ctx, s->vblob, s->vlen, 0), err);
	else
		t_assert_err(ckvm_snapshot_restore_vcpu(t->ctx, t->vcpu, s->cblob, s->clen, 0), err);
	assert_int_equal(writes(t), before);
}

/* ======================= checks ========================================== */
static size_t padded(uint64_t id)
{
	return (ckvm_reg_size(id) + 7) & ~(size_t)7;
}

void fake_check_one_regs(const void *blob, size_t len, const struct fake_vcpu *c, uint64_t left_out)
{
	struct ckvm_snapshot_record rec;
	const uint8_t *p;
	size_t pos = 8;
	uint64_t n, id;
	unsigned k;

	assert_int_equal(ckvm_snapshot_find(blob, len, CKVM_SNAPSHOT_REC_ONE_REGS, &rec), 1);
	p = rec.data;
	memcpy(&n, p, 8);
	assert_int_equal(n, c->n - (fake_reg(c, left_out) ? 1 : 0));
	for (k = 0; k < c->n; k++) {
		if (c->ids[k] == left_out)
			continue;
		assert_true(pos + 8 <= rec.len);
		memcpy(&id, p + pos, 8);
		assert_int_equal(id, c->ids[k]);
		assert_true(pos + 8 + padded(id) <= rec.len);
		assert_memory_equal(p + pos + 8, c->val[k], ckvm_reg_size(id));
		pos += 8 + padded(id);
	}
	assert_int_equal(pos, rec.len);
}

uint64_t fake_check_attrs(const void *blob, size_t len, uint16_t attrs_type, const struct fake_dev *d,
			  uint32_t group8)
{
	struct ckvm_snapshot_record rec;
	uint64_t n, k;

	assert_int_equal(ckvm_snapshot_find(blob, len, attrs_type, &rec), 1);
	memcpy(&n, rec.data, 8);
	assert_int_equal(rec.len, 8 + 24 * n);
	for (k = 0; k < n; k++) {
		const uint8_t *e = (const uint8_t *)rec.data + 8 + 24 * k;
		uint32_t group, size;
		uint64_t attr, value;

		memcpy(&group, e, 4);
		memcpy(&size, e + 4, 4);
		memcpy(&attr, e + 8, 8);
		memcpy(&value, e + 16, 8);
		assert_int_equal(fake_has_attr_err(d, group, attr), 0);
		assert_int_equal(value, fake_attr_value(d, group, attr));
		assert_int_equal(size, group == group8 ? 8 : 4);
	}
	return n;
}

void fake_check_regs_restored(const struct fake_vcpu *src, const struct fake_vcpu *dst,
			      uint64_t left_out)
{
	unsigned i, k = 0;

	for (i = 0; i < src->n; i++) {
		if (src->ids[i] == left_out)
			continue;
		assert_true(k < dst->sets);
		assert_int_equal(dst->set_ids[k++], src->ids[i]);
		assert_memory_equal(fake_reg(dst, src->ids[i]), src->val[i],
				    ckvm_reg_size(src->ids[i]));
	}
	assert_int_equal(dst->sets, k);
}

void fake_check_attrs_restored(const void *blob, size_t len, uint16_t attrs_type,
			       const struct fake_dev *dsrc, const struct fake_dev *ddst)
{
	struct ckvm_snapshot_record rec;
	uint64_t n, k;

	assert_int_equal(ckvm_snapshot_find(blob, len, attrs_type, &rec), 1);
	memcpy(&n, rec.data, 8);
	assert_true(n > 0);
	assert_int_equal(ddst->sets, n);
	for (k = 0; k < n; k++) {
		const uint8_t *e = (const uint8_t *)rec.data + 8 + 24 * k;
		uint32_t group;
		uint64_t attr;

		memcpy(&group, e, 4);
		memcpy(&attr, e + 8, 8);
		assert_int_equal(ddst->group[k], group);
		assert_int_equal(ddst->attr[k], attr);
		assert_int_equal(ddst->value[k], fake_attr_value(dsrc, group, attr));
	}
}

struct fake_vcpu *fake_vcpu_of(struct ckvm_vcpu *vcpu)
{
	int fd = ckvm_vcpu_fd(vcpu);

	assert_true(fd >= 0 && fd < MAX_FDS && fds[fd].role == R_VCPU);
	return &vcpus[fds[fd].idx];
}

struct fake_dev *fake_dev_of(struct ckvm_device *dev)
{
	int fd = ckvm_device_fd(dev);

	assert_true(fd >= 0 && fd < MAX_FDS && fds[fd].role == R_DEV);
	return &devs[fds[fd].idx];
}
