/* SPDX-License-Identifier: MIT */
/*
 * ckvm/vm.h - struct ckvm_vm, a VM fd: memory, interrupts, eventfds, dirty
 * tracking, capabilities, vCPU and device creation.
 *
 * Thread rules: VM calls may be made concurrently from any thread of the
 * process that created the VM (the kernel serializes what needs it). The
 * exceptions: ckvm_vm_close() must not race other calls on the same handle,
 * and ckvm_vm_enable_dirty_ring() belongs to the set-up phase (before any
 * vCPU is created, not concurrently with ckvm_vm_create_vcpu()). The VM
 * handle does not own vCPUs or devices; close them in any order (the kernel
 * keeps the VM alive until its last fd is gone).
 *
 * Architecture-specific VM calls are in ckvm/x86_64.h, ckvm/arm64.h and
 * ckvm/riscv64.h.
 */
#ifndef CKVM_VM_H
#define CKVM_VM_H

#include <ckvm/common.h>

CKVM_BEGIN_DECLS

/*
 * Adopt a VM fd. kvm supplies the kvm_run mmap size (KVM_GET_VCPU_MMAP_SIZE
 * is a system ioctl). On success the handle owns fd and sets FD_CLOEXEC on
 * it; on failure the caller keeps it (-EBADF for a negative or closed fd).
 * The fd is not checked to be a VM: calls on a handle around another file
 * fail with the kernel's errno (-ENOTTY for most files).
 */
CKVM_API int ckvm_vm_from_fd(struct ckvm *kvm, int fd, struct ckvm_vm **out);
/* Close the VM fd. vCPUs and devices created from it stay usable. NULL ok. */
CKVM_API void ckvm_vm_close(struct ckvm_vm *vm);
CKVM_API int ckvm_vm_fd(const struct ckvm_vm *vm);
/* Cached KVM_GET_VCPU_MMAP_SIZE. */
CKVM_API size_t ckvm_vm_run_size(const struct ckvm_vm *vm);

/* KVM_CHECK_EXTENSION on the VM fd (KVM_CAP_CHECK_EXTENSION_VM): value or -errno. */
CKVM_API int ckvm_vm_check_extension(struct ckvm_vm *vm, long cap);
CKVM_API bool ckvm_vm_has_extension(struct ckvm_vm *vm, long cap);
/* KVM_ENABLE_CAP on the VM fd. */
CKVM_API int ckvm_vm_enable_cap(struct ckvm_vm *vm, const struct kvm_enable_cap *cap);
/* Convenience: KVM_ENABLE_CAP with cap and args[0]. */
CKVM_API int ckvm_vm_enable_cap1(struct ckvm_vm *vm, uint32_t cap, uint64_t arg0);

/* ---- memory ---------------------------------------------------------- */
/*
 * KVM_SET_USER_MEMORY_REGION: create, move, resize-by-delete or delete
 * (memory_size 0) a slot. The memory at userspace_addr must stay mapped as
 * long as the slot exists.
 */
CKVM_API int ckvm_vm_set_user_memory_region(struct ckvm_vm *vm,
		const struct kvm_userspace_memory_region *region);
/* KVM_SET_USER_MEMORY_REGION2 (KVM_CAP_USER_MEMORY2), with guest_memfd. */
CKVM_API int ckvm_vm_set_user_memory_region2(struct ckvm_vm *vm,
		const struct kvm_userspace_memory_region2 *region);
/*
 * KVM_CREATE_GUEST_MEMFD (KVM_CAP_GUEST_MEMFD): returns a new fd that the
 * caller owns (FD_CLOEXEC set), or -errno. flags: GUEST_MEMFD_FLAG_MMAP,
 * GUEST_MEMFD_FLAG_INIT_SHARED as KVM_CAP_GUEST_MEMFD_FLAGS allows.
 */
CKVM_API int ckvm_vm_create_guest_memfd(struct ckvm_vm *vm, uint64_t size,
					uint64_t flags);
