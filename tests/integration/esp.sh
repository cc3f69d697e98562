#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Integration test of the ESP data path across real ports: a manually keyed
# AES-256-GCM tunnel (p2sctl sa add), and an independent ESP client written
# with Python's cryptography in the client namespace that pings the VNet host
# through the gateway over UDP 4500. The VNet host is the kernel: its echo
# replies come back through proxy ARP, are encrypted by the gateway, and are
# checked by the client. Also: counters per SA, an unknown SPI, removal.
#
#   tests/integration/esp.sh
set -uo pipefail
TOPO_PREFIX=p2sesp
. "$(dirname "$0")/../../scripts/lib/common.sh"
. "$(dirname "$0")/../../scripts/lib/topology.sh"
. "$(dirname "$0")/lib.sh"

cleanup() {
	gw_stop >/dev/null 2>&1 || true
	topo_down
	rm -rf "$WORK"
}
trap cleanup EXIT

INNER=172.16.201.2
PORT=40500
SPI_TO_GW=c0ffee01
SPI_FROM_GW=c0ffee02
KEY_TO_GW=$(head -c 36 /dev/urandom | od -An -tx1 | tr -d ' \n')
KEY_FROM_GW=$(head -c 36 /dev/urandom | od -An -tx1 | tr -d ' \n')
client() { ip netns exec "$NS_CLIENT" /usr/bin/python3 "$P2S_TOP/tests/integration/esp_client.py" \
	"$GW_PUB_IP" "$PORT" "$INNER" "$VNET_IP" "$SPI_TO_GW" "$KEY_TO_GW" "$SPI_FROM_GW" "$KEY_FROM_GW" "$@"; }

p2s_need_root
topo_up
topo_config "$WORK/p2sgw.conf"
echo "# p2sgw ESP integration"
if ! gw_start "$WORK/p2sgw.conf" "$WORK/p2sgw.log"; then
	not_ok "p2sgw starts"
	finish
	exit 1
fi
ok "p2sgw starts"

check "sa add: a manually keyed tunnel for $INNER" \
	p2sctl sa add "$INNER" "$CLIENT_IP:$PORT" "$SPI_TO_GW" "$KEY_TO_GW" "$SPI_FROM_GW" "$KEY_FROM_GW"
check "sa add refuses an address outside the pool" \
	sh -c "! '$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' sa add 10.9.9.9 $CLIENT_IP:$PORT 1 $KEY_TO_GW 2 $KEY_FROM_GW"
check "sa add refuses a short key" \
	sh -c "! '$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' sa add 172.16.201.3 $CLIENT_IP:$PORT 3 abcd 4 $KEY_FROM_GW"

check "independent ESP client pings the VNet host through the tunnel (5 of 5)" client 5 56
check "large echo (1400 bytes) through the tunnel" client 3 1400 6
client 2 56 3 >"$WORK/out" 2>&1
check "a replayed sequence number gets no reply" test $? -ne 0
p2sctl -j show sa >"$WORK/j"
check "show sa: inbound SA counted 8 packets" test "$(json '["sas"][0]["packets"]')" -eq 8
check "show sa: outbound SA counted 8 packets" test "$(json '["sas"][1]["packets"]')" -eq 8
check "show sa: the 2 replays counted as replayed" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["drops"]; sys.exit(not any(r["reason"]=="replayed" and r["packets"]==2 for r in d))' "$WORK/j"

# Replies the gateway could not encrypt would show here; a VNet packet to a
# pool address without a client is counted as no_tunnel.
ip netns exec "$NS_VNET" ping -c 1 -W 1 172.16.201.77 >/dev/null 2>&1
check "VNet packet to a pool address without a client: no_tunnel" ge "$(drops private no_tunnel)" 1

check "sa del removes the tunnel" p2sctl sa del 1
client 1 56 20 >"$WORK/out" 2>&1
check "after sa del the client gets no reply" test $? -ne 0
check "and its packets are counted as esp_no_sa" ge "$(drops public esp_no_sa)" 1

gw_stop
rc=$?
check "SIGTERM: exit 0, every mbuf back" test $rc -eq 0
finish
