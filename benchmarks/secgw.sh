#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A comparison figure from DPDK's own ipsec-secgw (the 22.11 example shipped
# by dpdk-doc), one core, on the same kind of traffic as p2s-bench: inner
# IPv4/UDP packets of 64 and 1420 bytes over 1 or 128 tunnels, AES-GCM-256.
# Ports are virtual: net_pcap replays a pcap file forever (infinite_rx, one
# copy per packet into a fresh mbuf), net_null swallows what is sent. Outbound:
# plaintext in on the protected port 0, ESP out on port 1. Inbound: the ESP
# frames that an outbound run wrote are replayed into port 1. Each run lasts
# RUN_S seconds; the rate is the median of the per-second "packets sent"
# steps of ipsec-secgw's statistics screen (-t 1), first two seconds skipped.
#
# ipsec-secgw 22.11 demands the RX checksum offloads in its port_conf whatever
# --rxoffload says (that mask only narrows what the device offers), and
# virtual ports offer none: the copy built here has that one initialiser
# set to 0 (the patch is below, applied with sed), nothing else changed.
#
#   benchmarks/secgw.sh     writes benchmarks/results/secgw.csv and .txt
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

RUN_S=${RUN_S:-8}
SRC=/usr/share/dpdk/examples
BUILD=$P2S_TOP/build/secgw
RESULTS=$P2S_TOP/benchmarks/results
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

[ -d "$SRC/ipsec-secgw" ] || die "no $SRC/ipsec-secgw: scripts/deps.sh installs dpdk-doc"
if [ ! -x "$BUILD/ipsec-secgw/build/ipsec-secgw" ]; then
	say "building ipsec-secgw in $BUILD"
	rm -rf "$BUILD"
	mkdir -p "$BUILD"
	cp -r "$SRC/ipsec-secgw" "$SRC/common" "$BUILD/"
	sed -i 's/^\t\t\.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM,$/\t\t.offloads = 0,/' \
		"$BUILD/ipsec-secgw/ipsec-secgw.c"
	grep -q '^		.offloads = 0,$' "$BUILD/ipsec-secgw/ipsec-secgw.c" ||
		die "ipsec-secgw.c changed: the RX offload patch no longer applies"
	make -C "$BUILD/ipsec-secgw" -j2 >"$BUILD/make.log" 2>&1 ||
		{ tail -20 "$BUILD/make.log"; die "make of ipsec-secgw failed"; }
fi
SECGW=$BUILD/ipsec-secgw/build/ipsec-secgw

KEY=$(printf '%02x:' $(seq 0 35) | sed 's/:$//')  # 32-byte key + 4-byte salt

# config TUNNELS TYPE: SP, SA and routes for both directions.
config() {
	local n=$1 type=$2 t
	for ((t = 0; t < n; t++)); do
		local inner=10.8.$((t / 250)).$((t % 250 + 2)) client=198.51.100.$((t % 250 + 1))
		local spi=$((1000 + t)) dir
		for dir in out in; do
			echo "sp ipv4 $dir esp protect $spi pri 1 dst $inner/32 sport 0:65535 dport 0:65535"
			echo "sa $dir $spi aead_algo aes-256-gcm aead_key $KEY" \
				"mode ipv4-tunnel src 192.0.2.1 dst $client $type"
		done
	done
	echo "rt ipv4 dst 198.51.100.0/24 port 1"
	echo "rt ipv4 dst 10.8.0.0/16 port 0"
}

# secgw CFG PORT0 PORT1 SECONDS [app options]: runs, prints the statistics log.
secgw() {
	local cfg=$1 p0=$2 p1=$3 secs=$4
	shift 4
	timeout --signal=INT --kill-after=5 "$secs" "$SECGW" --no-huge -m 1024 --no-pci \
		--no-shconf -l 1 --log-level=lib.eal:error --vdev "$p0" --vdev "$p1" \
		--vdev crypto_aesni_mb0 -- -p 0x3 -P -u 0x2 --config '(0,0,1),(1,0,1)' \
		-f "$cfg" -t 1 --rxoffload 0 --txoffload 0 "$@" 2>&1 || true
}

# rate LOG: median Mpps of the per-second steps of "Total packets sent".
rate() {
	grep -a 'Total packets sent' "$1" | awk '{ if (NR > 3) print $4 - prev; prev = $4 }' |
		sort -n | awk '{ v[NR] = $1 }
			END { if (NR < 2) { print "nan"; exit }
			      m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			      printf "%.3f", m / 1e6 }'
}

mkdir -p "$RESULTS"
CSV=$RESULTS/secgw.csv
echo "mode,direction,transform,size,tunnels,mpps,gbps_inner" >"$CSV"
for mode in "lookaside-none" "lib+cpu-crypto"; do
	type= opts=()
	[ "$mode" = "lib+cpu-crypto" ] && type="type cpu-crypto" && opts=(-l)
	for tunnels in 1 128; do
		config "$tunnels" "$type" >"$WORK/sg.cfg"
		for size in 64 1420; do
			pcap=$WORK/in-$size-$tunnels.pcap esp=$WORK/esp-$size-$tunnels.pcap
			/usr/bin/python3 "$P2S_TOP/benchmarks/secgw_pcap.py" "$pcap" "$size" "$tunnels" 3072
			say "ipsec-secgw $mode, $tunnels tunnels, $size bytes"
			secgw "$WORK/sg.cfg" "net_pcap0,rx_pcap=$pcap,infinite_rx=1" "net_null0,no-rx=1" \
				"$RUN_S" "${opts[@]}" >"$WORK/enc.log"
			# The ESP frames of one pass, for the inbound run.
			secgw "$WORK/sg.cfg" "net_pcap0,rx_pcap=$pcap" "net_pcap1,tx_pcap=$esp" 3 \
				"${opts[@]}" >/dev/null
			secgw "$WORK/sg.cfg" "net_null0,no-rx=1" "net_pcap1,rx_pcap=$esp,infinite_rx=1" \
				"$RUN_S" "${opts[@]}" >"$WORK/dec.log"
			for dir in enc dec; do
				r=$(rate "$WORK/$dir.log")
				echo "$mode,$dir,aes-gcm-256,$size,$tunnels,$r,$(awk -v r="$r" -v s="$size" \
					'BEGIN { if (r == "nan") print "nan"; else printf "%.2f", r * s * 8 / 1e3 }')" >>"$CSV"
				grep -aq 'Cause:' "$WORK/$dir.log" && grep -a 'Cause:' "$WORK/$dir.log"
			done
			tail -2 "$CSV"
		done
	done
done
column -s, -t "$CSV" | tee "$RESULTS/secgw.txt"
echo "ipsec-secgw figures: $CSV"
