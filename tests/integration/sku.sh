#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Integration test of the SKU's rate and of changes to a running gateway
# (issue 5, item 6), with two real strongSwan clients (charon,
# kernel-libipsec) in their own namespaces and iperf3 on the VNet host:
#   the rate set by p2sctl (50 Mbit/s) holds the aggregate of both clients
#   within ±5 % each way with UDP offered at 2.4 times the rate, the two
#   clients get a fair split (Jain index), and two TCP downloads share it;
#   `show sku` shows the use, queues and drops; VNet prefixes changed at run
#   time hold for connected clients at once and reach new ones as traffic
#   selectors; a thumbprint revoked and a root removed while the clients
#   are connected end exactly the clients concerned within 1 s; a restart
#   keeps every change.
#
#   tests/integration/sku.sh          (SKU_RATE=Mbit/s to change the rate)
#
# Bytes: the gateway holds inner IPv4 bytes; iperf3 reports UDP or TCP
# payload, so the figures are compared with the rate times the payload's
# share of each IPv4 packet (UDP: 1300 of 1328 bytes).
set -uo pipefail
TOPO_PREFIX=p2ssku
. "$(dirname "$0")/../../scripts/lib/common.sh"
. "$(dirname "$0")/../../scripts/lib/topology.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../../scripts/lib/pki.sh"
. "$(dirname "$0")/../../scripts/lib/strongswan.sh"

RATE=${SKU_RATE:-50}
SECS=10
UDP_LEN=1300
SS_DIR=$WORK/ss
PKI=${IKE_PKI:-$P2S_TOP/build/test-pki}

trap ss_test_cleanup EXIT

sku() { p2sctl -j show sku >"$WORK/j" && json "$1"; }
# within A B PCT: |A - B| <= PCT % of B
within() { python3 -c 'import sys; a, b, p = map(float, sys.argv[1:]); sys.exit(abs(a - b) > p / 100 * b)' "$@"; }
jain() { python3 -c 'import sys; x = list(map(float, sys.argv[1:])); print("%.4f" % (sum(x) ** 2 / (len(x) * sum(v * v for v in x))))' "$@"; }
ge_f() { python3 -c 'import sys; sys.exit(float(sys.argv[1]) < float(sys.argv[2]))' "$@"; }

# both_iperf DIR ARGS...: iperf3 from both clients at once (ports 5201, 5202),
# DIR up (client sends) or down (-R: the VNet host sends); "A B" in Mbit/s.
both_iperf() {
	local dir=$1 rev=() i
	shift
	[ "$dir" = down ] && rev=(-R)
	for i in 1 2; do
		ss_iperf_mbps "$(topo_client_ns "$i")" "$VNET_IP" "$SECS" $((5200 + i)) "${rev[@]}" "$@" \
			>"$WORK/iperf$i" 2>"$WORK/iperf$i.err" &
	done
	wait
	echo "$(cat "$WORK/iperf1") $(cat "$WORK/iperf2")"
}

p2s_need_root
pki_init "$PKI" 2 >/dev/null || { echo "cannot make the test PKI"; exit 1; }
topo_up
topo_clients_add 2 || { echo "cannot add client namespaces"; exit 1; }
topo_config "$WORK/p2sgw.conf" \
	"server_certificate = { cert = \"$PKI/gw.crt\"; key = \"$PKI/gw.key\"; };" \
	"trusted_roots = ( { name = \"p2sgw-test-root\"; file = \"$PKI/root-ca.crt\"; }," \
	"                  { name = \"partner\"; file = \"$PKI/unknown-ca.crt\"; } );"
echo "# p2sgw SKU rate and runtime changes with strongSwan clients, rate $RATE Mbit/s"
if ! gw_start "$WORK/p2sgw.conf" "$WORK/p2sgw.log"; then
	not_ok "p2sgw starts"
	finish
	exit 1
