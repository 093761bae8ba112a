/* SPDX-License-Identifier: MIT */
/*
 * vm.c - struct ckvm_vm: architecture-independent VM ioctls.
 * (ckvm_vm_create_vcpu lives in vcpu.c.)
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ckvm__vm_wrap(int kvm_fd, int vm_fd, struct ckvm_vm **out)
{
	struct ckvm_vm *vm;
	long page;
	int size, coalesced;

	size = ckvm__ioctl_val(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		return size;
	if (size == 0)
		return -EINVAL;
	page = sysconf(_SC_PAGESIZE);
	if (page <= 0)
		page = 4096;
	coalesced = ckvm__ioctl_val(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO);
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->fd = vm_fd;
	vm->run_size = (size_t)size;
	vm->page_size = (size_t)page;
	vm->coalesced_page_offset = coalesced > 0 ? coalesced : 0;
	*out = vm;
	return 0;
}

int ckvm_vm_from_fd(struct ckvm *kvm, int fd, struct ckvm_vm **out)
{
	struct ckvm_vm *vm = NULL;
	int r;

	if (!kvm || !out)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	r = ckvm__vm_wrap(kvm->fd, fd, &vm);
	if (r < 0)
		return r;
	/* Owned from now on: never inherited across exec(); -EBADF if not open. */
	r = ckvm__set_cloexec(fd);
	if (r < 0) {
		free(vm);
		return r;
	}
	*out = vm;
	return 0;
}

void ckvm_vm_close(struct ckvm_vm *vm)
{
	if (!vm)
		return;
	if (vm->fd >= 0)
		close(vm->fd);
	free(vm);
}

int ckvm_vm_fd(const struct ckvm_vm *vm)
{
	return vm ? vm->fd : -EINVAL;
}

size_t ckvm_vm_run_size(const struct ckvm_vm *vm)
{
	return vm ? vm->run_size : 0;
}

int ckvm_vm_check_extension(struct ckvm_vm *vm, long cap)
{
	if (!vm)
		return -EINVAL;
	return ckvm__ioctl_val(vm->fd, KVM_CHECK_EXTENSION, (unsigned long)cap);
}

bool ckvm_vm_has_extension(struct ckvm_vm *vm, long cap)
{
	return ckvm_vm_check_extension(vm, cap) > 0;
}

int ckvm_vm_enable_cap(struct ckvm_vm *vm, const struct kvm_enable_cap *cap)
{
	if (!vm || !cap)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_ENABLE_CAP, (void *)cap);
}

int ckvm_vm_enable_cap1(struct ckvm_vm *vm, uint32_t cap, uint64_t arg0)
{
	struct kvm_enable_cap c;

	memset(&c, 0, sizeof(c));
	c.cap = cap;
	c.args[0] = arg0;
	return ckvm_vm_enable_cap(vm, &c);
}

/* ---- memory ---------------------------------------------------------------- */

int ckvm_vm_set_user_memory_region(struct ckvm_vm *vm,
				   const struct kvm_userspace_memory_region *region)
{
	if (!vm || !region)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, (void *)region);
}

int ckvm_vm_set_user_memory_region2(struct ckvm_vm *vm,
				    const struct kvm_userspace_memory_region2 *region)
{
	if (!vm || !region)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION2, (void *)region);
}

