#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# IKE_SA establishments per second of lib/iked on one control core, in one
# command (docs/benchmarks.md): checks the packages (scripts/deps.sh; nothing
# new), builds p2s-ike-bench optimised into build/bench-ike, runs it pinned
# to one core and prints the table; writes benchmarks/results/ike_rate.{txt,csv}.
# About a minute and a half with the defaults on two cores.
#
#   benchmarks/ike_rate.sh [--reps R] [--count N] [--lcore N] [--cases a,b|all]
#
#   --reps R     repetitions, median and min-max reported (5)
#   --count N    establishments per repetition and case (200)
#   --lcore N    the CPU to run on (1, or 0 on a one-CPU machine)
#   --cases L    all, or a comma-separated list (p2s-ike-bench --help names them)
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

REPS=5
COUNT=200
LCORE=$(($(nproc) > 1 ? 1 : 0))
CASES=all
while [ $# -gt 0 ]; do
	case $1 in
	--reps) REPS=$2; shift 2 ;;
	--count) COUNT=$2; shift 2 ;;
	--lcore) LCORE=$2; shift 2 ;;
	--cases) CASES=$2; shift 2 ;;
	-h|--help) sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option $1 (see --help)" ;;
	esac
done

BUILD=$P2S_TOP/build/bench-ike
RESULTS=$P2S_TOP/benchmarks/results
BENCH_TIMEOUT=${BENCH_TIMEOUT:-900}

say "dependencies"
"$P2S_TOP/scripts/deps.sh"

say "release build in $BUILD"
mkdir -p "$P2S_TOP/build"
p2s_build "$BUILD" --buildtype=release -Dtests=false -Dbenchmarks=true

mkdir -p "$RESULTS"
COMMIT=$(git -C "$P2S_TOP" describe --always --dirty 2>/dev/null || echo unknown)
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
say "p2s-ike-bench: $REPS repetitions of $COUNT establishments per case, CPU $LCORE"
timeout --signal=INT --kill-after=10 "$BENCH_TIMEOUT" \
	"$BUILD/benchmarks/p2s-ike-bench" --reps "$REPS" --count "$COUNT" --lcore "$LCORE" \
	--cases "$CASES" --commit "$COMMIT" --cpu "${CPU:-unknown}" \
	--csv "$RESULTS/ike_rate.csv" --txt "$RESULTS/ike_rate.txt"
echo
echo "table: $RESULTS/ike_rate.txt"
echo "csv:   $RESULTS/ike_rate.csv"
