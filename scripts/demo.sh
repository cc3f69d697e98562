#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The p2sgw demo: builds the gateway, puts it between a client namespace and
# a VNet host namespace on af_packet ports, and shows it at work: ARP and ping
# answered on both sides, proxy ARP for the client pool, an ESP tunnel that
# an independent client pings the VNet host through, counters moving.
# Everything it creates is removed at the end, also on Ctrl-C.
#
#   scripts/demo.sh [--hugepages] [--keep]   (--keep: leave it running until Ctrl-C)
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/topology.sh"

HUGE=
KEEP=
for a in "$@"; do
	case $a in
	--hugepages) HUGE=huge ;;
	--keep) KEEP=1 ;;
	-h | --help) sed -n '2,9p' "$0"; exit 0 ;;
	*) die "unknown option '$a'; allowed: --hugepages, --keep" ;;
	esac
done

p2s_need_root
say "installing what is missing (Debian packages)"
"$P2S_TOP/scripts/deps.sh"
say "building p2sgw in $P2S_BUILD"
mkdir -p "$(dirname "$P2S_BUILD")"
p2s_build "$P2S_BUILD" --buildtype=release

WORK=$(mktemp -d /tmp/p2sgw-demo.XXXXXX)
OLD_HUGE=$(cat /proc/sys/vm/nr_hugepages)
cleanup() {
	trap - EXIT INT TERM
	gw_stop >/dev/null 2>&1 || true
	topo_down
	[ -z "$HUGE" ] || echo "$OLD_HUGE" >/proc/sys/vm/nr_hugepages
	rm -rf "$WORK"
	say "removed the namespaces and $WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "creating namespaces $NS_CLIENT, $NS_GW, $NS_VNET and their veth pairs"
topo_up
topo_config "$WORK/p2sgw.conf"
if [ -n "$HUGE" ]; then
	echo 512 >/proc/sys/vm/nr_hugepages
fi
say "starting p2sgw in $NS_GW (public: gwpub $GW_PUB_IP, private: gwpriv $GW_PRIV_IP)"
gw_start "$WORK/p2sgw.conf" "$WORK/p2sgw.log" $HUGE || die "p2sgw did not start"
p2sctl show version
p2sctl show workers

say "client $CLIENT_IP pings the gateway's public address"
ip netns exec "$NS_CLIENT" ping -c 3 -i 0.2 -W 1 "$GW_PUB_IP"
say "the client learned the gateway's MAC by ARP"
ip -n "$NS_CLIENT" neigh show dev cli0

say "VNet host $VNET_IP pings the gateway's private address"
ip netns exec "$NS_VNET" ping -c 3 -i 0.2 -W 1 "$GW_PRIV_IP"

say "VNet host sends to a client address: the gateway answers ARP for the pool (proxy ARP)"
ip netns exec "$NS_VNET" ping -c 1 -W 1 172.16.201.5 >/dev/null || true
ip -n "$NS_VNET" neigh show 172.16.201.5
echo "(no client has that address, so the packet is dropped and counted as no_tunnel)"

say "a tunnel for client address 172.16.201.2: AES-256-GCM ESP over UDP 4500, keyed by hand"
echo "(IKEv2 will negotiate these keys once the responder lands; here they are random)"
KEY_TO_GW=$(head -c 36 /dev/urandom | od -An -tx1 | tr -d ' \n')
KEY_FROM_GW=$(head -c 36 /dev/urandom | od -An -tx1 | tr -d ' \n')
p2sctl sa add 172.16.201.2 "$CLIENT_IP:40500" c0ffee01 "$KEY_TO_GW" c0ffee02 "$KEY_FROM_GW"
say "an independent ESP client (Python cryptography) in $NS_CLIENT pings the VNet host through it"
ip netns exec "$NS_CLIENT" /usr/bin/python3 "$P2S_TOP/tests/integration/esp_client.py" \
	"$GW_PUB_IP" 40500 172.16.201.2 "$VNET_IP" c0ffee01 "$KEY_TO_GW" c0ffee02 "$KEY_FROM_GW" 5 56
say "the tunnel's SAs and their counters"
p2sctl show sa

say "the gateway's neighbour table"
p2sctl show neighbours
say "port counters and drops by reason"
p2sctl show ports
say "the same as JSON (p2sctl -j show ports)"
p2sctl -j show ports

if [ -n "$KEEP" ]; then
	say "running; try: ip netns exec $NS_CLIENT ping $GW_PUB_IP, and $P2S_BUILD/app/p2sctl -s $GW_SOCK help. Ctrl-C to stop."
	while kill -0 "$GW_PID" 2>/dev/null; do sleep 1; done
fi

say "stopping p2sgw (SIGTERM)"
gw_stop && rc=0 || rc=$?
tail -n 1 "$WORK/p2sgw.log"
[ $rc -eq 0 ] || die "p2sgw exited with status $rc"
say "demo done"