/* KVM_SET_MEMORY_ATTRIBUTES (KVM_CAP_MEMORY_ATTRIBUTES). */
CKVM_API int ckvm_vm_set_memory_attributes(struct ckvm_vm *vm, uint64_t gpa,
					   uint64_t size, uint64_t attributes);

/* ---- interrupts -------------------------------------------------------- */
/* KVM_IRQ_LINE: level 1 raises, 0 lowers. On arm64 irq uses the type/vcpu/id encoding. */
CKVM_API int ckvm_vm_set_irq_line(struct ckvm_vm *vm, uint32_t irq, bool level);
/*
 * KVM_IRQ_LINE_STATUS: the kernel's status, > 0 when the interrupt was
 * delivered, 0 when it was coalesced with a pending one or masked/ignored by
 * every interrupt controller; -errno when the ioctl failed.
 */
CKVM_API int ckvm_vm_irq_line_status(struct ckvm_vm *vm, uint32_t irq, bool level);
/* KVM_SIGNAL_MSI: >0 delivered, 0 blocked by the guest, -errno on error. */
CKVM_API int ckvm_vm_signal_msi(struct ckvm_vm *vm, const struct kvm_msi *msi);
/*
 * KVM_SET_GSI_ROUTING: replaces the whole table (see ckvm/fam.h to build one).
 * routing->nr above CKVM_MAX_IRQ_ROUTES is -E2BIG before the ioctl.
 */
CKVM_API int ckvm_vm_set_gsi_routing(struct ckvm_vm *vm,
				     const struct kvm_irq_routing *routing);
/* KVM_IRQFD: a write to eventfd efd raises gsi. */
CKVM_API int ckvm_vm_register_irqfd(struct ckvm_vm *vm, int efd, uint32_t gsi);
/* Level-triggered irqfd: resamplefd is signalled when the guest EOIs gsi. */
CKVM_API int ckvm_vm_register_irqfd_with_resample(struct ckvm_vm *vm, int efd,
						  int resamplefd, uint32_t gsi);
CKVM_API int ckvm_vm_unregister_irqfd(struct ckvm_vm *vm, int efd, uint32_t gsi);

/* ---- ioeventfd ------------------------------------------------------- */
/*
 * KVM_IOEVENTFD: a guest write of len bytes (1, 2, 4 or 8; 0 = any length,
 * KVM_CAP_IOEVENTFD_NO_LENGTH) at addr signals efd instead of exiting. With
 * datamatch, only writes of exactly value match (datamatch needs len > 0).
 * A bad len, space or an addr + len overflow is -EINVAL before the ioctl;
 * the kernel gives -EEXIST for a duplicate registration. Unregister with the
 * identical tuple (-ENOENT otherwise).
 */
CKVM_API int ckvm_vm_register_ioevent(struct ckvm_vm *vm, int efd,
				      enum ckvm_io_space space, uint64_t addr,
				      uint32_t len, bool datamatch, uint64_t value);
CKVM_API int ckvm_vm_unregister_ioevent(struct ckvm_vm *vm, int efd,
					enum ckvm_io_space space, uint64_t addr,
					uint32_t len, bool datamatch, uint64_t value);

/* ---- coalesced MMIO / PIO ------------------------------------------- */
/* KVM_(UN)REGISTER_COALESCED_MMIO; CKVM_IO_PIO needs KVM_CAP_COALESCED_PIO. */
CKVM_API int ckvm_vm_register_coalesced_mmio(struct ckvm_vm *vm,
					     enum ckvm_io_space space,
					     uint64_t addr, uint32_t size);
CKVM_API int ckvm_vm_unregister_coalesced_mmio(struct ckvm_vm *vm,
					       enum ckvm_io_space space,
					       uint64_t addr, uint32_t size);