int ckvm_vm_create_guest_memfd(struct ckvm_vm *vm, uint64_t size, uint64_t flags)
{
	struct kvm_create_guest_memfd g;
	int fd, r;

	if (!vm)
		return -EINVAL;
	memset(&g, 0, sizeof(g));
	g.size = size;
	g.flags = flags;
	fd = ckvm__ioctl(vm->fd, KVM_CREATE_GUEST_MEMFD, &g);
	if (fd < 0)
		return fd;
	r = ckvm__set_cloexec(fd);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int ckvm_vm_set_memory_attributes(struct ckvm_vm *vm, uint64_t gpa, uint64_t size,
				  uint64_t attributes)
{
	struct kvm_memory_attributes a;

	if (!vm)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	a.address = gpa;
	a.size = size;
	a.attributes = attributes;
	return ckvm__ioctl(vm->fd, KVM_SET_MEMORY_ATTRIBUTES, &a);
}

/* ---- interrupts ---------------------------------------------------------- */

int ckvm_vm_set_irq_line(struct ckvm_vm *vm, uint32_t irq, bool level)
{
	struct kvm_irq_level l;

	if (!vm)
		return -EINVAL;
	memset(&l, 0, sizeof(l));
	l.irq = irq;
	l.level = level ? 1 : 0;
	return ckvm__ioctl(vm->fd, KVM_IRQ_LINE, &l);
}

int ckvm_vm_irq_line_status(struct ckvm_vm *vm, uint32_t irq, bool level)
{
	struct kvm_irq_level l;
	int r;

	if (!vm)
		return -EINVAL;
	memset(&l, 0, sizeof(l));
	l.irq = irq;
	l.level = level ? 1 : 0;
	r = ckvm__ioctl(vm->fd, KVM_IRQ_LINE_STATUS, &l);
	if (r < 0)
		return r;
	/*
	 * The kernel's status: > 0 delivered, 0 coalesced (the previous edge is
	 * still pending), < 0 masked or ignored by every chip. The last two are
	 * both "not delivered" and are reported as 0, so that a negative return
	 * always means the ioctl itself failed.
	 */
	return l.status > 0 ? l.status : 0;
}

int ckvm_vm_signal_msi(struct ckvm_vm *vm, const struct kvm_msi *msi)
{
	if (!vm || !msi)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_SIGNAL_MSI, (void *)msi);
}

int ckvm_vm_set_gsi_routing(struct ckvm_vm *vm, const struct kvm_irq_routing *routing)
{
	if (!vm || !routing)
		return -EINVAL;
	if (routing->nr > CKVM_MAX_IRQ_ROUTES)
		return -E2BIG;
	return ckvm__ioctl(vm->fd, KVM_SET_GSI_ROUTING, (void *)routing);
}

static int irqfd(struct ckvm_vm *vm, int efd, int resamplefd, uint32_t gsi, uint32_t flags)
{
	struct kvm_irqfd f;

	if (!vm)
		return -EINVAL;
	if (efd < 0)
		return -EBADF;
	memset(&f, 0, sizeof(f));
	f.fd = (uint32_t)efd;
	f.gsi = gsi;
	f.flags = flags;
	if (flags & KVM_IRQFD_FLAG_RESAMPLE) {
		if (resamplefd < 0)
			return -EBADF;
		f.resamplefd = (uint32_t)resamplefd;
	}
	return ckvm__ioctl(vm->fd, KVM_IRQFD, &f);
}

int ckvm_vm_register_irqfd(struct ckvm_vm *vm, int efd, uint32_t gsi)
{
	return irqfd(vm, efd, -1, gsi, 0);
}

int ckvm_vm_register_irqfd_with_resample(struct ckvm_vm *vm, int efd, int resamplefd,
					 uint32_t gsi)
{
	return irqfd(vm, efd, resamplefd, gsi, KVM_IRQFD_FLAG_RESAMPLE);
}

int ckvm_vm_unregister_irqfd(struct ckvm_vm *vm, int efd, uint32_t gsi)
{
	return irqfd(vm, efd, -1, gsi, KVM_IRQFD_FLAG_DEASSIGN);
}

/* ---- ioeventfd --------------------------------------------------------------- */

