#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The ESP benchmark in one command (docs/benchmarks.md): installs what is
# missing, builds p2s-bench optimised into build/bench, runs it on one core
# (ceiling = raw IPsec-MB, esp = lib/esp, datapath = the whole worker path)
# with an in-process generator, and
# writes benchmarks/results/esp.{txt,csv,png} and esp-reps.csv. About four
# minutes with the defaults; killed after BENCH_TIMEOUT seconds (900) if stuck.
#
#   benchmarks/run.sh [--reps R] [--duration S] [--quick] [--no-hugepages]
#                     [--lcore N] [--breakdown] [--callgrind] [--build DIR]
#                     [-- p2s-bench options...]
#
#   --reps R       repetitions per measurement, median reported (5)
#   --duration S   timed seconds per repetition (0.3)
#   --quick        --reps 3 --duration 0.1: a smoke run of about a minute and a half
#   --no-hugepages run on 4 KiB pages (--no-huge -m 1024). By default, as
#                  root, 2 MiB hugepages are reserved for the run (given back
#                  after), as the appliance runs: the ratios of record use them
#   --hugepages    hugepages (the default as root; an error if not root)
#   --lcore N      the core to run on (1)
#   --breakdown    afterwards, ceiling vs ceiling-checked vs esp (IPsec-MB's job
#                  checks alone) at 64/1420 bytes, 128 tunnels: breakdown.{txt,csv}
#   --callgrind    afterwards, the instruction breakdown (benchmarks/callgrind.sh)
#   --build DIR    build and run p2s-bench in DIR instead of build/bench (an
#                  existing build dir keeps its own meson options)
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

REPS=5
DURATION=0.3
HUGE=auto
LCORE=1
CALLGRIND=
BREAKDOWN=
EXTRA=()
BUILD=$P2S_TOP/build/bench
while [ $# -gt 0 ]; do
	case $1 in
	--reps) REPS=$2; shift 2 ;;
	--duration) DURATION=$2; shift 2 ;;
	--quick) REPS=3; DURATION=0.1; shift ;;
	--hugepages) HUGE=1; shift ;;
	--no-hugepages) HUGE=; shift ;;
	--lcore) LCORE=$2; shift 2 ;;
	--breakdown) BREAKDOWN=1; shift ;;
	--callgrind) CALLGRIND=1; shift ;;
	--build) BUILD=$(realpath -m "$2"); shift 2 ;;
	--) shift; EXTRA=("$@"); break ;;
	-h|--help) sed -n '3,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option $1 (see --help)" ;;
	esac
done

RESULTS=$P2S_TOP/benchmarks/results
BENCH_TIMEOUT=${BENCH_TIMEOUT:-900}

say "dependencies"
"$P2S_TOP/scripts/deps.sh"

say "release build in $BUILD"
p2s_bench_build "$BUILD" benchmarks/p2s-bench

# Two lcores on one CPU: the datapath stage's gateway wants a worker lcore
# besides the main one, but everything is measured on the main lcore and the
# worker lcore's thread only sleeps.
EAL=(--lcores "0@$LCORE,1@$LCORE" --no-pci --no-shconf --log-level=lib.eal:error)
OLD_PAGES=
if [ "$HUGE" = auto ]; then
	if [ "$(id -u)" -eq 0 ]; then HUGE=1; else HUGE=; say "not root: 4 KiB pages (--no-hugepages)"; fi
fi
if [ -n "$HUGE" ]; then
	[ "$(id -u)" -eq 0 ] || die "--hugepages needs root"
	OLD_PAGES=$(cat /proc/sys/vm/nr_hugepages)
	trap 'echo "$OLD_PAGES" > /proc/sys/vm/nr_hugepages' EXIT
	echo 512 >/proc/sys/vm/nr_hugepages
	[ "$(cat /proc/sys/vm/nr_hugepages)" -ge 256 ] || die "could not reserve hugepages"
	EAL+=(--in-memory)
else
	EAL+=(--no-huge -m 1024)
fi

mkdir -p "$RESULTS"
COMMIT=$(git -C "$P2S_TOP" describe --always --dirty 2>/dev/null || echo unknown)
say "p2s-bench: $REPS repetitions of ${DURATION}s per measurement, core $LCORE"
rc=0
timeout --signal=INT --kill-after=10 "$BENCH_TIMEOUT" \
	"$BUILD/benchmarks/p2s-bench" "${EAL[@]}" -- --reps "$REPS" --duration "$DURATION" \
	--csv "$RESULTS/esp.csv" --reps-csv "$RESULTS/esp-reps.csv" --commit "$COMMIT" \
	"${EXTRA[@]}" | tee "$RESULTS/esp.txt" || rc=$?

if [ -n "$BREAKDOWN" ]; then
	say "breakdown: what IPsec-MB's job checks cost"
	timeout --signal=INT --kill-after=10 "$BENCH_TIMEOUT" \
		"$BUILD/benchmarks/p2s-bench" "${EAL[@]}" -- --reps "$REPS" --duration "$DURATION" \
		--stages ceiling,ceiling-checked,esp --sizes 64,1420 --tunnels 128 \
		--csv "$RESULTS/breakdown.csv" --commit "$COMMIT" | tee "$RESULTS/breakdown.txt" ||
		rc=$?
fi

say "plot"
# Debian's python3, where python3-matplotlib is installed (not a pyenv one).
/usr/bin/python3 "$P2S_TOP/benchmarks/plot.py" "$RESULTS/esp.csv" "$RESULTS/esp.png"

if [ -n "$CALLGRIND" ]; then
	say "instruction counts (callgrind)"
	"$P2S_TOP/benchmarks/callgrind.sh" "$BUILD/benchmarks/p2s-bench"
fi

echo
echo "table:      $RESULTS/esp.txt"
echo "csv:        $RESULTS/esp.csv (medians), $RESULTS/esp-reps.csv (every repetition)"
echo "plot:       $RESULTS/esp.png"
[ -n "$BREAKDOWN" ] && echo "breakdown:  $RESULTS/breakdown.txt, $RESULTS/breakdown.csv"
[ -n "$CALLGRIND" ] && echo "callgrind:  $RESULTS/callgrind.csv, $RESULTS/callgrind.txt"
[ "$rc" -eq 0 ] || echo "p2s-bench exited with $rc: some measurement failed (see FAILED rows)"
exit "$rc"
