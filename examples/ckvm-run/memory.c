/* SPDX-License-Identifier: MIT */
/*
 * memory.c - guest RAM.
 *
 * All of guest RAM is one anonymous host mapping. RAM up to 3 GiB sits at
 * guest-physical address 0 (memory slot 0). Anything above that would run
 * into the 32-bit MMIO hole (IOAPIC at 0xfec00000, LAPIC at 0xfee00000), so
 * it is placed at 4 GiB and up (slot 1), as on a PC.
 */
#include "vmm.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

void *gpa_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t high = m->size - m->low_size;

	if (gpa < m->low_size) {
		if (len > m->low_size - gpa)
			return NULL;
		return m->host + gpa;
	}
	if (gpa >= FOUR_GIB && gpa - FOUR_GIB < high) {
		if (len > high - (gpa - FOUR_GIB))
			return NULL;
		return m->host + m->low_size + (gpa - FOUR_GIB);
	}
	return NULL;
}

int gpa_write(const struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len)
{
	void *p = gpa_ptr(m, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}

int guest_mem_alloc(struct guest_mem *m, uint64_t size)
{
	/*
	 * MAP_NORESERVE: pages are only allocated when the guest (or we)
	 * touch them, so a 1 GiB guest that uses 2 MiB costs 2 MiB.
	 */
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	m->host = p;
	m->size = size;
	m->low_size = size < MMIO_HOLE_START ? size : MMIO_HOLE_START;
	return 0;
}

void guest_mem_free(struct guest_mem *m)
{
	if (m->host)
		munmap(m->host, m->size);
	m->host = NULL;
}

int guest_mem_register(const struct guest_mem *m, struct ckvm_vm *vm)
{
	struct kvm_userspace_memory_region r = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = m->low_size,
		.userspace_addr = (uint64_t)(uintptr_t)m->host,
	};
	int err = ckvm_vm_set_user_memory_region(vm, &r);

	if (err < 0 || m->size == m->low_size)
		return err;
	r.slot = 1;
	r.guest_phys_addr = FOUR_GIB;
	r.memory_size = m->size - m->low_size;
	r.userspace_addr = (uint64_t)(uintptr_t)(m->host + m->low_size);
	return ckvm_vm_set_user_memory_region(vm, &r);
}

/*
 * The PC memory map: conventional memory below the EBDA, the EBDA and BIOS
 * area reserved (the MP table lives there), RAM from 1 MiB, and the part
 * above 4 GiB if any.
 */
int e820_build(const struct guest_mem *m, struct e820_entry *e, int max)
{
	struct e820_entry all[4] = {
		{ 0, EBDA_START, E820_RAM },
		{ EBDA_START, HIMEM_START - EBDA_START, E820_RESERVED },
		{ HIMEM_START, m->low_size - HIMEM_START, E820_RAM },
		{ FOUR_GIB, m->size - m->low_size, E820_RAM },
	};
	int n = m->size > m->low_size ? 4 : 3;

	if (m->low_size <= HIMEM_START || max < n)
		return -EINVAL;
	memcpy(e, all, (size_t)n * sizeof(*e));
	return n;
}
