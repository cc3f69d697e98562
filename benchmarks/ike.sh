#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# IKEv2 through p2sgw compared with strongSwan to strongSwan, in one run, on
# the same topology, addresses, proposals, certificates and clients:
#
#   p2sgw:      [client] charon ---- gwpub [p2sgw, DPDK af_packet] gwpriv ---- [vnet]
#   strongSwan: [client] charon ---- gwpub [charon + Linux routing] gwpriv ---- [vnet]
#               198.51.100.10 + VIP     198.51.100.1        10.1.0.1           10.1.0.10
#
# The strongSwan gateway gets the gateway's addresses on its veth ends, IPv4
# forwarding and proxy ARP for the pool (topo_linux_gw_up) and hands out
# 172.16.201.0/24 by CP. Every charon runs ESP in userspace (kernel-libipsec:
# a TUN device, ESP always in UDP 4500) because this kernel has no ESP, so the
# baseline is strongSwan's userspace data path, not the kernel's XFRM one; the
# client is the same charon in both cases.
#
# Measured for each gateway, alternating (p2sgw, strongSwan, p2sgw, ...) so
# that the machine's noise falls on both alike:
#   1. iperf3 TCP from the client's virtual IP to the VNet host through the
#      tunnel, RUN_S seconds (10), REPS runs (3), median in Mbit/s;
#   2. IKE_SA setup rate: RATE_N clients (64, each its own ECDSA certificate)
#      initiated RATE_PAR at a time from one charon (ss_ike_rate: full
#      IKE_SA_INIT + IKE_AUTH with certificates, CP and a CHILD_SA each),
#      REPS rounds, median. strongSwan's load-tester plugin is not shipped
#      by Debian 12. The load client is one charon on one core: this measures
#      the pair, not the gateway's ceiling (benchmarks/ike_rate.sh measures
#      the responder alone on one core).
# Proposals: IKE $IKE_PROPOSAL, ESP $ESP_PROPOSAL (override by environment).
#
#   benchmarks/ike.sh   prints the figures, writes benchmarks/results/ike.{txt,csv}
set -uo pipefail
TOPO_PREFIX=${TOPO_PREFIX:-p2sikeb}
. "$(dirname "$0")/../scripts/lib/common.sh"
. "$(dirname "$0")/../scripts/lib/topology.sh"
. "$(dirname "$0")/../scripts/lib/pki.sh"

RUN_S=${RUN_S:-10}
REPS=${REPS:-3}
RATE_N=${RATE_N:-64}
RATE_PAR=${RATE_PAR:-8}
IKE_PROPOSAL=${IKE_PROPOSAL:-aes256gcm16-prfsha256-x25519}
ESP_PROPOSAL=${ESP_PROPOSAL:-aes256gcm16}
RESULTS=${RESULTS:-$P2S_TOP/benchmarks/results}
WORK=$(mktemp -d /tmp/p2sgw-ikebench.XXXXXX)
SS_DIR=$WORK/ss
. "$(dirname "$0")/../scripts/lib/strongswan.sh"

cleanup() {
	trap - EXIT INT TERM
	ss_stop_all
	ss_iperf_stop
	gw_stop >/dev/null 2>&1 || true
	topo_clients_del
	topo_down
	if [ -n "${KEEP_LOGS:-}" ]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

p2s_need_root
[ -x /usr/lib/ipsec/charon ] && command -v swanctl >/dev/null && command -v iperf3 >/dev/null ||
	die "strongSwan or iperf3 missing: run scripts/deps.sh"

say "test PKI ($RATE_N numbered clients) in $WORK/pki"
pki_init "$WORK/pki" "$RATE_N" || die "pki_init failed"
PKI=$WORK/pki

say "building p2sgw in $P2S_BUILD"
p2s_build "$P2S_BUILD" --buildtype=release >/dev/null || die "build failed"
say "namespaces $NS_CLIENT, $NS_GW, $NS_VNET"
topo_up

# A strongSwan responder in the gateway namespace. Many half-open IKE_SAs
# from one address are the point of the rate test: no blocking (default 5 a
# peer address) or cookies (10) in the baseline responder.
swan_up() {
	topo_linux_gw_up || return 1
	SS_CHARON_EXTRA="block_threshold = 100000
cookie_threshold = 100000" ss_start "$NS_GW" gw &&
		ss_conn_load gw role=responder cert="$PKI/gw.crt" key="$PKI/gw.key" ca="$PKI/root-ca.crt" \
			pool="$POOL" dns=10.1.0.4 ike="$IKE_PROPOSAL" esp="$ESP_PROPOSAL"
}
swan_down() {
	ss_client_stop gw
	topo_linux_gw_down
}
p2sgw_up() {
	topo_config "$WORK/p2sgw.conf" \
		"server_certificate = { cert = \"$PKI/gw.crt\"; key = \"$PKI/gw.key\"; };" \
		"trusted_roots = ( { name = \"root\"; file = \"$PKI/root-ca.crt\"; } );"
	sed -i 's/level = "info"/level = "notice"/' "$WORK/p2sgw.conf"
	gw_start "$WORK/p2sgw.conf" "$WORK/p2sgw.log"
}
p2sgw_down() { gw_stop; }

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# iperf_once GW: connect the client, one iperf3 run, disconnect. Prints Mbit/s.
# A run that moved nothing (seen under heavy load from other work: the TCP
# stream stalled in the client's libipsec) is repeated, twice at most.
iperf_once() {
	local m tries=0
	ss_client_start "$NS_CLIENT" cli >/dev/null || return 1
	ss_conn_load cli cert="$PKI/client-ecdsa.crt" key="$PKI/client-ecdsa.key" ca="$PKI/root-ca.crt" \
		ike="$IKE_PROPOSAL" esp="$ESP_PROPOSAL" >/dev/null || return 1
	ss_initiate cli net || { cat "$SS_DIR/cli/initiate.net.out" >&2; return 1; }
	ip netns exec "$NS_CLIENT" ping -c 2 -i 0.3 -W 3 "$VNET_IP" >/dev/null || return 1
	while :; do
		m=$(ss_iperf_mbps "$NS_CLIENT" "$VNET_IP" "$RUN_S") || return 1
		awk -v m="$m" 'BEGIN {exit !(m < 1)}' && [ $tries -lt 2 ] || break
		tries=$((tries + 1))
		echo "($1: a stalled run, repeated)" >&2
	done
	ss_terminate cli >/dev/null
	ss_client_stop cli
	echo "$m"
}

# rate_once: RATE_N IKE_SAs from one load client; prints IKE_SA/s.
# Both charons log only level 0 here: at the tests' levels writing the log
# costs as much as the exchanges. The load client ignores address changes
# (roam_events = no): otherwise every virtual IP it installs makes each of its
# IKE_SAs send a MOBIKE address update, which no real one-SA client does.
rate_once() {
	local line
	SS_LOG_LEVELS=${RATE_LOG_LEVELS:-default = 0} SS_CHARON_EXTRA="plugins {
	kernel-netlink {
		roam_events = no
	}
}" ss_client_start "$NS_CLIENT" load >/dev/null || return 1
	line=$(SS_LOG_LEVELS=${RATE_LOG_LEVELS:-default = 0} \
		ss_ike_rate load "$PKI" "$RATE_N" "$RATE_PAR" ike="$IKE_PROPOSAL" esp="$ESP_PROPOSAL")
	local rc=$?
	echo "$line" >&2
	ss_client_stop load
	[ $rc -eq 0 ] || return 1
	sed -n 's/.*: \([0-9.]*\) IKE_SA\/s/\1/p' <<<"$line"
}

