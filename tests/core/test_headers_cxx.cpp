// SPDX-License-Identifier: MIT
//
// test_headers_cxx.cpp (unit) - <ckvm.h> compiled as C++11 (-Wall -Wextra)
// and linked against the C library: the extern "C" guards work and the
// inline helpers are valid C++.
#include <ckvm.h>

#include <cstdio>
#include <cstring>

static int failures;

#define CHECK(cond) do { \
	if (!(cond)) { std::fprintf(stderr, "FAIL: %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } \
} while (0)

int main()
{
	struct kvm_cpuid2 *c = nullptr;
	struct kvm_irq_routing *r = nullptr;

	CHECK(std::strcmp(ckvm_version(), CKVM_VERSION_STRING) == 0);
	CHECK(ckvm_version_number() == CKVM_VERSION_NUMBER);
	CHECK(std::strcmp(ckvm_cap_name(KVM_CAP_IRQCHIP), "KVM_CAP_IRQCHIP") == 0);
	CHECK(ckvm_cap_from_name("user_memory2") == KVM_CAP_USER_MEMORY2);
	CHECK(ckvm_reg_size(KVM_REG_SIZE_U32) == 4);
	CHECK(ckvm_irq_routing_alloc(2, &r) == 0);
	CHECK(ckvm_irq_routing_push_msi(r, 1, 0xfee00000u, 0x30) == 0);
	CHECK(r->nr == 1);
	ckvm_irq_routing_free(r);
#if defined(__x86_64__)
	CHECK(ckvm_cpuid2_alloc(4, &c) == 0);
	CHECK(ckvm_cpuid2_capacity(c) == 4);
	ckvm_cpuid2_free(c);
#else
	(void)c;
#endif
	// linkage of the close functions (NULL is allowed)
	ckvm_close(nullptr);
	ckvm_vm_close(nullptr);
	ckvm_vcpu_close(nullptr);
	ckvm_device_close(nullptr);
	ckvm_stats_close(nullptr);
	CHECK(ckvm_exit_kind_name(CKVM_EXIT_HLT) != nullptr);
	if (failures)
		return 1;
	std::printf("ok: <ckvm.h> compiles and links as C++ (__cplusplus=%ld)\n", (long)__cplusplus);
	return 0;
}