fi
ok "p2sgw starts (VpnGw1: 650 Mbit/s each way)"
ss_iperf_server "$NS_VNET" 5201 >/dev/null
ss_iperf_server "$NS_VNET" 5202 >/dev/null
NS1=$(topo_client_ns 1)
NS2=$(topo_client_ns 2)
check "client 1 connects (root p2sgw-test-root)" client "$NS1" c1 client1
# Client 2 asks for every destination, as Windows does: the gateway narrows it to the VNet.
check "client 2 connects (root partner)" client "$NS2" c2 client-unknown remote_ts=0.0.0.0/0
check "both ping the VNet host" sh -c "$(declare -f ping_vnet); VNET_IP=$VNET_IP; ping_vnet $NS1 2 && ping_vnet $NS2 2"

# --- the rate ----------------------------------------------------------------
check "show sku: VpnGw1's 650 Mbit/s in force" test "$(sku '["rate_bps"]')" = 650000000
p2sctl set rate 651 >"$WORK/err" 2>&1
check "set rate 651 is refused (above the SKU's 650)" test $? -ne 0
check "... with one line naming what is allowed: $(cat "$WORK/err")" \
	sh -c "[ \$(wc -l <'$WORK/err') -eq 1 ] && grep -q 'allowed: 1..650' '$WORK/err'"
check "set rate $RATE" p2sctl set rate "$RATE"
check "show sku: $RATE Mbit/s in force" test "$(sku '["rate_bps"]')" = $((RATE * 1000000))
EXPECT_UDP=$(python3 -c "print($RATE * $UDP_LEN / ($UDP_LEN + 28))")
OFFER=$((RATE * 6 / 5))M

for dir in up down; do
	p2sctl -j show sku >"$WORK/j"
	B0=$(json "[\"$dir\"][\"sent_bytes\"]")
	T0=$(date +%s.%N)
	read -r A B <<<"$(both_iperf "$dir" -u -b "$OFFER" -l "$UDP_LEN")"
	T1=$(date +%s.%N)
	p2sctl -j show sku >"$WORK/j"
	B1=$(json "[\"$dir\"][\"sent_bytes\"]")
	DROPS=$(json "[\"$dir\"][\"drops\"]")
	SUM=$(python3 -c "print('%.1f' % ($A + $B))")
	GW=$(python3 -c "print('%.1f' % (($B1 - $B0) * 8 / ($T1 - $T0) / 1e6))")
	echo "# $dir: UDP offered 2 x $OFFER, received $A + $B = $SUM Mbit/s (expected $EXPECT_UDP); gateway passed $GW Mbit/s of IPv4 over the whole run; queue drops $DROPS"
	check "$dir: aggregate $SUM Mbit/s within 5 % of $EXPECT_UDP (${RATE} Mbit/s of IPv4)" \
		within "$SUM" "$EXPECT_UDP" 5
	check "$dir: fair split $A / $B (Jain $(jain "$A" "$B") >= 0.98)" ge_f "$(jain "$A" "$B")" 0.98
	check "$dir: the excess was dropped at the queues and counted ($DROPS)" test "$DROPS" -gt 0
	echo "$dir udp $A $B $SUM $EXPECT_UDP $GW $DROPS" >>"$WORK/results"
done

# Two TCP downloads at once: TCP slows down to the rate and the two share it.
read -r A B <<<"$(both_iperf down)"
SUM=$(python3 -c "print('%.1f' % ($A + $B))")
echo "# down: TCP $A + $B = $SUM Mbit/s at $RATE Mbit/s of IPv4"
check "TCP: aggregate $SUM Mbit/s at most the rate, and at least 85 % of it" \
	python3 -c "import sys; sys.exit(not (0.85 * $RATE <= $SUM <= 1.02 * $RATE))"
check "TCP: fair split $A / $B (Jain $(jain "$A" "$B") >= 0.98)" ge_f "$(jain "$A" "$B")" 0.98
echo "down tcp $A $B $SUM $RATE" >>"$WORK/results"
check "show sku: nothing waits once the traffic stops" \
	wait_for 2 sh -c "[ \$('$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' -j show sku | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[\"up\"][\"queued_packets\"] + d[\"down\"][\"queued_packets\"])') -eq 0 ]"
