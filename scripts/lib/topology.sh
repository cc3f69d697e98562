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
	# A veth hands af_packet TCP/UDP with the checksum left to an offload that
	# never comes (CHECKSUM_PARTIAL): a NIC's peers send finished packets, so
	# make the kernel peers do the same.
	ip netns exec "$NS_VNET" ethtool -K vnet0 tx off >/dev/null
	ip netns exec "$NS_CLIENT" ethtool -K cli0 tx off >/dev/null
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

# --- More clients on the public segment (for the IKEv2 tests) -------------
#
#   [p2s-c1] cli0 --- c1 -+
#   [p2s-c2] cli0 --- c2 -+- clibr [client ns] cli0 ---- gwpub [gateway ns]
#    ...                  |   198.51.100.10
#   [p2s-cN] cli0 --- cN -+
#
# topo_clients_add N makes a bridge clibr in the client namespace, enslaves
# cli0 to it and moves $CLIENT_IP (and the default route) from cli0 to clibr,
# so the client namespace still reaches the gateway as before. Each extra
# namespace $TOPO_PREFIX-cI has its own veth cli0 with 198.51.100.(100+I)/24
# and a default route via the gateway. topo_clients_del undoes all of it and
# puts $CLIENT_IP back on cli0; topo_down alone leaves the extra namespaces.

topo_client_ns() { echo "$TOPO_PREFIX-c$1"; }
topo_client_ip() { echo "198.51.100.$((100 + $1))"; }

topo_clients_add() {
	local n=$1 i ns
	[ "$n" -ge 1 ] && [ "$n" -le 150 ] || { echo "topo_clients_add: 1..150 clients" >&2; return 1; }
	topo_clients_del
	if ! ip -n "$NS_CLIENT" link show clibr >/dev/null 2>&1; then
		ip -n "$NS_CLIENT" link add clibr type bridge || return 1
		ip -n "$NS_CLIENT" link set clibr address "$(ip -n "$NS_CLIENT" -br link show cli0 | awk '{print $3}')"
		ip -n "$NS_CLIENT" addr del "$CLIENT_IP/24" dev cli0 2>/dev/null || true
		ip -n "$NS_CLIENT" link set cli0 master clibr
		ip -n "$NS_CLIENT" addr add "$CLIENT_IP/24" dev clibr
		ip -n "$NS_CLIENT" link set clibr up
		ip -n "$NS_CLIENT" route replace default via "$GW_PUB_IP" dev clibr
	fi
	for i in $(seq 1 "$n"); do
		ns=$(topo_client_ns "$i")
		ip netns add "$ns" || return 1
		ip link add cli0 netns "$ns" type veth peer name "c$i" netns "$NS_CLIENT" || return 1
		ip -n "$ns" link set lo up
		ip -n "$ns" addr add "$(topo_client_ip "$i")/24" dev cli0
		ip -n "$ns" link set cli0 up
		ip -n "$ns" route add default via "$GW_PUB_IP"
		# Finished checksums on the way to the gateway's af_packet port, as topo_up does.
		! command -v ethtool >/dev/null || ip netns exec "$ns" ethtool -K cli0 tx off >/dev/null
		ip -n "$NS_CLIENT" link set "c$i" master clibr
		ip -n "$NS_CLIENT" link set "c$i" up
	done
}

topo_clients_del() {
	local ns
	for ns in $(ip netns list | awk -v p="^$TOPO_PREFIX-c[0-9]+\$" '$1 ~ p {print $1}'); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
	if ip -n "$NS_CLIENT" link show clibr >/dev/null 2>&1; then
		ip -n "$NS_CLIENT" link del clibr
		ip -n "$NS_CLIENT" addr add "$CLIENT_IP/24" dev cli0 2>/dev/null || true
		ip -n "$NS_CLIENT" route replace default via "$GW_PUB_IP" dev cli0
	fi
}

# --- Linux instead of p2sgw in the gateway namespace (baselines) ----------
#
# topo_linux_gw_up gives gwpub/gwpriv the gateway's addresses, turns on IPv4
# forwarding and proxy ARP on gwpriv (the VNet host treats the pool as on-link,
# as it does with p2sgw). Only while no p2sgw owns the ports; a strongSwan
# responder in $NS_GW then routes the pool. topo_linux_gw_down undoes it.

topo_linux_gw_up() {
	ip -n "$NS_GW" addr add "$GW_PUB_IP/24" dev gwpub || return 1
	ip -n "$NS_GW" addr add "$GW_PRIV_IP/24" dev gwpriv || return 1
	ip netns exec "$NS_GW" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$NS_GW" sysctl -qw net.ipv4.conf.gwpriv.proxy_arp=1
}

topo_linux_gw_down() {
	ip netns exec "$NS_GW" sysctl -qw net.ipv4.conf.gwpriv.proxy_arp=0 2>/dev/null || true
	ip netns exec "$NS_GW" sysctl -qw net.ipv4.ip_forward=0 2>/dev/null || true
	ip -n "$NS_GW" addr flush dev gwpub 2>/dev/null || true
	ip -n "$NS_GW" addr flush dev gwpriv 2>/dev/null || true
}