/* ---- dirty logging: bitmap ------------------------------------------- */
/* Number of 64-bit words in the dirty bitmap of a slot of memory_size bytes. */
CKVM_API size_t ckvm_dirty_log_words(uint64_t memory_size);
/*
 * KVM_GET_DIRTY_LOG for slot (which must have KVM_MEM_LOG_DIRTY_PAGES).
 * bitmap must hold ckvm_dirty_log_words(memory_size) words (-EINVAL if
 * nwords is smaller). Without manual protect the kernel also clears its log.
 */
CKVM_API int ckvm_vm_get_dirty_log(struct ckvm_vm *vm, uint32_t slot,
				   uint64_t memory_size, uint64_t *bitmap,
				   size_t nwords);
/*
 * Enable KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 with the given flags
 * (KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE [| KVM_DIRTY_LOG_INITIALLY_SET]);
 * flags 0 means all flags the kernel supports (-EOPNOTSUPP if it has none).
 * INITIALLY_SET applies to slots created afterwards.
 */
CKVM_API int ckvm_vm_enable_manual_dirty_log_protect(struct ckvm_vm *vm,
						     uint64_t flags);
/*
 * KVM_CLEAR_DIRTY_LOG: re-protect the pages whose bits are set in bitmap,
 * for pages [first_page, first_page + num_pages) of slot. first_page must be
 * a multiple of 64 and num_pages a multiple of 64 unless it reaches the end
 * of the slot.
 */
CKVM_API int ckvm_vm_clear_dirty_log(struct ckvm_vm *vm, uint32_t slot,
				     uint64_t first_page, uint32_t num_pages,
				     const uint64_t *bitmap);

/* ---- dirty logging: ring ------------------------------------------------ */
/*
 * Enable the per-vCPU dirty ring of `bytes` bytes (a power of two multiple
 * of sizeof(struct kvm_dirty_gfn), at most the capability's value); must be
 * called before any vCPU exists. Prefers KVM_CAP_DIRTY_LOG_RING_ACQ_REL
 * when the kernel has it. bytes 0 picks the kernel's maximum capped at 64 KiB.
 * Returns 0, -EOPNOTSUPP without either capability, -EINVAL for a bad size
 * (checked before the ioctl) or once a vCPU exists, or another -errno.
 */
CKVM_API int ckvm_vm_enable_dirty_ring(struct ckvm_vm *vm, uint32_t bytes);
/* Ring size in entries (0 when not enabled). */
CKVM_API uint32_t ckvm_vm_dirty_ring_entries(const struct ckvm_vm *vm);
/* KVM_RESET_DIRTY_RINGS: re-protect harvested pages; returns count reset. */
CKVM_API int ckvm_vm_reset_dirty_rings(struct ckvm_vm *vm);

/* ---- stats ------------------------------------------------------------ */
/* KVM_GET_STATS_FD on the VM (KVM_CAP_BINARY_STATS_FD): a new fd, FD_CLOEXEC, caller owns. */
CKVM_API int ckvm_vm_get_stats_fd(struct ckvm_vm *vm);

/* ---- device attributes on the VM fd (arm64 SMCCC filter, ...) -------- */
CKVM_API int ckvm_vm_set_device_attr(struct ckvm_vm *vm, const struct kvm_device_attr *attr);
CKVM_API int ckvm_vm_get_device_attr(struct ckvm_vm *vm, struct kvm_device_attr *attr);
CKVM_API int ckvm_vm_has_device_attr(struct ckvm_vm *vm, const struct kvm_device_attr *attr);

/* ---- vCPUs ------------------------------------------------------------ */
/*
 * KVM_CREATE_VCPU with id, and map its kvm_run (and the dirty ring when it
 * is enabled on the VM). id must be below the max vCPU id (-EINVAL).
 */
CKVM_API int ckvm_vm_create_vcpu(struct ckvm_vm *vm, unsigned long id,
				 struct ckvm_vcpu **out);

/* Generic escape hatch: ioctl on the VM fd; result or -errno. */
CKVM_API int ckvm_vm_ioctl(struct ckvm_vm *vm, unsigned long request, void *arg);

CKVM_END_DECLS

#endif