ss_iperf_server "$NS_VNET" || die "iperf3 server did not start"
declare -A IPERF RATE
for r in $(seq 1 "$REPS"); do
	for g in p2sgw strongswan; do
		if [ $g = p2sgw ]; then p2sgw_up || die "p2sgw did not start"; else swan_up || die "strongSwan responder did not start"; fi
		m=$(iperf_once $g) || die "$g: iperf3 run $r failed"
		x=$(rate_once) || die "$g: not every IKE_SA was established in round $r"
		if [ $g = p2sgw ]; then p2sgw_down || die "p2sgw did not stop cleanly"; else swan_down; fi
		echo "round $r, $g: iperf3 $m Mbit/s, $x IKE_SA/s"
		IPERF[$g]+="$m "
		RATE[$g]+="$x "
	done
done
ss_iperf_stop

# shellcheck disable=SC2086
{
	P_IPERF=$(median ${IPERF[p2sgw]}) S_IPERF=$(median ${IPERF[strongswan]})
	P_RATE=$(median ${RATE[p2sgw]}) S_RATE=$(median ${RATE[strongswan]})
}
ratio() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }
mkdir -p "$RESULTS"
{
	echo "# IKEv2 through p2sgw vs strongSwan to strongSwan (benchmarks/ike.sh), $(date -u +%Y-%m-%d), commit $(git -C "$P2S_TOP" rev-parse --short HEAD 2>/dev/null)"
	echo "# client: strongSwan $(dpkg-query -W -f='${Version}' strongswan-swanctl 2>/dev/null) charon, kernel-libipsec (userspace ESP in UDP 4500);"
	echo "# baseline gateway: the same charon + Linux routing; $(nproc) cores shared by everything (clients, gateway, VNet host)."
	echo "# IKE $IKE_PROPOSAL, ESP $ESP_PROPOSAL, certificates (client ECDSA P-256, gateway RSA 2048); $REPS rounds, alternating."
	printf '%-46s %12s %12s %8s\n' "measure" "p2sgw" "strongSwan" "ratio"
	printf '%-46s %12s %12s %8s\n' "iperf3 TCP client -> VNet host, Mbit/s (median)" "$P_IPERF" "$S_IPERF" "$(ratio "$P_IPERF" "$S_IPERF")"
	printf '%-46s %12s %12s %8s\n' "IKE_SA setups/s, $RATE_N clients, $RATE_PAR in flight" "$P_RATE" "$S_RATE" "$(ratio "$P_RATE" "$S_RATE")"
	echo "# runs: iperf3 p2sgw ${IPERF[p2sgw]}| strongSwan ${IPERF[strongswan]}"
	echo "# runs: IKE_SA/s p2sgw ${RATE[p2sgw]}| strongSwan ${RATE[strongswan]}"
	echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$RESULTS/ike.txt"
{
	echo "gateway,metric,median,runs,unit"
	echo "p2sgw,iperf3,$P_IPERF,${IPERF[p2sgw]% },Mbit/s"
	echo "strongswan,iperf3,$S_IPERF,${IPERF[strongswan]% },Mbit/s"
	echo "p2sgw,ike_sa_rate,$P_RATE,${RATE[p2sgw]% },IKE_SA/s"
	echo "strongswan,ike_sa_rate,$S_RATE,${RATE[strongswan]% },IKE_SA/s"
} >"$RESULTS/ike.csv"
cat "$RESULTS/ike.txt"
