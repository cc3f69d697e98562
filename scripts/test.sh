#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Runs every test of p2sgw from a fresh clone: installs what is missing,
# builds warning-free with -Werror, runs the cmocka unit tests, runs them
# again under ASan/UBSan, builds the libFuzzer harnesses and runs each for a
# short while, then the integration tests on network namespaces (with and
# without hugepages). Ends with one line "N passed, M failed".
#
#   scripts/test.sh [--quick]   (--quick: unit tests only)
set -uo pipefail
. "$(dirname "$0")/lib/common.sh"

QUICK=
[ "${1:-}" = --quick ] && QUICK=1
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
BUILD=$P2S_TOP/build
PASSED=0
FAILED=0
FAILED_STEPS=()

step() { # step NAME command...: run, count, keep going
	local name=$1
	shift
	say "$name"
	if "$@"; then
		PASSED=$((PASSED + 1))
	else
		FAILED=$((FAILED + 1))
		FAILED_STEPS+=("$name")
		echo "FAILED: $name"
	fi
}

fuzz_build() {
	CC=clang p2s_build "$BUILD/fuzz" -Dfuzz=true -Dtests=false --buildtype=debug
}

unit() { # unit BUILD_DIR
	meson test -C "$1" --suite unit --print-errorlogs --num-processes 2
}

unit_sanitized() {
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		LSAN_OPTIONS=suppressions=$P2S_TOP/tests/fuzz/lsan.supp \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 unit "$BUILD/asan"
}

fuzz_all() {
	local h rc=0
	mkdir -p "$BUILD/fuzz-corpus"
	for h in "$BUILD"/fuzz/tests/fuzz/fuzz_*; do
		[ -f "$h" ] && [ -x "$h" ] || continue
		local name corpus
		name=$(basename "$h")
		corpus=$BUILD/fuzz-corpus/$name
		mkdir -p "$corpus"
		local seeds=()
		[ -d "$P2S_TOP/tests/fuzz/corpus/${name#fuzz_}" ] &&
			seeds=("$P2S_TOP/tests/fuzz/corpus/${name#fuzz_}")
		local dict=()
		[ -f "$P2S_TOP/tests/fuzz/${name#fuzz_}.dict" ] &&
			dict=(-dict="$P2S_TOP/tests/fuzz/${name#fuzz_}.dict")
		echo "fuzzing $name for ${FUZZ_SECONDS}s"
		LSAN_OPTIONS=suppressions=$P2S_TOP/tests/fuzz/lsan.supp \
			"$h" -max_total_time="$FUZZ_SECONDS" "${dict[@]}" "$corpus" "${seeds[@]}" \
			>"$BUILD/$name.log" 2>&1 ||
			{ tail -n 40 "$BUILD/$name.log"; rc=1; }
	done
	return $rc
}

p2s_need_root
say "installing what is missing (Debian packages)"
"$P2S_TOP/scripts/deps.sh" || die "could not install the packages"
mkdir -p "$BUILD"

step "build (gcc, warning_level=2, -Werror)" \
	p2s_build "$BUILD/ci" -Dwerror=true -Dwarning_level=2
step "unit tests" unit "$BUILD/ci"
step "build with ASan/UBSan" \
	p2s_build "$BUILD/asan" -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
	--buildtype=debug
step "unit tests under ASan/UBSan" unit_sanitized

if [ -z "$QUICK" ]; then
	step "build libFuzzer harnesses (clang)" fuzz_build
	step "fuzz each parser for ${FUZZ_SECONDS}s" fuzz_all
	P2S_BUILD=$BUILD/ci
	export P2S_BUILD
	step "integration: ARP, ICMP, drops, CLI, telemetry, shutdown (no hugepages)" \
		"$P2S_TOP/tests/integration/l2l3.sh" nohuge
	step "integration: the same with hugepages" "$P2S_TOP/tests/integration/l2l3.sh" huge
	step "integration: ESP through the gateway with an independent client" \
		"$P2S_TOP/tests/integration/esp.sh"
	step "integration: IKEv2 with real strongSwan clients (certificates, rekeys, liveness, 16 clients)" \
		"$P2S_TOP/tests/integration/ike.sh"
	step "integration: IKEv2 EAP-MSCHAPv2 relayed to a real FreeRADIUS (accept, reject, both modes, accounting)" \
		"$P2S_TOP/tests/integration/ike_radius.sh"
	step "integration: lib/radius against a real FreeRADIUS (EAP-MD5, reject, accounting)" \
		"$P2S_TOP/tests/integration/radius.sh"
	step "integration: the SKU's rate with two strongSwan clients and iperf3, runtime changes, restart" \
		"$P2S_TOP/tests/integration/sku.sh"
fi

echo
[ $FAILED -eq 0 ] || printf 'failed step: %s\n' "${FAILED_STEPS[@]}"
echo "steps: $PASSED passed, $FAILED failed"
[ $FAILED -eq 0 ]
