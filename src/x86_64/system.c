/* SPDX-License-Identifier: MIT */
/*
 * x86_64/system.c - x86 system ioctls: supported/emulated/Hyper-V CPUID,
 * MSR index lists, feature-MSR reads and the MCE capability on /dev/kvm.
 */
#include "internal.h"

/*
 * First guesses; the queries grow on E2BIG up to the type's limit. 256 is
 * the kernel's own KVM_MAX_CPUID_ENTRIES, so a VMM start pays one CPUID
 * call, not a failing one first (0.2 ms each on a software KVM).
 */
#define CPUID_FIRST_GUESS 256u
#define MSR_LIST_FIRST_GUESS 16u

/*
 * A CPUID-style query into a new buffer: nent = capacity before each try,
 * doubled on E2BIG (KVM does not say how many it needs) up to
 * CKVM_MAX_CPUID_ENTRIES. *out is set only on success. Shared by the
 * system and vCPU queries (the caller has checked its handle).
 */
int ckvm__cpuid_query(int fd, unsigned long req, uint32_t first, struct kvm_cpuid2 **out)
{
	struct kvm_cpuid2 *c = NULL;
	uint32_t cap = first;
	int r;

	if (!out)
		return -EINVAL;
	r = ckvm_cpuid2_alloc(cap, &c);
	if (r < 0)
		return r;
	for (;;) {
		c->nent = cap;
		r = ckvm__ioctl(fd, req, c);
		if (r != -E2BIG)
			break;
		if (cap >= CKVM_MAX_CPUID_ENTRIES)
			break;
		cap = cap * 2 > CKVM_MAX_CPUID_ENTRIES ? CKVM_MAX_CPUID_ENTRIES : cap * 2;
		c->nent = 0;
		r = ckvm_cpuid2_reserve(&c, cap);
		if (r < 0)
			break;
	}
	if (r < 0) {
		ckvm_cpuid2_free(c);
		return r;
	}
	*out = c;
	return 0;
}

static int get_cpuid(struct ckvm *kvm, unsigned long req, struct kvm_cpuid2 **out)
{
	if (!kvm || !out)
		return -EINVAL;
	return ckvm__cpuid_query(kvm->fd, req, CPUID_FIRST_GUESS, out);
}

int ckvm_get_supported_cpuid(struct ckvm *kvm, struct kvm_cpuid2 **out)
{
	return get_cpuid(kvm, KVM_GET_SUPPORTED_CPUID, out);
}

int ckvm_get_emulated_cpuid(struct ckvm *kvm, struct kvm_cpuid2 **out)
{
	return get_cpuid(kvm, KVM_GET_EMULATED_CPUID, out);
}

int ckvm_get_supported_hv_cpuid(struct ckvm *kvm, struct kvm_cpuid2 **out)
{
	if (!kvm || !out)
		return -EINVAL;
	return ckvm__cpuid_query(kvm->fd, KVM_GET_SUPPORTED_HV_CPUID, CKVM__HV_CPUID_FIRST_GUESS, out);
}

int ckvm_get_mce_cap_supported(struct ckvm *kvm, uint64_t *mcg_cap)
{
	__u64 v = 0;
	int r;

	if (!kvm || !mcg_cap)
		return -EINVAL;
	r = ckvm__ioctl(kvm->fd, KVM_X86_GET_MCE_CAP_SUPPORTED, &v);
	if (r < 0)
		return r;
	*mcg_cap = v;
	return 0;
}

static int get_msr_list(struct ckvm *kvm, unsigned long req, struct kvm_msr_list **out)
{
	struct kvm_msr_list *l = NULL;
	uint32_t cap = MSR_LIST_FIRST_GUESS;
	int r, tries;

	if (!kvm || !out)
		return -EINVAL;
	r = ckvm_msr_list_alloc(cap, &l);
	if (r < 0)
		return r;
	for (tries = 0; tries < 8; tries++) {
		l->nmsrs = cap;
		r = ckvm__ioctl(kvm->fd, req, l);
		if (r != -E2BIG)
			break;
		/* The kernel wrote the number it needs into nmsrs. */
		if (l->nmsrs <= cap || l->nmsrs > CKVM_MAX_MSR_ENTRIES)
			break;
		cap = l->nmsrs;
		l->nmsrs = 0;
		r = ckvm_fam_reserve(&ckvm__msr_list_type, (void **)&l, cap);
		if (r < 0)
			break;
	}
	if (r < 0) {
		ckvm_msr_list_free(l);
		return r;
	}
	*out = l;
	return 0;
}

int ckvm_get_msr_index_list(struct ckvm *kvm, struct kvm_msr_list **out)
{
	return get_msr_list(kvm, KVM_GET_MSR_INDEX_LIST, out);
}

int ckvm_get_msr_feature_index_list(struct ckvm *kvm, struct kvm_msr_list **out)
{
	return get_msr_list(kvm, KVM_GET_MSR_FEATURE_INDEX_LIST, out);
}

int ckvm_get_msrs(struct ckvm *kvm, struct kvm_msrs *msrs)
{
	if (!kvm || !msrs)
		return -EINVAL;
	if (msrs->nmsrs > CKVM_MAX_MSR_ENTRIES)
		return -E2BIG;
	return ckvm__ioctl(kvm->fd, KVM_GET_MSRS, msrs);
}
