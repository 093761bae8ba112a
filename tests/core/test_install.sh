#!/bin/sh
# test_install.sh BUILD_ROOT PREFIX LIBDIR INCLUDEDIR CC SOURCE_ROOT ARCH_HEADER SANITIZE
#
# `meson install` into a temporary DESTDIR, then check what landed: the
# shared and static library, every public header, ckvm.pc; that the shared
# library exports only ckvm_* symbols, all under the CKVM_0.1 version node,
# and every function the headers declare with CKVM_API; and that a program
# built from the installed tree with pkg-config (shared and static) runs.
set -u
build=$1 prefix=$2 libdir=$3 includedir=$4 cc=$5 src=$6 archh=$7 sanitize=${8:-none}
# a sanitized libckvm needs the same runtime in the program
san=
[ "$sanitize" = none ] || san="-fsanitize=$sanitize"
run=${CKVM_EXE_WRAPPER:-} # cross builds: e.g. "qemu-aarch64-static -L /usr/aarch64-linux-gnu"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
err() { echo "FAIL: $*"; fail=1; }

case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac
case $includedir in /*) ;; *) includedir=$prefix/$includedir ;; esac
dest=$tmp/dest
if ! meson install -C "$build" --no-rebuild --destdir "$dest" >"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log"
	echo "FAIL: meson install"
	exit 1
fi
L=$dest$libdir
I=$dest$includedir

for f in "$L/libckvm.a" "$L/pkgconfig/ckvm.pc" "$I/ckvm.h"; do
	[ -f "$f" ] || err "missing $f"
done
so=$(ls "$L"/libckvm.so.*.*.* 2>/dev/null | head -1)
[ -n "$so" ] || err "missing $L/libckvm.so.X.Y.Z"
[ -L "$L/libckvm.so" ] || err "missing symlink $L/libckvm.so"
[ -e "$L/libckvm.so.0" ] || err "missing soname link $L/libckvm.so.0"
for h in "$src"/include/ckvm/*.h; do
	[ -f "$I/ckvm/$(basename "$h")" ] || err "header not installed: ckvm/$(basename "$h")"
done
[ -f "$I/ckvm/version.h" ] || err "generated ckvm/version.h not installed"
[ -n "$so" ] || exit 1

# exported symbols: only ckvm_*, each versioned CKVM_0.1
nm -D --defined-only "$so" | awk '{print $NF}' | sed 's/@.*//' | sort -u >"$tmp/exported"
bad=$(grep -v '^ckvm_' "$tmp/exported" | grep -v '^CKVM_0\.1$' || true)
[ -z "$bad" ] || err "non-ckvm symbols exported: $(echo $bad)"
n=$(grep -c '^ckvm_' "$tmp/exported")
[ "$n" -gt 100 ] || err "only $n ckvm_ symbols exported"
unversioned=$(objdump -T "$so" | awk '/ DF \.text/ && $0 !~ /CKVM_0\.1/ {print $NF}')
[ -z "$unversioned" ] || err "exported without the CKVM_0.1 version: $unversioned"

# every CKVM_API function declared in the installed headers is exported
# (what <ckvm.h> declares for this build's architecture: preprocessed by the
# target compiler, so #if blocks for other architectures do not count)
echo '#include <ckvm.h>' | $cc -E -P -I"$I" -x c - >"$tmp/ckvm.i" 2>"$tmp/cpp.log" ||
	{ cat "$tmp/cpp.log"; err "preprocessing the installed <ckvm.h>"; }
tr '\n' ' ' <"$tmp/ckvm.i" | grep -o 'visibility *( *"default" *) *) *)[^;{]*(' |
	grep -o 'ckvm_[a-z0-9_]*[ ]*($' | tr -d ' (' | sort -u >"$tmp/declared"
[ -s "$tmp/declared" ] || err "no CKVM_API declaration found in the preprocessed <ckvm.h>"
missing=$(comm -23 "$tmp/declared" "$tmp/exported")
[ -z "$missing" ] || err "declared with CKVM_API but not exported: $(echo $missing)"
echo "ok: $n exported symbols, $(wc -l <"$tmp/declared") declared functions"

# build and run a program from the installed tree via pkg-config
cat >"$tmp/prog.c" <<'PROG'
#include <ckvm.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
	struct kvm_irq_routing *r = NULL;
	if (strcmp(ckvm_version(), CKVM_VERSION_STRING) != 0)
		return 1;
	if (ckvm_irq_routing_alloc(4, &r) != 0 || ckvm_irq_routing_capacity(r) != 4)
		return 2;
	ckvm_irq_routing_free(r);
	puts(ckvm_cap_name(KVM_CAP_IRQCHIP));
	return 0;
}
PROG
export PKG_CONFIG_PATH="$L/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_LIBDIR="$L/pkgconfig"
pkg-config --exists ckvm || err "pkg-config does not find ckvm"
[ "$(pkg-config --modversion ckvm)" = "$(sed -n 's/^Version: //p' "$L/pkgconfig/ckvm.pc")" ] || err "modversion"
if $cc $san -o "$tmp/prog" "$tmp/prog.c" $(pkg-config --cflags --libs ckvm) 2>"$tmp/cc.log"; then
	out=$(LD_LIBRARY_PATH="$L" $run "$tmp/prog") || err "shared program failed"
	[ "$out" = "KVM_CAP_IRQCHIP" ] || err "shared program printed '$out'"
	# what ldd does, also under a cross build's exe wrapper
	LD_LIBRARY_PATH="$L" LD_TRACE_LOADED_OBJECTS=1 $run "$tmp/prog" | grep -q "$L/libckvm.so.0" || err "program not linked to the installed libckvm.so.0"
else
	cat "$tmp/cc.log"; err "building against the installed shared library"
fi
if [ -n "$san" ]; then
	echo "note: sanitized build ($sanitize): static link not checked"
elif $cc -static -o "$tmp/prog_static" "$tmp/prog.c" $(pkg-config --static --cflags --libs ckvm) 2>"$tmp/cc2.log"; then
	out=$($run "$tmp/prog_static") || err "static program failed"
	[ "$out" = "KVM_CAP_IRQCHIP" ] || err "static program printed '$out'"
else
	cat "$tmp/cc2.log"; err "building against the installed static library"
fi
[ $fail -eq 0 ] && echo "ok: install tree complete"
exit $fail
