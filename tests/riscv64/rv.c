/* SPDX-License-Identifier: MIT */
/* rv.c - the riscv64 tiny-guest harness, see rv.h. */
#include "rv.h"

#include <string.h>

void rv_guest_create(struct rv_guest *g, uint32_t slot_flags)
{
	memset(g, 0, sizeof(*g));
	g->vm = t_guest_vm(&g->kvm);
	g->mem = t_guest_ram(g->vm, RV_RAM_GPA, RV_RAM_SIZE, slot_flags, &g->mem_size);
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
	return t_guest_ram_at(g->mem, g->mem_size, RV_RAM_GPA, gpa, len);
}

void rv_guest_load(struct rv_guest *g, const void *start, const void *end)
{
	size_t len = (size_t)((const uint8_t *)end - (const uint8_t *)start);

	memcpy(rv_gpa(g, RV_CODE_GPA, len), start, len);
	t_set_reg64(g->vcpu, ckvm_riscv_reg_pc(), RV_CODE_GPA);
	t_set_reg64(g->vcpu, ckvm_riscv_reg_x(24), RV_DATA_GPA);  /* s8 */
	t_set_reg64(g->vcpu, ckvm_riscv_reg_x(25), rv_mmio_gpa(g)); /* s9 */
}

struct ckvm_exit rv_run_expect(struct rv_guest *g, enum ckvm_exit_kind kind)
{
	return t_run_expect(g->vcpu, kind, ckvm_riscv_reg_pc());
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
	t_guest_close(g->kvm, g->vm, g->vcpu, g->mem, g->mem_size);
	memset(g, 0, sizeof(*g));
}

void rv_require_aia(struct rv_guest *g)
{
	if (ckvm_vm_test_create_device(g->vm, KVM_DEV_TYPE_RISCV_AIA) < 0)
		t_skip("needs KVM_DEV_TYPE_RISCV_AIA");
}
