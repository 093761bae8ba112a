/* SPDX-License-Identifier: MIT */
/*
 * ckvm-info - report what this host's KVM offers.
 *
 * Uses only ckvm's public API. See ckvm-info(1).
 *
 * Exit status: 0 KVM usable, 1 other error (e.g. not a KVM device),
 * 2 usage error, 3 no KVM (device node missing or no driver),
 * 4 permission denied, 5 KVM too old for ckvm.
 */
#include <ckvm.h>

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "x86_names.h"

enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_USAGE = 2,
	EXIT_MISSING = 3,
	EXIT_PERMISSION = 4,
	EXIT_TOO_OLD = 5,
};

static const char *const status_names[] = {
	[EXIT_OK] = "ok",
	[EXIT_ERROR] = "error",
	[EXIT_USAGE] = "usage",
	[EXIT_MISSING] = "missing",
	[EXIT_PERMISSION] = "permission-denied",
	[EXIT_TOO_OLD] = "too-old",
};

struct cap_row {
	long num;
	const char *name;
	int sys;   /* value or -errno */
	int vm;    /* value or -errno; -ENODEV when no VM could be created */
};

struct verdict {
	const char *need;
	bool ok;
	char detail[160];
};

struct device_row {
	uint32_t type;
	const char *name;
	int result; /* 0 creatable, -errno otherwise */
};

#define MAX_VERDICTS 16
#define MAX_DEVICES 16

struct info {
	const char *path;
	int status;
	char message[1024];

	/* device node */
	bool have_stat;
	int stat_errno;
	struct stat st;
	char owner[64];
	char group[64];

	struct utsname uts;
	char modules[160];

	/* system */
	int api_version;
	int mmap_size;
	int nr_vcpus, max_vcpus, max_vcpu_id, nr_memslots, address_spaces;
	int vm_err;
	char vm_types[256];
	uint64_t vm_types_mask;

	struct cap_row *caps;
	size_t ncaps;
	size_t caps_present;

	struct device_row devices[MAX_DEVICES];
	size_t ndevices;

	struct verdict verdicts[MAX_VERDICTS];
	size_t nverdicts;

#if defined(__x86_64__)
	struct kvm_cpuid2 *supported, *emulated;
	int supported_err, emulated_err;
	struct kvm_msr_list *msr_index, *msr_feature;
	int msr_index_err, msr_feature_err;
	struct kvm_msrs *feature_values; /* values read with KVM_GET_MSRS on /dev/kvm */
	int feature_values_read;
#endif
};

static const char *prog = "ckvm-info";

/* ---- helpers -------------------------------------------------------------- */

