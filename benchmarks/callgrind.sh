#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Where the work goes, counted rather than timed: runs p2s-bench under
# valgrind's callgrind (instruction counts are deterministic, so they compare
# well on this noisy shared machine), one stage at a time, collecting only
# inside the timed passes (bench_timed_pass), and splits the instructions per
# packet by where they run: IPsec-MB, lib/esp, lib/port and lib/sa (the rest
# of the worker path), DPDK (mbufs, ethdev), libc and libcrypto (memcpy,
# CRYPTO_memcmp) and the harness. Writes benchmarks/results/callgrind.csv and callgrind.txt (the
# top functions of each run). Takes a few minutes.
#
#   benchmarks/callgrind.sh [P2S_BENCH] [-- p2s-bench options, e.g. --sizes 64]
#
# Callgrind runs the code on its own CPU model: IPsec-MB still picks its
# path by CPUID as valgrind reports it (the table says which).
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

BENCH=${1:-$P2S_TOP/build/bench/benchmarks/p2s-bench}
[ $# -gt 0 ] && shift
[ "${1:-}" = -- ] && shift
[ -x "$BENCH" ] || die "no $BENCH: run benchmarks/run.sh first (or give the binary)"
command -v valgrind >/dev/null || die "valgrind missing: scripts/deps.sh installs it"

RESULTS=$P2S_TOP/benchmarks/results
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CSV=$RESULTS/callgrind.csv
TXT=$RESULTS/callgrind.txt
mkdir -p "$RESULTS"
HEADER=stage,direction,transform,size,tunnels,packets,ir_per_pkt
HEADER+=,ipsec_mb,esp_lib,port_sa_lib,dpdk,libc_libcrypto,harness,other,ipsec_mb_arch
echo "$HEADER" >"$CSV"
: >"$TXT"

# csv_field FILE COLUMN: that column of the first row.
csv_field() {
	/usr/bin/python3 -c 'import csv, sys
print(next(csv.DictReader(open(sys.argv[1])))[sys.argv[2]])' "$1" "$2"
}

# One run: STAGE DIR XFORM SIZE [p2s-bench options]
one() {
	local stage=$1 dir=$2 xform=$3 size=$4 out=$WORK/cg.out csv=$WORK/bench.csv
	shift 4
	valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect=bench_timed_pass \
		"$BENCH" --no-huge -m 1024 --no-pci --no-shconf --lcores 0@0,1@0 \
		--log-level=lib.eal:error -- \
		--stages "$stage" --dirs "$dir" --xforms "$xform" --sizes "$size" --tunnels 128 \
		--reps 1 --packets 1 --csv "$csv" "$@" >"$WORK/log" 2>&1 ||
		{ cat "$WORK/log"; die "p2s-bench under callgrind failed"; }
	callgrind_annotate --threshold=100 --auto=no "$out" >"$WORK/annotate" 2>/dev/null
	local packets arch
	packets=$(csv_field "$csv" packets_per_rep)
	arch=$(csv_field "$csv" stage_arch)
	awk -v stage="$stage" -v dir="$dir" -v xform="$xform" -v size="$size" \
	    -v pkts="$packets" -v arch="$arch" '
		# Self cost lines: "  1,234 (12.3%)  file:function [object]"; code
		# inlined from a header shows as "header:function" without object.
		/^ *[0-9,]+ \(/ && !/PROGRAM TOTALS/ {
			ir = $1; gsub(",", "", ir)
			line = $0; sub(/^ *[0-9,]+ *\([^)]*\) +/, "", line)
			fn = line; sub(/ \[.*\]$/, "", fn); sub(/^.*:/, "", fn)
			if (line ~ /libIPSec_MB/) k = "ipsec_mb"
			else if (line ~ /lib\/esp\// || fn ~ /^esp_/) k = "esp_lib"
			else if (line ~ /lib\/(port|sa|conf)\//) k = "port_sa"
			else if (line ~ /librte_|\/dpdk\/rte_/) k = "dpdk"
			else if (line ~ /libc\.so|libcrypto\.so/) k = "libc"
			else if (line ~ /benchmarks\/[a-z_]+\.c:/ || fn ~ /^(ceil|bench)_/) k = "harness"
			else k = "other"
			sum[k] += ir; total += ir
		}
		END {
			printf "%s,%s,%s,%s,128,%d,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,\"%s\"\n",
			       stage, dir, xform, size, pkts, total / pkts, sum["ipsec_mb"] / pkts,
			       sum["esp_lib"] / pkts, sum["port_sa"] / pkts, sum["dpdk"] / pkts,
			       sum["libc"] / pkts, sum["harness"] / pkts, sum["other"] / pkts, arch
		}' "$WORK/annotate" >>"$CSV"
	{
		echo "== $stage $dir $xform size $size, 128 tunnels, $packets packets: top functions (Ir, self)"
		awk '/^ *[0-9,]+ \(/ && !/PROGRAM TOTALS/ && n++ < 12' "$WORK/annotate"
		echo
	} >>"$TXT"
}

# The datapath stage when this binary has it (lib/port built).
STAGES="ceiling esp"
HELP=$("$BENCH" --no-huge -m 64 --no-pci --no-shconf -l 0 --log-level=lib.eal:error -- --help \
	2>/dev/null || true)
[[ $HELP == *" datapath"* ]] && STAGES+=" datapath"

for xform in gcm cbc; do
	for dir in enc dec; do
		for size in 64 1420; do
			for stage in $STAGES; do
				echo "callgrind: $stage $dir $xform $size"
				one "$stage" "$dir" "$xform" "$size" "$@"
			done
		done
	done
done

echo
column -s, -t "$CSV"
echo
echo "Ir per packet: $CSV; top functions: $TXT"
