#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The p2sgw demo: builds the gateway, puts it between a client namespace and
# a VNet host namespace on af_packet ports, and shows it at work: a real
# IKEv2 client (strongSwan's charon with a certificate) connects, gets an
# address from the pool, pings the VNet host through the tunnel and runs a
# short iperf3; p2sctl shows the tunnel, the IKE_SA, the SKU's rate and the counters.
# Everything it creates is removed at the end, also on Ctrl-C.
#
#   scripts/demo.sh [--radius] [--hugepages] [--keep]
#     --radius: the client authenticates with a user name and password
#               (EAP-MSCHAPv2), relayed by the gateway to a FreeRADIUS server
#               in the VNet, instead of a client certificate
#     --keep:   leave it running until Ctrl-C
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/topology.sh"
. "$(dirname "$0")/lib/pki.sh"
. "$(dirname "$0")/lib/strongswan.sh"
. "$(dirname "$0")/lib/freeradius.sh"

HUGE=
KEEP=
RADIUS=
for a in "$@"; do
	case $a in
	--radius) RADIUS=1 ;;
	--hugepages) HUGE=huge ;;
	--keep) KEEP=1 ;;
	-h | --help) sed -n '2,13p' "$0"; exit 0 ;;
	*) die "unknown option '$a'; allowed: --radius, --hugepages, --keep" ;;
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
	ss_stop_all >/dev/null 2>&1 || true
	fr_stop >/dev/null 2>&1 || true
	ss_iperf_stop >/dev/null 2>&1 || true
	gw_stop >/dev/null 2>&1 || true
	topo_down
	[ -z "$HUGE" ] || echo "$OLD_HUGE" >/proc/sys/vm/nr_hugepages
	rm -rf "$WORK"
	say "removed the namespaces and $WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SS_DIR=$WORK/strongswan
PKI=$P2S_TOP/build/test-pki
say "a test PKI in $PKI: root CA, the gateway's certificate (gw.p2sgw.test), client certificates"
pki_init "$PKI" 0 >/dev/null

say "creating namespaces $NS_CLIENT, $NS_GW, $NS_VNET and their veth pairs"
topo_up
RADIUS_LINE=
if [ -n "$RADIUS" ]; then
	SECRET="demo-$RANDOM$RANDOM"
	say "FreeRADIUS on the VNet host $VNET_IP:1812 (private config in $WORK/raddb): user alice, password alicepw"
	mkdir -p "$WORK/raddb"
	echo 'alice Cleartext-Password := "alicepw"' >"$WORK/raddb/users"
	fr_conf "$WORK/raddb" "$SECRET" "$GW_PRIV_IP" "$VNET_IP" 1812 mschapv2
	fr_start "$NS_VNET" "$WORK/raddb" "$WORK/freeradius.log" || die "FreeRADIUS did not start"
	RADIUS_LINE="radius = ( { address = \"$VNET_IP\"; secret = \"$SECRET\"; } );"
fi
topo_config "$WORK/p2sgw.conf" \
	"server_certificate = { cert = \"$PKI/gw.crt\"; key = \"$PKI/gw.key\"; };" \
	"trusted_roots = ( { name = \"p2sgw-test-root\"; file = \"$PKI/root-ca.crt\"; } );" \
	"$RADIUS_LINE"
[ -z "$RADIUS" ] || sed -i 's/^auth = .*/auth = [ "certificate", "radius" ];/' "$WORK/p2sgw.conf"
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

ss_client_start "$NS_CLIENT" demo
if [ -n "$RADIUS" ]; then
	say "a strongSwan IKEv2 client (charon, kernel-libipsec) in $NS_CLIENT connects as alice (EAP-MSCHAPv2 through the gateway to RADIUS)"
	cat >"$SS_DIR/demo/swanctl/conf.d/secrets.conf" <<'SECRETS'
secrets {
	eap-alice {
		id = alice
		secret = "alicepw"
	}
}
SECRETS
	ss_conn_load demo auth=eap-mschapv2 id=alice eap_id=alice ca="$PKI/root-ca.crt" remote_auth=pubkey
else
	say "a strongSwan IKEv2 client (charon, kernel-libipsec) in $NS_CLIENT connects with certificate client-rsa"
	ss_conn_load demo cert="$PKI/client-rsa.crt" key="$PKI/client-rsa.key" ca="$PKI/root-ca.crt"
fi
ss_initiate demo net 20 || { cat "$SS_DIR/demo/initiate.net.out"; die "the client did not connect"; }
tail -n 3 "$SS_DIR/demo/initiate.net.out"
say "the client's view (swanctl --list-sas)"
ss_list_sas demo
say "the gateway's view: p2sctl show tunnels"
p2sctl show tunnels
say "p2sctl show ike"
p2sctl show ike | sed -n '1,6p'

say "the client pings the VNet host $VNET_IP through the tunnel"
ip netns exec "$NS_CLIENT" ping -c 3 -i 0.3 -W 2 "$VNET_IP"
say "a 5-second iperf3 from the client to the VNet host through the tunnel"
ss_iperf_server "$NS_VNET" >/dev/null
ip netns exec "$NS_CLIENT" iperf3 -c "$VNET_IP" -t 5 | tail -n 4
say "the tunnel's counters after the traffic"
p2sctl show tunnels
p2sctl show sa
say "the SKU's rate (VpnGw1: 650 Mbit/s each way; above it packets wait, then are dropped): p2sctl show sku"
p2sctl show sku
if [ -n "$RADIUS" ]; then
	say "the RADIUS side: p2sctl show radius"
	p2sctl show radius
fi

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

say "the client disconnects (IKEv2 DELETE)"
ss_terminate demo
p2sctl show tunnels | head -n 3
say "stopping p2sgw (SIGTERM)"
gw_stop && rc=0 || rc=$?
tail -n 1 "$WORK/p2sgw.log"
[ $rc -eq 0 ] || die "p2sgw exited with status $rc"
say "demo done"
