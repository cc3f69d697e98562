#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The SKU benchmark in one command (docs/benchmarks.md, issue 5): installs
# what is missing, builds p2s-sku-bench and p2s-bench optimised into
# build/bench, and runs on one core:
#   1. p2s-sku-bench: every SKU's rate on the real data path, 128 tunnels
#      offered twice the rate in IMIX: the aggregate per 1-second window,
#      Jain's index over the equal tunnels, a light tunnel's share;
#   2. p2s-bench --stages ceiling,datapath,datapath-rate: the scheduler's
#      cost when nothing is capped, as the ratio of the data path with the
#      rate on (never reached) to the data path without it, per repetition.
# Writes benchmarks/results/sku.{txt,csv} and sku-cost.{txt,csv}. About
# three minutes.
#
#   benchmarks/sku.sh [--windows N] [--reps R] [--lcore N]
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

WINDOWS=5
REPS=5
LCORE=1
while [ $# -gt 0 ]; do
	case $1 in
	--windows) WINDOWS=$2; shift 2 ;;
	--reps) REPS=$2; shift 2 ;;
	--lcore) LCORE=$2; shift 2 ;;
	-h|--help) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option $1 (see --help)" ;;
	esac
done

BUILD=$P2S_TOP/build/bench
RESULTS=$P2S_TOP/benchmarks/results

say "dependencies"
"$P2S_TOP/scripts/deps.sh"

say "release build in $BUILD"
p2s_bench_build "$BUILD" benchmarks/p2s-bench benchmarks/p2s-sku-bench

EAL=(--lcores "0@$LCORE,1@$LCORE" --no-pci --no-shconf --no-huge -m 1024
	--log-level=lib.eal:error --log-level=p2sgw.port:warning)
mkdir -p "$RESULTS"
COMMIT=$(git -C "$P2S_TOP" describe --always --dirty 2>/dev/null || echo unknown)
rc=0

say "p2s-sku-bench: every SKU, $WINDOWS windows of 1 s, core $LCORE"
{
	echo "# benchmarks/sku.sh at $COMMIT, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
	timeout --signal=INT --kill-after=10 600 "$BUILD/benchmarks/p2s-sku-bench" "${EAL[@]}" -- \
		--windows "$WINDOWS" --csv "$RESULTS/sku.csv"
} | tee "$RESULTS/sku.txt" || rc=$?

say "p2s-bench: the data path with and without the rate (never reached), $REPS repetitions"
timeout --signal=INT --kill-after=10 900 "$BUILD/benchmarks/p2s-bench" "${EAL[@]}" -- \
	--stages ceiling,datapath,datapath-rate --xforms gcm --sizes 64,1420,imix --tunnels 128 \
	--reps "$REPS" --reps-csv "$RESULTS/sku-cost-reps.csv" --commit "$COMMIT" \
	>"$RESULTS/sku-cost-run.txt" || rc=$?
# The cost: per repetition, datapath-rate's Mpps over datapath's (they take
# turns slice by slice in the same repetition); the median of those.
/usr/bin/python3 - "$RESULTS/sku-cost-reps.csv" "$RESULTS/sku-cost.csv" <<'PY' | tee "$RESULTS/sku-cost.txt"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
key = lambda r: (r["direction"], r["size"], r["rep"])
mpps = {(r["stage"],) + key(r): float(r["mpps"]) for r in rows}
cases = sorted({(r["direction"], r["size"]) for r in rows}, key=lambda c: (c[0], len(c[1]), c[1]))
out = csv.writer(open(sys.argv[2], "w"))
out.writerow(["direction", "size", "tunnels", "reps", "datapath_mpps", "rate_mpps", "ratio_median", "ratio_min", "ratio_max", "cost_pct"])
print("the scheduler's cost when nothing is capped (AES-GCM-256, 128 tunnels, one worker):")
print("  datapath-rate / datapath Mpps in the same repetition, median (min-max); target: cost <= 10 %")
for d, s in cases:
    reps = sorted({r["rep"] for r in rows if (r["direction"], r["size"]) == (d, s)})
    ratios = [mpps[("datapath-rate", d, s, k)] / mpps[("datapath", d, s, k)] for k in reps
              if ("datapath-rate", d, s, k) in mpps and ("datapath", d, s, k) in mpps]
    if not ratios:
        continue
    med = statistics.median(ratios)
    dp = statistics.median(mpps[("datapath", d, s, k)] for k in reps)
    rt = statistics.median(mpps[("datapath-rate", d, s, k)] for k in reps)
    out.writerow([d, s, 128, len(ratios), "%.3f" % dp, "%.3f" % rt, "%.4f" % med, "%.4f" % min(ratios), "%.4f" % max(ratios), "%.1f" % (100 * (1 - med))])
    print("  %s %5s bytes: %.3f (%.3f-%.3f)  cost %4.1f %%  %s" % (d, s, med, min(ratios), max(ratios), 100 * (1 - med), "met" if med >= 0.90 else "MISSED"))
PY

echo
echo "rates:  $RESULTS/sku.txt, $RESULTS/sku.csv"
echo "cost:   $RESULTS/sku-cost.txt, $RESULTS/sku-cost.csv (p2s-bench output: sku-cost-run.txt)"
[ "$rc" -eq 0 ] || echo "a benchmark exited with $rc (see the tables)"
exit "$rc"
