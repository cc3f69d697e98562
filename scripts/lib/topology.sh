# SPDX-License-Identifier: BSD-3-Clause
# The demo and test topology: three network namespaces joined by veth pairs.
#
#   [client ns]  cli0 ---- gwpub  [gateway ns]  gwpriv ---- vnet0  [vnet ns]
#   198.51.100.10/24          p2sgw (DPDK af_packet)         10.1.0.10/24
#                        public 198.51.100.1   private 10.1.0.1
#
# The gateway's veth ends carry no kernel addresses: DPDK owns them.
# shellcheck shell=bash

TOPO_PREFIX=${TOPO_PREFIX:-p2s}
NS_CLIENT=$TOPO_PREFIX-client
NS_GW=$TOPO_PREFIX-gw
NS_VNET=$TOPO_PREFIX-vnet
CLIENT_IP=198.51.100.10
GW_PUB_IP=198.51.100.1
GW_PRIV_IP=10.1.0.1
VNET_IP=10.1.0.10
POOL=172.16.201.0/24

topo_down() {
	local ns
	for ns in "$NS_CLIENT" "$NS_GW" "$NS_VNET"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
}

topo_up() {
	topo_down
	ip netns add "$NS_CLIENT"
	ip netns add "$NS_GW"
	ip netns add "$NS_VNET"
	ip link add cli0 netns "$NS_CLIENT" type veth peer name gwpub netns "$NS_GW"
	ip link add vnet0 netns "$NS_VNET" type veth peer name gwpriv netns "$NS_GW"
	local ns
	for ns in "$NS_CLIENT" "$NS_GW" "$NS_VNET"; do
		ip -n "$ns" link set lo up
	done
	# No kernel IPv6 chatter on the ports DPDK owns.
	ip netns exec "$NS_GW" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$NS_GW" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip -n "$NS_GW" link set gwpub up
	ip -n "$NS_GW" link set gwpriv up
	ip -n "$NS_CLIENT" addr add "$CLIENT_IP/24" dev cli0
	ip -n "$NS_CLIENT" link set cli0 up
	ip -n "$NS_CLIENT" route add default via "$GW_PUB_IP"
	ip -n "$NS_VNET" addr add "$VNET_IP/24" dev vnet0
	ip -n "$NS_VNET" link set vnet0 up
	# Clients are on-link for the VNet host: the gateway proxy-ARPs for the pool.
	ip -n "$NS_VNET" route add "$POOL" dev vnet0
}

# topo_config FILE [extra libconfig lines...]: the gateway configuration for this topology.
topo_config() {
	local file=$1
	shift
	cat >"$file" <<CONF
# p2sgw configuration for the namespace topology (scripts/lib/topology.sh).
name = "p2sgw-demo";
ports = {
  public  = { profile = "af_packet"; iface = "gwpub";  address = "$GW_PUB_IP/24"; next_hop = "198.51.100.254"; mtu = 1500; };
  private = { profile = "af_packet"; iface = "gwpriv"; address = "$GW_PRIV_IP/24"; mtu = 1500; };
};
client_pool = "$POOL";
vnet = [ "10.1.0.0/16" ];
dns = [ "10.1.0.4" ];
sku = "VpnGw1";
protocols = [ "ikev2", "sstp" ];
auth = [ "certificate" ];
cli = { socket = "$(dirname "$file")/p2sgw.sock"; };
log = { level = "info"; };
# Two cores are shared with the peers here: let an idle worker nap.
dataplane = { profile_dir = "$P2S_TOP/drivers-cfg"; idle_sleep_us = 50; };
$(printf '%s\n' "$@")
CONF
}

# gw_start CONF LOG [huge]: start p2sgw in the gateway namespace; sets GW_PID.
gw_start() {
	local conf=$1 log=$2 mem
	local prefix="$TOPO_PREFIX-$$"
	if [ "${3:-}" = huge ]; then
		mem=(--in-memory)
	else
		mem=(--no-huge -m 512 --no-shconf)
	fi
	ip netns exec "$NS_GW" "$P2S_BUILD/app/p2sgw" -l 0,1 "${mem[@]}" --no-pci \
		--file-prefix "$prefix" -- -f "$conf" >"$log" 2>&1 &
	GW_PID=$!
	GW_SOCK=$(dirname "$conf")/p2sgw.sock
	GW_PREFIX=$prefix
	local i
	for i in $(seq 300); do
		if [ -S "$GW_SOCK" ] && p2sctl show version >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$GW_PID" 2>/dev/null || { cat "$log"; return 1; }
		sleep 0.1
	done
	cat "$log"
	return 1
}

# gw_stop: SIGTERM and wait; returns p2sgw's exit status.
gw_stop() {
	[ -n "${GW_PID:-}" ] || return 0
	kill -TERM "$GW_PID" 2>/dev/null || true
	local rc=0
	wait "$GW_PID" || rc=$?
	GW_PID=
	return $rc
}

p2sctl() {
	"$P2S_BUILD/app/p2sctl" -s "$GW_SOCK" "$@"
}