p2sctl -j show tunnels >"$WORK/j"
check "show tunnels: the queue drops are counted per tunnel" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not all(c["rate_drops"] > 0 for c in d["clients"]))' "$WORK/j"
check "set rate sku: back to 650 Mbit/s" sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' set rate sku >/dev/null && [ \$('$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' -j show sku | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"rate_bps\"])') -eq 650000000 ]"
check "set rate $RATE again (kept for the restart)" p2sctl set rate "$RATE"

# --- VNet prefixes at run time ------------------------------------------------
check "set vnet 10.9.0.0/16: the VNet host's prefix is gone" p2sctl set vnet 10.9.0.0/16
ip netns exec "$NS1" ping -c 2 -i 0.3 -W 1 "$VNET_IP" >/dev/null 2>&1
check "... client 1 can no longer reach it (dropped by the data path's policy)" test $? -ne 0
check "set vnet 10.1.0.0/16 10.9.0.0/16" p2sctl set vnet 10.1.0.0/16 10.9.0.0/16
check "... client 1 reaches the VNet host again, without reconnecting" ping_vnet "$NS1" 2
ss_terminate c2 >/dev/null 2>&1
ss_initiate c2 net 20 >/dev/null 2>&1
ss_list_sas c2 >"$WORK/sas" 2>&1
check "client 2 reconnects: its CHILD_SA's remote selectors are 10.1.0.0/16 and 10.9.0.0/16" \
	sh -c "cat '$WORK/sas'; grep -q '10.1.0.0/16' '$WORK/sas' && grep -q '10.9.0.0/16' '$WORK/sas'"
check "... and it passes traffic" ping_vnet "$NS2" 2

# --- revoke and root removal with both clients connected --------------------
TP=$(pki_thumbprint "$PKI/client1.crt")
check "revoke add: client 1's thumbprint" p2sctl revoke add lost-laptop "$TP"
check "... client 1 is ended within 1 s" wait_for 1 tunnels_are 1
check "... client 2 is not disturbed" ping_vnet "$NS2" 2
check "root remove partner: client 2's root" p2sctl root remove partner
check "... client 2 is ended within 1 s" wait_for 1 tunnels_are 0
check "... and it got the DELETE" wait_for 3 test "$(ss_sa_count c2)" -eq 0

# --- a restart keeps every change --------------------------------------------
ss_client_stop c1
ss_client_stop c2
gw_stop
check "SIGTERM: exit 0, every mbuf back" test $? -eq 0
check "p2sgw restarts from the changed file" gw_start "$WORK/p2sgw.conf" "$WORK/p2sgw-restart.log"
check "... rate $RATE Mbit/s kept" test "$(sku '["rate_bps"]')" = $((RATE * 1000000))
p2sctl -j show config >"$WORK/j"
check "... the VNet prefixes kept" test "$(json '["vnet"]')" = "['10.1.0.0/16', '10.9.0.0/16']"
check "... the revoked thumbprint kept, the partner root gone" \
	test "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([r["thumbprint"].lower() for r in d["revoked"]], [r["name"] for r in d["trusted_roots"]])' "$WORK/j")" = "['$TP'] ['p2sgw-test-root']"
client "$NS1" c1b client1 >/dev/null 2>&1
check "... client 1 (revoked) is refused" test $? -ne 0
client "$NS2" c2b client-unknown >/dev/null 2>&1
check "... client 2 (root removed) is refused" test $? -ne 0
ss_client_stop c1b
ss_client_stop c2b
gw_stop
check "SIGTERM: exit 0, every mbuf back" test $? -eq 0
[ -n "${SKU_KEEP_RESULTS:-}" ] && cp "$WORK/results" "$SKU_KEEP_RESULTS/sku-integration.txt"
finish