static int ioevent(struct ckvm_vm *vm, int efd, enum ckvm_io_space space, uint64_t addr,
		   uint32_t len, bool datamatch, uint64_t value, uint32_t flags)
{
	struct kvm_ioeventfd io;

	if (!vm)
		return -EINVAL;
	if (efd < 0)
		return -EBADF;
	if (space != CKVM_IO_PIO && space != CKVM_IO_MMIO)
		return -EINVAL;
	if (len != 0 && len != 1 && len != 2 && len != 4 && len != 8)
		return -EINVAL;
	if (datamatch && len == 0)
		return -EINVAL;
	if (addr + len < addr)
		return -EINVAL;
	memset(&io, 0, sizeof(io));
	io.addr = addr;
	io.len = len;
	io.fd = efd;
	io.flags = flags;
	if (space == CKVM_IO_PIO)
		io.flags |= KVM_IOEVENTFD_FLAG_PIO;
	if (datamatch) {
		io.flags |= KVM_IOEVENTFD_FLAG_DATAMATCH;
		io.datamatch = value;
	}
	return ckvm__ioctl(vm->fd, KVM_IOEVENTFD, &io);
}

int ckvm_vm_register_ioevent(struct ckvm_vm *vm, int efd, enum ckvm_io_space space,
			     uint64_t addr, uint32_t len, bool datamatch, uint64_t value)
{
	return ioevent(vm, efd, space, addr, len, datamatch, value, 0);
}

int ckvm_vm_unregister_ioevent(struct ckvm_vm *vm, int efd, enum ckvm_io_space space,
			       uint64_t addr, uint32_t len, bool datamatch, uint64_t value)
{
	return ioevent(vm, efd, space, addr, len, datamatch, value,
		       KVM_IOEVENTFD_FLAG_DEASSIGN);
}

/* ---- coalesced MMIO / PIO ----------------------------------------------------- */

static int coalesced(struct ckvm_vm *vm, unsigned long req, enum ckvm_io_space space,
		     uint64_t addr, uint32_t size)
{
	struct kvm_coalesced_mmio_zone z;

	if (!vm)
		return -EINVAL;
	if (space != CKVM_IO_PIO && space != CKVM_IO_MMIO)
		return -EINVAL;
	memset(&z, 0, sizeof(z));
	z.addr = addr;
	z.size = size;
	z.pio = space == CKVM_IO_PIO ? 1 : 0;
	return ckvm__ioctl(vm->fd, req, &z);
}

int ckvm_vm_register_coalesced_mmio(struct ckvm_vm *vm, enum ckvm_io_space space,
				    uint64_t addr, uint32_t size)
{
	return coalesced(vm, KVM_REGISTER_COALESCED_MMIO, space, addr, size);
}

int ckvm_vm_unregister_coalesced_mmio(struct ckvm_vm *vm, enum ckvm_io_space space,
				      uint64_t addr, uint32_t size)
{
	return coalesced(vm, KVM_UNREGISTER_COALESCED_MMIO, space, addr, size);
}

/* ---- dirty logging: bitmap ---------------------------------------------------- */

static size_t host_page_size(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 ? (size_t)page : 4096;
}

size_t ckvm_dirty_log_words(uint64_t memory_size)
{
	uint64_t page = host_page_size();
	uint64_t pages = memory_size / page + (memory_size % page ? 1 : 0);

	return (size_t)(pages / 64 + (pages % 64 ? 1 : 0));
}

int ckvm_vm_get_dirty_log(struct ckvm_vm *vm, uint32_t slot, uint64_t memory_size,
			  uint64_t *bitmap, size_t nwords)
{
	struct kvm_dirty_log log;

	if (!vm || !bitmap)
		return -EINVAL;
	if (nwords < ckvm_dirty_log_words(memory_size))
		return -EINVAL;
	memset(&log, 0, sizeof(log));
	log.slot = slot;
	log.dirty_bitmap = bitmap;
	return ckvm__ioctl(vm->fd, KVM_GET_DIRTY_LOG, &log);
}

