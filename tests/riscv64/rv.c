/* SPDX-License-Identifier: MIT */
/* rv.c - the riscv64 tiny-guest harness, see rv.h. */
#include "rv.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void rv_guest_create(struct rv_guest *g, uint32_t slot_flags)
{
	struct kvm_userspace_memory_region region;
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	memset(g, 0, sizeof(*g));
	g->kvm = t_require_kvm();
	t_watchdog(30);
	t_assert_ok(ckvm_create_vm(g->kvm, &g->vm));
	g->mem_size = (RV_RAM_SIZE + (size_t)page - 1) & ~((size_t)page - 1);
	p = mmap(NULL, g->mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		fail_msg("mmap guest RAM: %s", strerror(errno));
	g->mem = p;
	memset(&region, 0, sizeof(region));
	region.flags = slot_flags;
	region.guest_phys_addr = RV_RAM_GPA;
	region.memory_size = g->mem_size;
	region.userspace_addr = (uint64_t)(uintptr_t)g->mem;
	t_assert_ok(ckvm_vm_set_user_memory_region(g->vm, &region));
}

void rv_guest_add_vcpu(struct rv_guest *g)
{
	t_assert_ok(ckvm_vm_create_vcpu(g->vm, 0, &g->vcpu));
}

uint64_t rv_mmio_gpa(const struct rv_guest *g)
{
	return RV_RAM_GPA + g->mem_size;
}

void *rv_gpa(struct rv_guest *g, uint64_t gpa, size_t len)
{
	if (gpa < RV_RAM_GPA || gpa - RV_RAM_GPA > g->mem_size ||
	    len > g->mem_size - (gpa - RV_RAM_GPA))
		fail_msg("GPA 0x%llx+%zu outside guest RAM", (unsigned long long)gpa, len);
	return g->mem + (gpa - RV_RAM_GPA);
}

void rv_set_reg(struct ckvm_vcpu *vcpu, uint64_t id, uint64_t val)
{
	t_assert_ok(ckvm_vcpu_set_one_reg(vcpu, id, &val, sizeof(val)));
}

uint64_t rv_get_reg(struct ckvm_vcpu *vcpu, uint64_t id)
{
	uint64_t val = 0;

	t_assert_ok(ckvm_vcpu_get_one_reg(vcpu, id, &val, sizeof(val)));
	return val;
}

void rv_guest_load(struct rv_guest *g, const void *start, const void *end)
{
	size_t len = (size_t)((const uint8_t *)end - (const uint8_t *)start);

	memcpy(rv_gpa(g, RV_CODE_GPA, len), start, len);
	rv_set_reg(g->vcpu, ckvm_riscv_reg_pc(), RV_CODE_GPA);
	rv_set_reg(g->vcpu, ckvm_riscv_reg_x(24), RV_DATA_GPA);  /* s8 */
	rv_set_reg(g->vcpu, ckvm_riscv_reg_x(25), rv_mmio_gpa(g)); /* s9 */
}

struct ckvm_exit rv_run_expect(struct rv_guest *g, enum ckvm_exit_kind kind)
{
	struct ckvm_exit e;

	memset(&e, 0, sizeof(e));
	t_assert_ok(ckvm_vcpu_run(g->vcpu, &e));
	if (e.kind != kind)
		fail_msg("exit %s (reason %u), expected %s; pc 0x%llx", ckvm_exit_kind_name(e.kind),
			 e.reason, ckvm_exit_kind_name(kind),
			 (unsigned long long)rv_get_reg(g->vcpu, ckvm_riscv_reg_pc()));
	return e;
}

uint64_t rv_run_mmio_write64(struct rv_guest *g)
{
	struct ckvm_exit e = rv_run_expect(g, CKVM_EXIT_MMIO_WRITE);
	uint64_t v;

	assert_int_equal(e.mmio.gpa, rv_mmio_gpa(g));
	assert_int_equal(e.mmio.len, 8);
	memcpy(&v, e.mmio.data, sizeof(v));
	return v;
}

void rv_run_to_shutdown(struct rv_guest *g)
{
	struct ckvm_exit e = rv_run_expect(g, CKVM_EXIT_SYSTEM_EVENT);

	assert_int_equal(e.system_event.type, KVM_SYSTEM_EVENT_SHUTDOWN);
}

void rv_guest_destroy(struct rv_guest *g)
{
	ckvm_vcpu_close(g->vcpu);
	ckvm_vm_close(g->vm);
	ckvm_close(g->kvm);
	if (g->mem)
		munmap(g->mem, g->mem_size);
	memset(g, 0, sizeof(*g));
	t_watchdog(0);
}
