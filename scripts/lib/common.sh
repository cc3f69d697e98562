# SPDX-License-Identifier: BSD-3-Clause
# Shared by the demo and the test scripts: where things are, and building.
# shellcheck shell=bash

P2S_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
P2S_BUILD=${P2S_BUILD:-$P2S_TOP/build/release}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# p2s_build DIR [meson options...]: configure once, then build (quietly).
p2s_build() {
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$P2S_TOP" "$@" >"$dir.setup.log" 2>&1 ||
			{ cat "$dir.setup.log"; die "meson setup $dir failed"; }
	fi
	ninja -C "$dir" >"$dir.build.log" 2>&1 || { cat "$dir.build.log"; die "build in $dir failed"; }
}

# p2s_bench_build DIR TARGET...: the benchmarks' release build (-O3, plus
# debug info so callgrind can name source files), only the targets named.
p2s_bench_build() {
	local dir=$1
	shift
	mkdir -p "$P2S_TOP/build"
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$P2S_TOP" --buildtype=release -Ddebug=true -Dtests=false \
			-Dbenchmarks=true >"$dir.setup.log" 2>&1 ||
			{ cat "$dir.setup.log"; die "meson setup $dir failed"; }
	fi
	ninja -C "$dir" "$@" >"$dir.build.log" 2>&1 ||
		{ cat "$dir.build.log"; die "build of $* failed"; }
}

p2s_need_root() {
	[ "$(id -u)" -eq 0 ] || die "run as root: it creates network namespaces"
}