int ckvm_vm_enable_manual_dirty_log_protect(struct ckvm_vm *vm, uint64_t flags)
{
	int r;

	if (!vm)
		return -EINVAL;
	if (flags == 0) {
		r = ckvm_vm_check_extension(vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2);
		if (r < 0)
			return r;
		if (r == 0)
			return -EOPNOTSUPP;
		flags = (uint64_t)r;
	}
	return ckvm_vm_enable_cap1(vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, flags);
}

int ckvm_vm_clear_dirty_log(struct ckvm_vm *vm, uint32_t slot, uint64_t first_page,
			    uint32_t num_pages, const uint64_t *bitmap)
{
	struct kvm_clear_dirty_log c;

	if (!vm || !bitmap)
		return -EINVAL;
	if (first_page % 64)
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	c.slot = slot;
	c.num_pages = num_pages;
	c.first_page = first_page;
	c.dirty_bitmap = (void *)bitmap;
	return ckvm__ioctl(vm->fd, KVM_CLEAR_DIRTY_LOG, &c);
}

/* ---- dirty logging: ring ---------------------------------------------------------- */

int ckvm_vm_enable_dirty_ring(struct ckvm_vm *vm, uint32_t bytes)
{
	uint32_t cap = KVM_CAP_DIRTY_LOG_RING_ACQ_REL;
	uint32_t entries;
	int max, r;

	if (!vm)
		return -EINVAL;
	max = ckvm_vm_check_extension(vm, cap);
	if (max <= 0) {
		cap = KVM_CAP_DIRTY_LOG_RING;
		max = ckvm_vm_check_extension(vm, cap);
	}
	if (max < 0)
		return max;
	if (max == 0)
		return -EOPNOTSUPP;
	if (bytes == 0)
		bytes = (uint32_t)max < 65536u ? (uint32_t)max : 65536u;
	if (bytes % sizeof(struct kvm_dirty_gfn) || bytes > (uint32_t)max)
		return -EINVAL;
	entries = bytes / (uint32_t)sizeof(struct kvm_dirty_gfn);
	if (entries == 0 || (entries & (entries - 1)))
		return -EINVAL;
	r = ckvm_vm_enable_cap1(vm, cap, bytes);
	if (r < 0)
		return r;
	vm->dirty_ring_entries = entries;
	vm->dirty_ring_acq_rel = cap == KVM_CAP_DIRTY_LOG_RING_ACQ_REL;
	return 0;
}

uint32_t ckvm_vm_dirty_ring_entries(const struct ckvm_vm *vm)
{
	return vm ? vm->dirty_ring_entries : 0;
}

int ckvm_vm_reset_dirty_rings(struct ckvm_vm *vm)
{
	if (!vm)
		return -EINVAL;
	return ckvm__ioctl_val(vm->fd, KVM_RESET_DIRTY_RINGS, 0);
}

/* ---- stats ------------------------------------------------------------------ */

int ckvm_vm_get_stats_fd(struct ckvm_vm *vm)
{
	int fd, r;

	if (!vm)
		return -EINVAL;
	fd = ckvm__ioctl_val(vm->fd, KVM_GET_STATS_FD, 0);
	if (fd < 0)
		return fd;
	r = ckvm__set_cloexec(fd);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* ---- device attributes on the VM fd ------------------------------------------ */

int ckvm_vm_set_device_attr(struct ckvm_vm *vm, const struct kvm_device_attr *attr)
{
	if (!vm || !attr)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_SET_DEVICE_ATTR, (void *)attr);
}

int ckvm_vm_get_device_attr(struct ckvm_vm *vm, struct kvm_device_attr *attr)
{
	if (!vm || !attr)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_GET_DEVICE_ATTR, attr);
}

int ckvm_vm_has_device_attr(struct ckvm_vm *vm, const struct kvm_device_attr *attr)
{
	if (!vm || !attr)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_HAS_DEVICE_ATTR, (void *)attr);
}

int ckvm_vm_ioctl(struct ckvm_vm *vm, unsigned long request, void *arg)
{
	if (!vm)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, request, arg);
}