static void set_message(struct info *in, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_message(struct info *in, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(in->message, sizeof(in->message), fmt, ap);
	va_end(ap);
}

static const struct cap_row *find_cap(const struct info *in, const char *name)
{
	long num = ckvm_cap_from_name(name);
	if (num < 0)
		return NULL;
	for (size_t i = 0; i < in->ncaps; i++)
		if (in->caps[i].num == num)
			return &in->caps[i];
	return NULL;
}

/* The capability's value, VM scope when a VM exists, else system scope; 0 if unknown/error. */
static int cap_val(const struct info *in, const char *name)
{
	const struct cap_row *c = find_cap(in, name);
	if (!c)
		return 0;
	if (c->vm >= 0 && in->vm_err == 0)
		return c->vm;
	return c->sys > 0 ? c->sys : 0;
}

static int sys_cap_val(const struct info *in, const char *name)
{
	const struct cap_row *c = find_cap(in, name);
	return c && c->sys > 0 ? c->sys : 0;
}

static void add_verdict(struct info *in, const char *need, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add_verdict(struct info *in, const char *need, bool ok, const char *fmt, ...)
{
	struct verdict *v;
	va_list ap;

	if (in->nverdicts >= MAX_VERDICTS)
		return;
	v = &in->verdicts[in->nverdicts++];
	v->need = need;
	v->ok = ok;
	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
}

static void mode_string(mode_t m, char out[11])
{
	out[0] = S_ISCHR(m) ? 'c' : S_ISBLK(m) ? 'b' : S_ISDIR(m) ? 'd' : S_ISREG(m) ? '-' : '?';
	out[1] = (m & S_IRUSR) ? 'r' : '-';
	out[2] = (m & S_IWUSR) ? 'w' : '-';
	out[3] = (m & S_IXUSR) ? 'x' : '-';
	out[4] = (m & S_IRGRP) ? 'r' : '-';
	out[5] = (m & S_IWGRP) ? 'w' : '-';
	out[6] = (m & S_IXGRP) ? 'x' : '-';
	out[7] = (m & S_IROTH) ? 'r' : '-';
	out[8] = (m & S_IWOTH) ? 'w' : '-';
	out[9] = (m & S_IXOTH) ? 'x' : '-';
	out[10] = '\0';
}

static bool in_process_groups(gid_t gid)
{
	gid_t groups[256];
	int n;

	if (getegid() == gid)
		return true;
	n = getgroups(256, groups);
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/* Is the calling user listed as a member of gid in the group database? */
static bool in_group_database(gid_t gid)
{
	struct passwd *pw = getpwuid(geteuid());
	gid_t groups[256];
	int n = 256;

	if (!pw)
		return false;
	if (pw->pw_gid == gid)
		return true;
	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
		return false;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

static void stat_device(struct info *in)
{
	struct passwd *pw;
	struct group *gr;

	if (stat(in->path, &in->st) < 0) {
		in->stat_errno = errno;
		return;
	}
	in->have_stat = true;
	pw = getpwuid(in->st.st_uid);
	gr = getgrgid(in->st.st_gid);
	if (pw)
		snprintf(in->owner, sizeof(in->owner), "%s", pw->pw_name);
	else
		snprintf(in->owner, sizeof(in->owner), "%u", (unsigned)in->st.st_uid);
	if (gr)
		snprintf(in->group, sizeof(in->group), "%s", gr->gr_name);
	else
		snprintf(in->group, sizeof(in->group), "%u", (unsigned)in->st.st_gid);
}

static void read_modules(struct info *in)
{
	static const char *const mods[] = { "kvm_intel", "kvm_amd", "kvm_pvm", "kvm_arm",
					    "kvm_riscv" };
	char path[64];
	size_t used = 0;

	in->modules[0] = '\0';
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		snprintf(path, sizeof(path), "/sys/module/%s", mods[i]);
		if (access(path, F_OK) == 0 && used + strlen(mods[i]) + 2 < sizeof(in->modules))
			used += (size_t)snprintf(in->modules + used, sizeof(in->modules) - used,
						 "%s%s", used ? " " : "", mods[i]);
	}
}

/* ---- the failure messages --------------------------------------------------- */

static void explain_missing(struct info *in, int err)
{
	if (err == -ENOENT && !in->have_stat) {
		set_message(in,
			"%s does not exist: this kernel offers no KVM. Load the module for your CPU "
			"(modprobe kvm_intel or modprobe kvm_amd), enable virtualization (VT-x/AMD-V) "
			"in the firmware, or, inside a virtual machine, enable nested virtualization.",
			in->path);
	} else {
		set_message(in,
			"%s exists but no KVM driver answers (%s): load the KVM module for your CPU "
			"(modprobe kvm_intel or modprobe kvm_amd).",
			in->path, strerror(-err));
	}
}

static void explain_permission(struct info *in)
{
	char mode[11] = "?";
	const char *grp = in->group[0] ? in->group : "kvm";
	bool group_rw;

	if (!in->have_stat) {
		set_message(in, "%s: permission denied (%s); cannot even look at the device node.",
			    in->path, strerror(in->stat_errno));
		return;
	}
	mode_string(in->st.st_mode, mode);
	group_rw = (in->st.st_mode & (S_IRGRP | S_IWGRP)) == (S_IRGRP | S_IWGRP);
	if (group_rw && !in_process_groups(in->st.st_gid) && in_group_database(in->st.st_gid)) {
		set_message(in,
			"%s: permission denied (%s %s:%s). You are a member of group '%s', but this "
			"session started before you were added: log out and back in, or run "
			"'newgrp %s'.",
			in->path, mode, in->owner, in->group, grp, grp);
	} else if (group_rw && !in_process_groups(in->st.st_gid)) {
		set_message(in,
			"%s: permission denied (%s %s:%s). Join group '%s' to use KVM: "
			"sudo usermod -aG %s \"$USER\", then log out and back in.",
			in->path, mode, in->owner, in->group, grp, grp);
	} else if (group_rw) {
		set_message(in,
			"%s: permission denied (%s %s:%s) although you are in group '%s': an ACL, "
			"a security module (SELinux/AppArmor) or a container's device rules deny "
			"access.",
			in->path, mode, in->owner, in->group, grp);
	} else {
		set_message(in,
			"%s: permission denied (%s %s:%s). The device's group '%s' has no read/write "
			"access, so only '%s' can use KVM. Ask an administrator to grant a group "
			"access (e.g. chgrp kvm %s && chmod 0660 %s, made permanent by a udev rule), "
			"then join that group (sudo usermod -aG kvm \"$USER\").",
			in->path, mode, in->owner, in->group, grp, in->owner, in->path, in->path);
	}
}

/* ---- gathering ------------------------------------------------------------------ */

static int gather_caps(struct info *in, struct ckvm *kvm, struct ckvm_vm *vm)
{
	size_t n = 0;

	while (ckvm_cap_by_index(n) >= 0)
		n++;
	in->caps = calloc(n ? n : 1, sizeof(*in->caps));
	if (!in->caps)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct cap_row *c = &in->caps[i];
		c->num = ckvm_cap_by_index(i);
		c->name = ckvm_cap_name(c->num);
		c->sys = ckvm_check_extension(kvm, c->num);
		c->vm = vm ? ckvm_vm_check_extension(vm, c->num) : -ENODEV;
		if (c->sys > 0 || c->vm > 0)
			in->caps_present++;
	}
	in->ncaps = n;
	return 0;
}

/* Name of VM type t ("KVM_X86_SEV_VM"), or NULL when ckvm-info has none. */
static const char *vm_type_name(unsigned t)
{
#if defined(__x86_64__)
	static const char *const names[] = {
		"KVM_X86_DEFAULT_VM", "KVM_X86_SW_PROTECTED_VM", "KVM_X86_SEV_VM",
		"KVM_X86_SEV_ES_VM", "KVM_X86_SNP_VM", "KVM_X86_TDX_VM",
	};
	return t < sizeof(names) / sizeof(names[0]) ? names[t] : NULL;
#else
	return t == 0 ? "default" : NULL;
#endif
}

static void gather_vm_types(struct info *in)
{
	size_t used = 0;
#if defined(__x86_64__)
	int v = sys_cap_val(in, "KVM_CAP_VM_TYPES");

	/* Without KVM_CAP_VM_TYPES only the default type exists. */
	in->vm_types_mask = v > 0 ? (uint64_t)(unsigned)v : 1;
	for (unsigned t = 0; t < 32; t++) {
		if (!(in->vm_types_mask & (1ull << t)))
			continue;
		if (vm_type_name(t))
			used += (size_t)snprintf(in->vm_types + used, sizeof(in->vm_types) - used,
						 "%s%s", used ? " " : "", vm_type_name(t));
		else
			used += (size_t)snprintf(in->vm_types + used, sizeof(in->vm_types) - used,
						 "%stype%u", used ? " " : "", t);
		if (used >= sizeof(in->vm_types))
			break;
	}
#elif defined(__aarch64__)
	int ipa = sys_cap_val(in, "KVM_CAP_ARM_VM_IPA_SIZE");
	in->vm_types_mask = 1;
	if (ipa > 0)
		snprintf(in->vm_types, sizeof(in->vm_types), "default; IPA size 32..%d bits", ipa);
	else
		snprintf(in->vm_types, sizeof(in->vm_types), "default (40-bit IPA)");
	(void)used;
#else
	in->vm_types_mask = 1;
	snprintf(in->vm_types, sizeof(in->vm_types), "default");
	(void)used;
#endif
}

static void gather_devices(struct info *in, struct ckvm_vm *vm)
{
	static const char *const names[] = {
		NULL, "FSL_MPIC_20", "FSL_MPIC_42", "XICS", "VFIO", "ARM_VGIC_V2", "FLIC",
		"ARM_VGIC_V3", "ARM_VGIC_ITS", "XIVE", "ARM_PV_TIME", "RISCV_AIA",
	};
	if (!vm)
		return;
	for (uint32_t t = 1; t < sizeof(names) / sizeof(names[0]) && in->ndevices < MAX_DEVICES; t++) {
		struct device_row *d = &in->devices[in->ndevices++];
		d->type = t;
		d->name = names[t];
		d->result = ckvm_vm_test_create_device(vm, t);
	}
}

#if defined(__x86_64__)
static void gather_x86(struct info *in, struct ckvm *kvm)
{
	in->supported_err = ckvm_get_supported_cpuid(kvm, &in->supported);
	in->emulated_err = ckvm_get_emulated_cpuid(kvm, &in->emulated);
	in->msr_index_err = ckvm_get_msr_index_list(kvm, &in->msr_index);
	in->msr_feature_err = ckvm_get_msr_feature_index_list(kvm, &in->msr_feature);
	in->feature_values_read = -ENODATA;
	if (in->msr_feature_err >= 0 && in->msr_feature && in->msr_feature->nmsrs &&
	    ckvm_msrs_alloc(in->msr_feature->nmsrs, &in->feature_values) == 0) {
		for (uint32_t i = 0; i < in->msr_feature->nmsrs; i++)
			ckvm_msrs_push(in->feature_values, in->msr_feature->indices[i], 0);
		in->feature_values_read = ckvm_get_msrs(kvm, in->feature_values);
	}
}
#endif

static void gather_verdicts(struct info *in)
{
	int v, w;

	v = cap_val(in, "KVM_CAP_IRQCHIP");
	w = cap_val(in, "KVM_CAP_SPLIT_IRQCHIP");
#if defined(__x86_64__)
	add_verdict(in, "in-kernel irqchip", v > 0, "%s%s",
		    v > 0 ? "KVM_CREATE_IRQCHIP (PIC+IOAPIC+LAPIC)" : "KVM_CAP_IRQCHIP absent",
		    w > 0 ? "; split irqchip (KVM_CAP_SPLIT_IRQCHIP)" : "");
#else
	add_verdict(in, "in-kernel irqchip", v > 0, "%s",
		    v > 0 ? "KVM_CAP_IRQCHIP" : "KVM_CAP_IRQCHIP absent");
#endif
	v = cap_val(in, "KVM_CAP_DIRTY_LOG_RING_ACQ_REL");
	w = cap_val(in, "KVM_CAP_DIRTY_LOG_RING");
	if (v > 0 || w > 0) {
		int bytes = v > 0 ? v : w;
		add_verdict(in, "dirty ring", true, "up to %d bytes (%d entries) per vCPU%s", bytes,
			    bytes / (int)sizeof(struct kvm_dirty_gfn),
			    v > 0 ? ", acquire/release ordering" : "");
	} else {
		add_verdict(in, "dirty ring", false,
			    "KVM_CAP_DIRTY_LOG_RING absent; use the dirty bitmap (KVM_GET_DIRTY_LOG)");
	}
	v = cap_val(in, "KVM_CAP_GUEST_MEMFD");
	w = cap_val(in, "KVM_CAP_USER_MEMORY2");
	add_verdict(in, "guest_memfd", v > 0 && w > 0, "%s, %s",
		    v > 0 ? "KVM_CAP_GUEST_MEMFD" : "KVM_CAP_GUEST_MEMFD absent (default VM type)",
		    w > 0 ? "KVM_SET_USER_MEMORY_REGION2" : "KVM_CAP_USER_MEMORY2 absent");
	v = cap_val(in, "KVM_CAP_SYNC_REGS");
#if defined(__x86_64__)
	add_verdict(in, "sync regs", v > 0, "mask %#x%s%s%s", (unsigned)(v > 0 ? v : 0),
		    (v & KVM_SYNC_X86_REGS) ? " regs" : "", (v & KVM_SYNC_X86_SREGS) ? " sregs" : "",
		    (v & KVM_SYNC_X86_EVENTS) ? " events" : "");
#else
	add_verdict(in, "sync regs", v > 0, "mask %#x", (unsigned)(v > 0 ? v : 0));
#endif
	v = cap_val(in, "KVM_CAP_IMMEDIATE_EXIT");
	add_verdict(in, "vCPU kick (immediate_exit)", v > 0, "%s",
		    v > 0 ? "ckvm_vcpu_kick() is race-free" : "KVM_CAP_IMMEDIATE_EXIT absent");
	v = cap_val(in, "KVM_CAP_IRQFD");
	w = cap_val(in, "KVM_CAP_IOEVENTFD");
	add_verdict(in, "irqfd + ioeventfd", v > 0 && w > 0, "KVM_CAP_IRQFD=%d KVM_CAP_IOEVENTFD=%d",
		    v, w);
	v = cap_val(in, "KVM_CAP_COALESCED_MMIO");
	add_verdict(in, "coalesced MMIO", v > 0, "ring at page offset %d of the vCPU mapping", v);
	v = cap_val(in, "KVM_CAP_BINARY_STATS_FD");
	add_verdict(in, "binary stats", v > 0, "%s",
		    v > 0 ? "KVM_GET_STATS_FD on VM and vCPU" : "KVM_CAP_BINARY_STATS_FD absent");
#if defined(__x86_64__)
	v = cap_val(in, "KVM_CAP_XSAVE2");
	add_verdict(in, "XSAVE2", v > 0, "xsave buffer %d bytes", v > 0 ? v : 4096);
	v = cap_val(in, "KVM_CAP_NESTED_STATE");
	add_verdict(in, "nested state", v > 0, "%s",
		    v > 0 ? "KVM_GET/SET_NESTED_STATE available"
			  : "KVM_CAP_NESTED_STATE absent (no nested virtualization to save)");
#endif
}

/*
 * Open the device and fill in everything. Returns the exit status. With
 * a failure, in->message says why.
 */
static int gather(struct info *in)
{
	struct ckvm *kvm = NULL;
	struct ckvm_vm *vm = NULL;
	int r;

	uname(&in->uts);
	read_modules(in);
	stat_device(in);

	r = ckvm_open_path(in->path, &kvm);
	if (r == -ENOENT || r == -ENODEV || r == -ENXIO) {
		explain_missing(in, r);
		return EXIT_MISSING;
	}
	if (r == -EACCES || r == -EPERM) {
		explain_permission(in);
		return EXIT_PERMISSION;
	}
	if (r == -EPROTO) {
		set_message(in,
			"%s: the KVM API version is not 12: this kernel's KVM is too old (or too new) "
			"for ckvm (kernel %s).", in->path, in->uts.release);
		return EXIT_TOO_OLD;
	}
	if (r == -ENOTTY || r == -EINVAL) {
		set_message(in, "%s is not a KVM device (%s).", in->path, strerror(-r));
		return EXIT_ERROR;
	}
	if (r < 0) {
		set_message(in, "%s: cannot open: %s.", in->path, strerror(-r));
		return EXIT_ERROR;
	}

	in->api_version = ckvm_get_api_version(kvm);
	in->mmap_size = ckvm_get_vcpu_mmap_size(kvm);
	in->nr_vcpus = ckvm_get_nr_vcpus(kvm);
	in->max_vcpus = ckvm_get_max_vcpus(kvm);
	in->max_vcpu_id = ckvm_get_max_vcpu_id(kvm);
	in->nr_memslots = ckvm_get_nr_memslots(kvm);

	in->vm_err = ckvm_create_vm(kvm, &vm);
	if (in->vm_err < 0)
		vm = NULL;

	r = gather_caps(in, kvm, vm);
	if (r < 0) {
		set_message(in, "out of memory");
		ckvm_vm_close(vm);
		ckvm_close(kvm);
		return EXIT_ERROR;
	}
	in->address_spaces = cap_val(in, "KVM_CAP_MULTI_ADDRESS_SPACE");
	if (in->address_spaces <= 0)
		in->address_spaces = 1;
	gather_vm_types(in);
	gather_devices(in, vm);
#if defined(__x86_64__)
	gather_x86(in, kvm);
#endif
	gather_verdicts(in);

	ckvm_vm_close(vm);
	ckvm_close(kvm);

	/* What ckvm itself cannot do without. */
	if (sys_cap_val(in, "KVM_CAP_USER_MEMORY") <= 0) {
		set_message(in, "%s: KVM lacks KVM_CAP_USER_MEMORY: too old for ckvm (kernel %s).",
			    in->path, in->uts.release);
		return EXIT_TOO_OLD;
	}
	if (sys_cap_val(in, "KVM_CAP_IMMEDIATE_EXIT") <= 0) {
		set_message(in,
			"%s: KVM lacks KVM_CAP_IMMEDIATE_EXIT (Linux 4.11): too old for ckvm, whose "
			"vCPU kick needs it (kernel %s).", in->path, in->uts.release);
		return EXIT_TOO_OLD;
	}
	if (in->vm_err < 0) {
		set_message(in, "%s: KVM_CREATE_VM failed: %s.", in->path, strerror(-in->vm_err));
		return EXIT_ERROR;
	}
	set_message(in, "KVM is usable: API version %d, %zu of %zu known capabilities present.",
		    in->api_version, in->caps_present, in->ncaps);
	return EXIT_OK;
}

/* ---- text output ------------------------------------------------------------------- */

static void text_kv(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_kv(const char *key, const char *fmt, ...)
{
	va_list ap;
	printf("  %-22s ", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A capability value for the table: the number, "-" without a VM, "E<errno>" on error. */
static void text_value(int v, char *buf, size_t len)
{
	if (v >= 0)
		snprintf(buf, len, "%d", v);
	else if (v == -ENODEV)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "E%d", -v);
}

#if defined(__x86_64__)
static uint32_t reg_of(const struct kvm_cpuid_entry2 *e, enum x86_reg r)
{
	switch (r) {
	case X86_EAX: return e->eax;
	case X86_EBX: return e->ebx;
	case X86_ECX: return e->ecx;
	default: return e->edx;
	}
}

static const struct kvm_cpuid_entry2 *cpuid_find(const struct kvm_cpuid2 *c, uint32_t fn,
						 uint32_t idx)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn &&
		    (!(c->entries[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     c->entries[i].index == idx))
			return &c->entries[i];
	return NULL;
}

static void cpuid_vendor(const struct kvm_cpuid2 *c, uint32_t fn, char out[13])
{
	const struct kvm_cpuid_entry2 *e = cpuid_find(c, fn, 0);
	uint32_t w[3];

	out[0] = '\0';
	if (!e)
		return;
	if (fn == 0) {
		w[0] = e->ebx; w[1] = e->edx; w[2] = e->ecx;
	} else {
		w[0] = e->ebx; w[1] = e->ecx; w[2] = e->edx;
	}
	memcpy(out, w, 12);
	out[12] = '\0';
	for (int i = 0; i < 12; i++)
		if (out[i] && (out[i] < 0x20 || out[i] > 0x7e))
			out[i] = '.';
}

static void text_cpuid(const char *title, const struct kvm_cpuid2 *c, int err, bool brief)
{
	char vendor[13];

	printf("\n%s CPUID", title);
	if (err < 0 || !c) {
		printf(": unavailable (%s)\n", strerror(-err));
		return;
	}
	printf(" (%u entries)\n", c->nent);
	cpuid_vendor(c, 0, vendor);
	if (vendor[0])
		text_kv("vendor", "%s", vendor);
	cpuid_vendor(c, 0x40000000, vendor);
	if (vendor[0])
		text_kv("hypervisor signature", "%s", vendor);
	if (!brief) {
		printf("  %-10s %-4s %-5s %-10s %-10s %-10s %s\n", "LEAF", "SUB", "FLAGS", "EAX",
		       "EBX", "ECX", "EDX");
		for (uint32_t i = 0; i < c->nent; i++) {
			const struct kvm_cpuid_entry2 *e = &c->entries[i];
			printf("  0x%08x %-4u 0x%03x 0x%08x 0x%08x 0x%08x 0x%08x\n", e->function,
			       e->index, e->flags, e->eax, e->ebx, e->ecx, e->edx);
		}
	}
	printf("  features:\n");
	for (const struct x86_cpuid_word *w = x86_cpuid_words; w->names; w++) {
		const struct kvm_cpuid_entry2 *e = cpuid_find(c, w->function, w->index);
		uint32_t bits;
		int col;

		if (!e || !(bits = reg_of(e, w->reg)))
			continue;
		col = printf("    0x%08x.%u %s:", w->function, w->index, x86_reg_name(w->reg));
		for (int b = 0; b < 32; b++) {
			char unnamed[8];
			const char *n = w->names[b];
			if (!(bits & (1u << b)))
				continue;
			if (!n) {
				snprintf(unnamed, sizeof(unnamed), "bit%d", b);
				n = unnamed;
			}
			if (col + 1 + (int)strlen(n) > 100) {
				printf("\n%*s", 20, "");
				col = 20;
			}
			col += printf(" %s", n);
		}
		putchar('\n');
	}
}

static void text_msrs(const char *title, const struct kvm_msr_list *l, int err,
		      const struct kvm_msrs *values, int nvalues)
{
	char buf[64];

	printf("\n%s", title);
	if (err < 0 || !l) {
		printf(": unavailable (%s)\n", strerror(-err));
		return;
	}
	printf(" (%u)\n", l->nmsrs);
	for (uint32_t i = 0; i < l->nmsrs; i++) {
		const char *n = x86_msr_name(l->indices[i], buf, sizeof(buf));
		if (values && (int)i < nvalues && values->entries[i].index == l->indices[i])
			printf("  0x%08x  %-36s 0x%016" PRIx64, l->indices[i], n ? n : "",
			       (uint64_t)values->entries[i].data);
		else
			printf("  0x%08x  %s", l->indices[i], n ? n : "");
		putchar('\n');
	}
}
#endif

static void print_text(const struct info *in, bool brief)
{
	char mode[11];
	char a[16], b[16];

	printf("ckvm-info %s (libckvm %s)\n\n", CKVM_VERSION_STRING, ckvm_version());
	printf("System\n");
	if (in->have_stat) {
		mode_string(in->st.st_mode, mode);
		text_kv("device", "%s (%s %s:%s, %u:%u)", in->path, mode, in->owner, in->group,
			major(in->st.st_rdev), minor(in->st.st_rdev));
	} else {
		text_kv("device", "%s (%s)", in->path, strerror(in->stat_errno));
	}
	text_kv("kernel", "%s %s %s", in->uts.sysname, in->uts.release, in->uts.machine);
	text_kv("kvm modules", "%s", in->modules[0] ? in->modules : "(none found in /sys/module)");
	if (in->status != EXIT_OK && in->ncaps == 0) {
		/* The reason goes to stderr (see main). */
		text_kv("status", "%s", status_names[in->status]);
		return;
	}
	text_kv("API version", "%d", in->api_version);
	text_kv("vcpu mmap size", "%d bytes", in->mmap_size);
	text_kv("vCPUs", "recommended %d, max %d, max id %d", in->nr_vcpus, in->max_vcpus,
		in->max_vcpu_id);
	text_kv("memslots", "%d per address space, %d address space%s", in->nr_memslots,
		in->address_spaces, in->address_spaces == 1 ? "" : "s");
	text_kv("VM types", "%s", in->vm_types);
	if (in->vm_err < 0)
		text_kv("VM", "KVM_CREATE_VM failed: %s", strerror(-in->vm_err));

	printf("\nVerdict\n");
	for (size_t i = 0; i < in->nverdicts; i++)
		printf("  %-28s %-3s  %s\n", in->verdicts[i].need, in->verdicts[i].ok ? "yes" : "no",
		       in->verdicts[i].detail);
	printf("  %-28s %-3s  %s\n", "ckvm", in->status == EXIT_OK ? "yes" : "no", in->message);

	if (in->ndevices) {
		printf("\nDevices (KVM_CREATE_DEVICE_TEST)\n");
		for (size_t i = 0; i < in->ndevices; i++)
			printf("  %-28s %s\n", in->devices[i].name,
			       in->devices[i].result == 0 ? "yes" : "no");
	}

	if (!brief) {
		printf("\nCapabilities (%zu known, %zu present)\n", in->ncaps, in->caps_present);
		printf("  %-40s %5s %10s %10s\n", "NAME", "NUM", "SYSTEM", "VM");
		for (size_t i = 0; i < in->ncaps; i++) {
			text_value(in->caps[i].sys, a, sizeof(a));
			text_value(in->caps[i].vm, b, sizeof(b));
			printf("  %-40s %5ld %10s %10s\n", in->caps[i].name ? in->caps[i].name : "?",
			       in->caps[i].num, a, b);
		}
	}
#if defined(__x86_64__)
	text_cpuid("Supported", in->supported, in->supported_err, brief);
	text_cpuid("Emulated", in->emulated, in->emulated_err, brief);
	if (!brief) {
		text_msrs("MSR index list", in->msr_index, in->msr_index_err, NULL, 0);
		text_msrs("Feature MSRs (index, name, value from KVM_GET_MSRS on /dev/kvm)",
			  in->msr_feature, in->msr_feature_err, in->feature_values,
			  in->feature_values_read);
	}
#endif
}

/* ---- JSON output ------------------------------------------------------------------- */

static void json_str(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		switch (ch) {
		case '"': fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		default:
			if (ch < 0x20)
				printf("\\u%04x", ch);
			else
				putchar(ch);
		}
	}
	putchar('"');
}

/* A value that is an int >= 0, or null when it is an error. */
static void json_int_or_null(int v)
{
	if (v >= 0)
		printf("%d", v);
	else
		fputs("null", stdout);
}

#if defined(__x86_64__)
static void json_cpuid(const char *key, const struct kvm_cpuid2 *c, int err, bool first_key)
{
	char vendor[13];
	bool first = true;

	printf("%s\n    ", first_key ? "" : ",");
	json_str(key);
	printf(": ");
	if (err < 0 || !c) {
		printf("{\"error\": ");
		json_str(strerror(-err));
		printf("}");
		return;
	}
	printf("{\n      \"vendor\": ");
	cpuid_vendor(c, 0, vendor);
	json_str(vendor);
	printf(",\n      \"hypervisor_signature\": ");
	cpuid_vendor(c, 0x40000000, vendor);
	json_str(vendor);
	printf(",\n      \"entries\": [");
	for (uint32_t i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];
		printf("%s\n        {\"function\": %u, \"index\": %u, \"flags\": %u, \"eax\": %u, "
		       "\"ebx\": %u, \"ecx\": %u, \"edx\": %u}",
		       i ? "," : "", e->function, e->index, e->flags, e->eax, e->ebx, e->ecx, e->edx);
	}
	printf("\n      ],\n      \"features\": [");
	for (const struct x86_cpuid_word *w = x86_cpuid_words; w->names; w++) {
		const struct kvm_cpuid_entry2 *e = cpuid_find(c, w->function, w->index);
		uint32_t bits = e ? reg_of(e, w->reg) : 0;
		for (int b = 0; b < 32; b++) {
			if (!(bits & (1u << b)) || !w->names[b])
				continue;
			printf("%s", first ? "" : ", ");
			json_str(w->names[b]);
			first = false;
		}
	}
	printf("],\n      \"words\": [");
	first = true;
	for (const struct x86_cpuid_word *w = x86_cpuid_words; w->names; w++) {
		const struct kvm_cpuid_entry2 *e = cpuid_find(c, w->function, w->index);
		uint32_t bits = e ? reg_of(e, w->reg) : 0;
		bool f2 = true;
		if (!e)
			continue;
		printf("%s\n        {\"function\": %u, \"index\": %u, \"register\": \"%s\", "
		       "\"value\": %u, \"features\": [", first ? "" : ",", w->function, w->index,
		       x86_reg_name(w->reg), bits);
		first = false;
		for (int b = 0; b < 32; b++) {
			char unnamed[8];
			if (!(bits & (1u << b)))
				continue;
			snprintf(unnamed, sizeof(unnamed), "bit%d", b);
			printf("%s", f2 ? "" : ", ");
			json_str(w->names[b] ? w->names[b] : unnamed);
			f2 = false;
		}
		printf("]}");
	}
	printf("\n      ]\n    }");
}

static void json_msrs(const char *key, const struct kvm_msr_list *l, int err,
		      const struct kvm_msrs *values, int nvalues, bool first_key)
{
	char buf[64];

	printf("%s\n    ", first_key ? "" : ",");
	json_str(key);
	printf(": ");
	if (err < 0 || !l) {
		printf("{\"error\": ");
		json_str(strerror(-err));
		printf("}");
		return;
	}
	printf("[");
	for (uint32_t i = 0; i < l->nmsrs; i++) {
		const char *n = x86_msr_name(l->indices[i], buf, sizeof(buf));
		printf("%s\n      {\"index\": %u, \"name\": ", i ? "," : "", l->indices[i]);
		if (n)
			json_str(n);
		else
			fputs("null", stdout);
		if (values && (int)i < nvalues && values->entries[i].index == l->indices[i])
			printf(", \"value\": \"0x%" PRIx64 "\"", (uint64_t)values->entries[i].data);
		printf("}");
	}
	printf("\n    ]");
}
#endif

static void print_json(const struct info *in)
{
	char mode[11];

	printf("{\n  \"tool\": \"ckvm-info\",\n  \"version\": ");
	json_str(CKVM_VERSION_STRING);
	printf(",\n  \"library_version\": ");
	json_str(ckvm_version());
	printf(",\n  \"status\": ");
	json_str(status_names[in->status]);
	printf(",\n  \"exit_code\": %d,\n  \"message\": ", in->status);
	json_str(in->message);

	printf(",\n  \"device\": {\"path\": ");
	json_str(in->path);
	printf(", \"exists\": %s", in->have_stat ? "true" : "false");
	if (in->have_stat) {
		mode_string(in->st.st_mode, mode);
		printf(", \"mode\": \"%04o\", \"permissions\": ", (unsigned)(in->st.st_mode & 07777));
		json_str(mode);
		printf(", \"owner\": ");
		json_str(in->owner);
		printf(", \"group\": ");
		json_str(in->group);
		printf(", \"major\": %u, \"minor\": %u", major(in->st.st_rdev), minor(in->st.st_rdev));
	}
	printf("}");

	printf(",\n  \"kernel\": {\"sysname\": ");
	json_str(in->uts.sysname);
	printf(", \"release\": ");
	json_str(in->uts.release);
	printf(", \"machine\": ");
	json_str(in->uts.machine);
	printf(", \"modules\": [");
	{
		char mods[sizeof(in->modules)];
		char *save = NULL;
		bool first = true;
		snprintf(mods, sizeof(mods), "%s", in->modules);
		for (char *t = strtok_r(mods, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
			printf("%s", first ? "" : ", ");
			json_str(t);
			first = false;
		}
	}
	printf("]}");

	if (in->ncaps == 0) {
		printf("\n}\n");
		return;
	}

	printf(",\n  \"api_version\": %d,\n  \"vcpu_mmap_size\": ", in->api_version);
	json_int_or_null(in->mmap_size);
	printf(",\n  \"limits\": {\"nr_vcpus\": ");
	json_int_or_null(in->nr_vcpus);
	printf(", \"max_vcpus\": ");
	json_int_or_null(in->max_vcpus);
	printf(", \"max_vcpu_id\": ");
	json_int_or_null(in->max_vcpu_id);
	printf(", \"nr_memslots\": ");
	json_int_or_null(in->nr_memslots);
	printf(", \"address_spaces\": %d}", in->address_spaces);
	printf(",\n  \"vm_types\": {\"mask\": %" PRIu64 ", \"description\": ", in->vm_types_mask);
	json_str(in->vm_types);
	printf(", \"types\": [");
	for (unsigned t = 0, first = 1; t < 64; t++) {
		if (!(in->vm_types_mask & (1ull << t)))
			continue;
		printf("%s{\"type\": %u, \"name\": ", first ? "" : ", ", t);
		if (vm_type_name(t))
			json_str(vm_type_name(t));
		else
			fputs("null", stdout);
		printf("}");
		first = 0;
	}
	printf("]}");
	printf(",\n  \"vm_created\": %s", in->vm_err == 0 ? "true" : "false");

	printf(",\n  \"verdict\": [");
	for (size_t i = 0; i < in->nverdicts; i++) {
		printf("%s\n    {\"need\": ", i ? "," : "");
		json_str(in->verdicts[i].need);
		printf(", \"ok\": %s, \"detail\": ", in->verdicts[i].ok ? "true" : "false");
		json_str(in->verdicts[i].detail);
		printf("}");
	}
	printf("\n  ]");

	printf(",\n  \"devices\": [");
	for (size_t i = 0; i < in->ndevices; i++) {
		printf("%s\n    {\"type\": %u, \"name\": ", i ? "," : "", in->devices[i].type);
		json_str(in->devices[i].name);
		printf(", \"supported\": %s}", in->devices[i].result == 0 ? "true" : "false");
	}
	printf("\n  ]");

	printf(",\n  \"capabilities\": [");
	for (size_t i = 0; i < in->ncaps; i++) {
		printf("%s\n    {\"name\": ", i ? "," : "");
		json_str(in->caps[i].name);
		printf(", \"number\": %ld, \"system\": ", in->caps[i].num);
		json_int_or_null(in->caps[i].sys);
		printf(", \"vm\": ");
		json_int_or_null(in->caps[i].vm);
		printf("}");
	}
	printf("\n  ]");

#if defined(__x86_64__)
	printf(",\n  \"cpuid\": {");
	json_cpuid("supported", in->supported, in->supported_err, true);
	json_cpuid("emulated", in->emulated, in->emulated_err, false);
	printf("\n  }");
	printf(",\n  \"msrs\": {");
	json_msrs("index_list", in->msr_index, in->msr_index_err, NULL, 0, true);
	json_msrs("feature_list", in->msr_feature, in->msr_feature_err, in->feature_values,
		  in->feature_values_read, false);
	printf("\n  }");
#endif
	printf("\n}\n");
}

/* ---- main ------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTION]...\n"
		"Report what this host's KVM offers: API version, device node, kernel,\n"
		"every KVM_CHECK_EXTENSION capability (system and VM scope), supported and\n"
		"emulated CPUID with feature names, MSR lists, vCPU and memslot limits, VM\n"
		"types, and a verdict for common needs.\n"
		"\n"
		"Options:\n"
		"  -j, --json           print JSON instead of the aligned table\n"
		"  -b, --brief          omit the capability table, raw CPUID and MSR lists\n"
		"  -d, --device=PATH    use PATH instead of /dev/kvm\n"
		"  -h, --help           print this help and exit\n"
		"  -V, --version        print the version and exit\n"
		"\n"
		"Exit status: 0 KVM usable, 1 other error, 2 usage error, 3 no KVM,\n"
		"4 permission denied, 5 KVM too old for ckvm.\n",
		prog);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "brief", no_argument, NULL, 'b' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct info in;
	bool json = false, brief = false;
	int c;

	memset(&in, 0, sizeof(in));
	in.path = CKVM_DEFAULT_DEVICE;
	while ((c = getopt_long(argc, argv, "jbd:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'b': brief = true; break;
		case 'd': in.path = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'V':
			printf("ckvm-info %s (libckvm %s)\n", CKVM_VERSION_STRING, ckvm_version());
			return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}

	in.status = gather(&in);
	if (json)
		print_json(&in);
	else
		print_text(&in, brief);
	if (in.status != EXIT_OK)
		fprintf(stderr, "%s: %s\n", prog, in.message);
	fflush(stdout);

	free(in.caps);
#if defined(__x86_64__)
	ckvm_cpuid2_free(in.supported);
	ckvm_cpuid2_free(in.emulated);
	ckvm_msr_list_free(in.msr_index);
	ckvm_msr_list_free(in.msr_feature);
	ckvm_msrs_free(in.feature_values);
#endif
	return in.status;
}
