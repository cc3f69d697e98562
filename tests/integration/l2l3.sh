#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Integration test of the appliance skeleton on the namespace topology
# (scripts/lib/topology.sh): the real p2sgw on af_packet ports, the kernel's
# own ARP, ping and raw frames as peers. Checks ARP and ICMP on both ports,
# proxy ARP for the pool, next-hop resolution and its failure, every drop
# reason a wire can provoke, the CLI (table, JSON, errors, socket mode),
# DPDK telemetry, and a clean shutdown with every mbuf back in its pool.
#
#   tests/integration/l2l3.sh [nohuge|huge]
set -uo pipefail
TOPO_PREFIX=p2sit
. "$(dirname "$0")/../../scripts/lib/common.sh"
. "$(dirname "$0")/../../scripts/lib/topology.sh"
. "$(dirname "$0")/lib.sh"

MODE=${1:-nohuge}
OLD_HUGE=$(cat /proc/sys/vm/nr_hugepages)

cleanup() {
	gw_stop >/dev/null 2>&1 || true
	topo_down
	echo "$OLD_HUGE" >/proc/sys/vm/nr_hugepages
	rm -rf "$WORK"
}
trap cleanup EXIT

p2s_need_root
topo_up
topo_config "$WORK/p2sgw.conf"
GW_PUB_MAC=$(mac_of "$NS_GW" gwpub)
GW_PRIV_MAC=$(mac_of "$NS_GW" gwpriv)

if [ "$MODE" = huge ]; then
	echo 512 >/proc/sys/vm/nr_hugepages
	if [ "$(cat /proc/sys/vm/nr_hugepages)" -lt 256 ]; then
		echo "SKIP - hugepages: could not reserve 2 MiB pages here"
		echo "0 passed, 0 failed, 1 skipped"
		exit 0
	fi
fi

echo "# p2sgw integration ($MODE)"
if ! gw_start "$WORK/p2sgw.conf" "$WORK/p2sgw.log" "$([ "$MODE" = huge ] && echo huge)"; then
	not_ok "p2sgw starts"
	finish
	exit 1
fi
ok "p2sgw starts and answers on its CLI socket"
check "CLI socket has mode 0660" test "$(stat -c %a "$GW_SOCK")" = 660

# --- ARP and ICMP on both ports ---
check "client pings the public address" ip netns exec "$NS_CLIENT" ping -c 3 -i 0.2 -W 2 "$GW_PUB_IP"
check "client learned the public port's MAC" test "$(neigh_mac "$NS_CLIENT" "$GW_PUB_IP")" = "$GW_PUB_MAC"
check "VNet host pings the private address" ip netns exec "$NS_VNET" ping -c 3 -i 0.2 -W 2 "$GW_PRIV_IP"
check "VNet host learned the private port's MAC" test "$(neigh_mac "$NS_VNET" "$GW_PRIV_IP")" = "$GW_PRIV_MAC"
check "large echo (1400 bytes) is answered" ip netns exec "$NS_CLIENT" ping -c 1 -s 1400 -W 2 "$GW_PUB_IP"

# --- proxy ARP for the client pool, on the private port only ---
ip netns exec "$NS_VNET" ping -c 1 -W 1 172.16.201.5 >/dev/null 2>&1
check "private port proxy-ARPs for a pool address" test "$(neigh_mac "$NS_VNET" 172.16.201.5)" = "$GW_PRIV_MAC"
ip netns exec "$NS_CLIENT" arping -c 1 -w 1 -I cli0 172.16.201.6 >/dev/null 2>&1
check "public port does not proxy-ARP for the pool" ge "$(drops public arp_not_for_us)" 1

# --- next hop resolved by the gateway's own ARP ---
ip -n "$NS_CLIENT" addr add 198.51.100.11/24 dev cli0
ip -n "$NS_CLIENT" neigh replace "$GW_PUB_IP" lladdr "$GW_PUB_MAC" dev cli0 nud permanent
check "reply to an unknown neighbour waits for ARP, then goes" \
	ip netns exec "$NS_CLIENT" ping -c 2 -W 2 -I 198.51.100.11 "$GW_PUB_IP"
p2sctl -j show neighbours >"$WORK/j"
check "neighbour table has the client, the VNet host and the new neighbour" \
	python3 -c 'import json,sys; n={(r["address"],r["state"]) for r in json.load(open(sys.argv[1]))["neighbours"]}; sys.exit(not {("198.51.100.10","reachable"),("198.51.100.11","reachable"),("10.1.0.10","reachable")} <= n)' "$WORK/j"

