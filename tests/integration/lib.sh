# SPDX-License-Identifier: BSD-3-Clause
# What the integration tests share: counting checks, reading p2sctl JSON.
# shellcheck shell=bash

PASS=0
FAIL=0
WORK=$(mktemp -d /tmp/p2sgw-it.XXXXXX)

ok() { PASS=$((PASS + 1)); echo "ok   - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
check() { # check "what" command...
	local what=$1
	shift
	if "$@" >"$WORK/out" 2>&1; then ok "$what"; else not_ok "$what"; sed 's/^/       /' "$WORK/out"; fi
}
finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}

# json PATH: a value out of the last `p2sctl -j` output saved in $WORK/j.
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval("d"+sys.argv[2]))' "$WORK/j" "$1"; }
drops() { # drops PORT REASON -> packets
	p2sctl -j show ports all >"$WORK/j"
	python3 - "$WORK/j" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(sum(r["packets"] for r in d["drops"] if r["port"] == sys.argv[2] and r["reason"] == sys.argv[3]))
PY
}
mac_of() { ip -n "$1" -br link show "$2" | awk '{print $3}'; }
neigh_mac() { ip -n "$1" neigh show "$2" | grep -o 'lladdr [0-9a-f:]*' | cut -d' ' -f2; }
ge() { [ "$1" -ge "$2" ]; }

# The IKEv2 tests' views of the gateway (p2sctl from topology.sh).
tunnels() { p2sctl -j show tunnels >"$WORK/j" && json '["tunnels"]'; }
tunnels_are() { [ "$(tunnels)" -eq "$1" ]; }
ike_event() { p2sctl -j show ike >"$WORK/j" && json "[\"events\"][\"$1\"]"; }
ping_vnet() { ip netns exec "$1" ping -c "${2:-3}" -i 0.3 -W 2 "$VNET_IP"; }
# wait_for SECS command...: poll until it succeeds.
wait_for() {
	local secs=$1 i
	shift
	for i in $(seq $((secs * 10))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
# client NS NAME CERT [conn options]: a strongSwan charon with one connection
# (certificate $PKI/CERT, trusting $PKI/root-ca, the gateway's issuer), initiated.
client() {
	local ns=$1 name=$2 cert=$3
	shift 3
	ss_client_start "$ns" "$name" &&
		ss_conn_load "$name" cert="$PKI/$cert.crt" key="$PKI/$cert.key" \
			ca="$PKI/root-ca.crt" "$@" &&
		ss_initiate "$name" net 20
}
# The strongSwan tests' exit trap: clients, iperf3, the gateway, namespaces, $WORK.
ss_test_cleanup() {
	ss_stop_all >/dev/null 2>&1
	ss_iperf_stop >/dev/null 2>&1
	gw_stop >/dev/null 2>&1 || true
	topo_clients_del >/dev/null 2>&1
	topo_down
	rm -rf "$WORK"
}
