#!/bin/sh
# compile_fails.sh PATTERN COMPILER ARGS... : passes when the compilation
# fails AND its diagnostics contain PATTERN (so an unrelated error, such as
# a missing include, does not count as the expected failure).
pattern=$1
shift
out=$("$@" 2>&1)
status=$?
if [ $status -eq 0 ]; then
	echo "FAIL: compilation succeeded but was expected to fail: $*"
	exit 1
fi
if printf '%s\n' "$out" | grep -q -- "$pattern"; then
	echo "ok: compilation failed with: $pattern"
	exit 0
fi
echo "FAIL: compilation failed, but not with '$pattern':"
printf '%s\n' "$out"
exit 1
