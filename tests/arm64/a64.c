/* SPDX-License-Identifier: MIT */
/* a64.c - the arm64 tiny-guest harness, see a64.h. */
#include "a64.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void a64_guest_create(struct a64_guest *g, uint32_t slot_flags)
{
	struct kvm_userspace_memory_region region;
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	memset(g, 0, sizeof(*g));
	g->kvm = t_require_kvm();
	t_watchdog(30);
	t_assert_ok(ckvm_create_vm(g->kvm, &g->vm));
	g->mem_size = (A64_RAM_SIZE + (size_t)page - 1) & ~((size_t)page - 1);
	p = mmap(NULL, g->mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		fail_msg("mmap guest RAM: %s", strerror(errno));
	g->mem = p;
	memset(&region, 0, sizeof(region));
	region.slot = 0;
	region.flags = slot_flags;
	region.guest_phys_addr = A64_RAM_GPA;
	region.memory_size = g->mem_size;
	region.userspace_addr = (uint64_t)(uintptr_t)g->mem;
	t_assert_ok(ckvm_vm_set_user_memory_region(g->vm, &region));
}

void a64_guest_add_vcpu(struct a64_guest *g, uint64_t extra_features)
{
	t_assert_ok(ckvm_vm_create_vcpu(g->vm, 0, &g->vcpu));
	t_assert_ok(ckvm_vcpu_init_preferred(g->vcpu, g->vm,
					     (1ull << KVM_ARM_VCPU_PSCI_0_2) | extra_features,
					     &g->init));
	assert_true(ckvm_arm64_vcpu_init_has_feature(&g->init, KVM_ARM_VCPU_PSCI_0_2));
}

uint64_t a64_mmio_gpa(const struct a64_guest *g)
{
	return A64_RAM_GPA + g->mem_size;
}

void *a64_gpa(struct a64_guest *g, uint64_t gpa, size_t len)
{
	if (gpa < A64_RAM_GPA || gpa - A64_RAM_GPA > g->mem_size ||
	    len > g->mem_size - (gpa - A64_RAM_GPA))
		fail_msg("GPA 0x%llx+%zu outside guest RAM", (unsigned long long)gpa, len);
	return g->mem + (gpa - A64_RAM_GPA);
}

void a64_set_reg(struct ckvm_vcpu *vcpu, uint64_t id, uint64_t val)
{
	t_assert_ok(ckvm_vcpu_set_one_reg(vcpu, id, &val, sizeof(val)));
}

uint64_t a64_get_reg(struct ckvm_vcpu *vcpu, uint64_t id)
{
	uint64_t val = 0;

	t_assert_ok(ckvm_vcpu_get_one_reg(vcpu, id, &val, sizeof(val)));
	return val;
}

void a64_guest_load(struct a64_guest *g, const void *start, const void *end)
{
	size_t len = (size_t)((const uint8_t *)end - (const uint8_t *)start);

	memcpy(a64_gpa(g, A64_CODE_GPA, len), start, len);
	a64_set_reg(g->vcpu, ckvm_arm64_reg_pc(), A64_CODE_GPA);
	a64_set_reg(g->vcpu, ckvm_arm64_reg_x(8), A64_DATA_GPA);
	a64_set_reg(g->vcpu, ckvm_arm64_reg_x(9), a64_mmio_gpa(g));
}

struct ckvm_exit a64_run_expect(struct a64_guest *g, enum ckvm_exit_kind kind)
{
	struct ckvm_exit e;

	memset(&e, 0, sizeof(e));
	t_assert_ok(ckvm_vcpu_run(g->vcpu, &e));
	if (e.kind != kind)
		fail_msg("exit %s (reason %u), expected %s; pc 0x%llx", ckvm_exit_kind_name(e.kind),
			 e.reason, ckvm_exit_kind_name(kind),
			 (unsigned long long)a64_get_reg(g->vcpu, ckvm_arm64_reg_pc()));
	return e;
}

void a64_run_to_system_off(struct a64_guest *g)
{
	struct ckvm_exit e = a64_run_expect(g, CKVM_EXIT_SYSTEM_EVENT);

	assert_int_equal(e.system_event.type, KVM_SYSTEM_EVENT_SHUTDOWN);
	assert_false(ckvm_arm64_exit_is_psci_off2(&e));
}

void a64_guest_destroy(struct a64_guest *g)
{
	ckvm_vcpu_close(g->vcpu);
	ckvm_vm_close(g->vm);
	ckvm_close(g->kvm);
	if (g->mem)
		munmap(g->mem, g->mem_size);
	memset(g, 0, sizeof(*g));
	t_watchdog(0);
}