# --- an unreachable next hop: probes, then the waiting reply is dropped ---
ip -n "$NS_CLIENT" addr add 203.0.113.5/32 dev lo
ip netns exec "$NS_CLIENT" ping -c 1 -W 1 -I 203.0.113.5 "$GW_PUB_IP" >/dev/null 2>&1
sleep 5
check "reply towards a silent next hop is dropped as neigh_failed" ge "$(drops public neigh_failed)" 1

# --- drop reasons from a real wire ---
# (Not ip_fragment: the af_packet PMD's fan-out socket asks the kernel to
# reassemble, so lone fragments never reach the gateway here; the unit test
# covers that reason.)
for kind in bad_ip_checksum runt foreign_mac arp_other udp icmp_timestamp bad_icmp_checksum; do
	ip netns exec "$NS_CLIENT" python3 "$P2S_TOP/tests/integration/rawframe.py" cli0 "$GW_PUB_MAC" \
		"$CLIENT_IP" "$GW_PUB_IP" "$kind" 5
done
ip netns exec "$NS_CLIENT" ping -c 1 -W 1 "$GW_PRIV_IP" >/dev/null 2>&1
sleep 0.5
for pair in bad_ip_checksum:ip_checksum runt:runt foreign_mac:l2_not_for_us arp_other:arp_not_for_us \
	udp:no_service icmp_timestamp:icmp_type bad_icmp_checksum:icmp_malformed; do
	check "${pair%%:*} frames are counted as ${pair#*:}" ge "$(drops public "${pair#*:}")" 5
done
check "the private address is not reachable through the public port (ip_not_for_us)" \
	ge "$(drops public ip_not_for_us)" 1
check "gateway still answers after the bad frames" ip netns exec "$NS_CLIENT" ping -c 1 -W 2 "$GW_PUB_IP"

# --- the CLI ---
p2sctl -j show ports >"$WORK/j"
check "show ports -j: RX counters on both ports" \
	test "$(json '["counters"][0]["rx_packets"]')" -gt 0 -a "$(json '["counters"][1]["rx_packets"]')" -gt 0
check "show ports -j: TX counters on both ports" \
	test "$(json '["counters"][0]["tx_packets"]')" -gt 0 -a "$(json '["counters"][1]["tx_packets"]')" -gt 0
check "show ports -j: link up on both ports" \
	test "$(json '["ports"][0]["link"]')$(json '["ports"][1]["link"]')" = upup
check "show ports prints a table" sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' show ports | grep -E '^ *public .* up '"
check "show workers lists one worker" sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' -j show workers | python3 -c 'import json,sys; sys.exit(len(json.load(sys.stdin)[\"workers\"]) != 1)'"
check "show config shows the pool" sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' -j show config | grep -q 172.16.201.0/24"
check "show version names DPDK" sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' show version | grep -q 'DPDK'"
"$P2S_BUILD/app/p2sctl" -s "$GW_SOCK" show bogus >"$WORK/out" 2>&1
rc=$?
check "unknown command: exit 1 and one line naming it" \
	test $rc -eq 1 -a "$(wc -l <"$WORK/out")" -eq 1 -a "$(grep -c "show bogus" "$WORK/out")" -eq 1
"$P2S_BUILD/app/p2sctl" -s "$GW_SOCK" show ports everything >"$WORK/out" 2>&1
rc=$?
check "bad argument: exit 1 and names it" test $rc -eq 1 -a "$(grep -c everything "$WORK/out")" -eq 1

# --- DPDK telemetry reads the same counters ---
echo /p2sgw/ports | timeout 10 dpdk-telemetry.py -f "$GW_PREFIX" >"$WORK/tel" 2>&1
check "dpdk-telemetry.py reads /p2sgw/ports" grep -q rx_packets "$WORK/tel"

# --- clean shutdown ---
gw_stop
rc=$?
check "SIGTERM: p2sgw exits 0" test $rc -eq 0
check "SIGTERM: every mbuf back in its pool" grep -q "stopped: ports closed, 0 of [0-9]* mbufs in use" "$WORK/p2sgw.log"
check "CLI socket removed" test ! -e "$GW_SOCK"

# --- a bad configuration stops the gateway before it starts ---
sed 's/sku = "VpnGw1"/sku = "VpnGw9"/' "$WORK/p2sgw.conf" >"$WORK/bad.conf"
"$P2S_BUILD/app/p2sgw" -- -f "$WORK/bad.conf" >"$WORK/out" 2>&1
rc=$?
check "bad sku: exit 1 with one line naming the field" \
	test $rc -eq 1 -a "$(wc -l <"$WORK/out")" -eq 1 -a "$(grep -c 'sku' "$WORK/out")" -eq 1

finish
