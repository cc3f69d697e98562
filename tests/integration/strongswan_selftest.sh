#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Self-test of the strongSwan test pieces (scripts/lib/pki.sh, strongswan.sh and
# the extra client namespaces of topology.sh), without p2sgw: a strongSwan
# responder (charon, ESP in userspace with kernel-libipsec) in the gateway
# namespace on the gateway's addresses, Linux routing between the public and
# private sides, and strongSwan clients in their own namespaces that get a
# virtual IP from the pool and ping the VNet host through the tunnel. Clients
# with an RSA certificate, an ECDSA certificate and one under the intermediate
# CA get in; one from an unknown root and a revoked one are refused.
#
#   tests/integration/strongswan_selftest.sh
set -uo pipefail
TOPO_PREFIX=p2sss
. "$(dirname "$0")/../../scripts/lib/common.sh"
. "$(dirname "$0")/../../scripts/lib/topology.sh"
. "$(dirname "$0")/../../scripts/lib/pki.sh"
. "$(dirname "$0")/lib.sh"
SS_DIR=$WORK/ss
. "$(dirname "$0")/../../scripts/lib/strongswan.sh"

cleanup() {
	trap - EXIT INT TERM
	ss_stop_all
	ss_iperf_stop
	topo_clients_del
	topo_down
	if [ -n "${KEEP_LOGS:-}" ]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

p2s_need_root
[ -x /usr/lib/ipsec/charon ] && command -v swanctl >/dev/null ||
	die "strongSwan is missing: run scripts/deps.sh"

PKI=$WORK/pki
echo "# strongSwan-to-strongSwan self-test (no p2sgw)"
NCLI=${SS_SELFTEST_CLIENTS:-16}
check "test PKI made" pki_init "$PKI" "$NCLI"
fails() { ! "$@"; }
THUMB_GW=$(pki_thumbprint "$PKI/gw.crt")
pki_init "$PKI" "$NCLI"
check "test PKI: a second pki_init keeps it (same gateway thumbprint)" \
	test "$(pki_thumbprint "$PKI/gw.crt")" = "$THUMB_GW"
check "revoked client's thumbprint is 40 hex digits" \
	grep -Eqx '[0-9a-f]{40}' <<<"$(pki_thumbprint "$PKI/client-revoked.crt")"

topo_up
topo_clients_add "$NCLI"
topo_linux_gw_up
check "responder charon starts in $NS_GW" ss_start "$NS_GW" gw
check "responder loads its connection (trusts the root only, CRL, pool $POOL)" \
	ss_conn_load gw role=responder cert="$PKI/gw.crt" key="$PKI/gw.key" ca="$PKI/root-ca.crt" \
	crl="$PKI/root-ca.crl" pool="$POOL" dns=10.1.0.4

# client NAME NS CERTNAME [CA files to load]: start and load a client.
client() {
	local name=$1 ns=$2 cert=$3
	shift 3
	ss_client_start "$ns" "$name" &&
		ss_conn_load "$name" cert="$PKI/$cert.crt" key="$PKI/$cert.key" ca="$PKI/root-ca.crt $*"
}
in_pool() { case $1 in 172.16.201.*) return 0 ;; esac; return 1; }
ping_vnet() { ip netns exec "$1" ping -c 3 -i 0.3 -W 3 "$VNET_IP"; }

check "RSA client (root) starts in $NS_CLIENT" client rsa "$NS_CLIENT" client-rsa
check "RSA client: IKE_SA and CHILD_SA established" ss_initiate rsa net
VIP_RSA=$(ss_vip rsa)
check "RSA client got a virtual IP from the pool ($VIP_RSA)" in_pool "$VIP_RSA"
check "RSA client pings the VNet host through the tunnel" ping_vnet "$NS_CLIENT"

C1=$(topo_client_ns 1)
check "ECDSA client (root) starts in $C1" client ecdsa "$C1" client-ecdsa
check "ECDSA client: established" ss_initiate ecdsa net
VIP_EC=$(ss_vip ecdsa)
check "ECDSA client got another address from the pool ($VIP_EC)" \
	sh -c "case '$VIP_EC' in 172.16.201.*) [ '$VIP_EC' != '$VIP_RSA' ] ;; *) false ;; esac"
check "ECDSA client pings the VNet host" ping_vnet "$C1"

C2=$(topo_client_ns 2)
check "client under the intermediate CA starts in $C2 (sends inter-ca)" \
	client inter "$C2" client-inter "$PKI/inter-ca.crt"
check "intermediate client: established" ss_initiate inter net
check "the responder received the intermediate in a CERT payload" \
	grep -q "received issuer cert \"O=p2sgw test, CN=p2sgw Test Intermediate CA\"" "$(ss_log gw)"
check "intermediate client pings the VNet host" ping_vnet "$C2"
check "responder: 3 IKE_SAs established" test "$(ss_sa_count gw)" -eq 3

C3=$(topo_client_ns 3)
check "client from the unknown root starts in $C3" client unknown "$C3" client-unknown "$PKI/unknown-ca.crt"
check "unknown-root client is refused" fails ss_initiate unknown net 10
check "and told AUTHENTICATION_FAILED" grep -q 'AUTHENTICATION_FAILED' "$(ss_log unknown)"
check "responder: no trusted key for it" grep -q 'no trusted .* public key found' "$(ss_log gw)"

C4=$(topo_client_ns 4)
check "revoked client starts in $C4" client revoked "$C4" client-revoked
check "revoked client is refused" fails ss_initiate revoked net 10
check "responder: certificate was revoked" grep -q 'certificate was revoked' "$(ss_log gw)"
check "responder: still 3 IKE_SAs" test "$(ss_sa_count gw)" -eq 3

check "RSA client terminates" ss_terminate rsa
check "RSA client: no IKE_SA left" test "$(ss_sa_count rsa)" -eq 0
check "responder: 2 IKE_SAs after the delete" test "$(ss_sa_count gw)" -eq 2
check "RSA client reconnects" ss_initiate rsa net
check "RSA client pings again" ping_vnet "$NS_CLIENT"

PID_EC=$(cat "$SS_DIR/ecdsa/pid")
check "ECDSA client killed with SIGKILL (a dead client)" ss_client_kill ecdsa
check "its charon is gone" fails _ss_alive "$PID_EC"
check "responder still holds the dead client's IKE_SA" test "$(ss_sa_count gw)" -eq 3

# Many clients at once, each in its own namespace on the bridged segment.
for c in rsa inter unknown revoked; do ss_client_stop "$c"; done
started=0
for i in $(seq 1 "$NCLI"); do
	client "n$i" "$(topo_client_ns "$i")" "client$i" && started=$((started + 1))
done
check "$NCLI clients started in $TOPO_PREFIX-c1..c$NCLI" test "$started" -eq "$NCLI"
for i in $(seq 1 "$NCLI"); do ss_initiate "n$i" net & done
up=0
wait # the initiates (charons are disowned: not waited for)
for i in $(seq 1 "$NCLI"); do [ "$(ss_sa_count "n$i")" -eq 1 ] && up=$((up + 1)); done
check "$NCLI clients initiated at once: all established" test "$up" -eq "$NCLI"
vips=$(for i in $(seq 1 "$NCLI"); do ss_vip "n$i"; done | sort -u | grep -c '^172\.16\.201\.')
check "$NCLI distinct virtual IPs from the pool" test "$vips" -eq "$NCLI"
pinged=0
for i in $(seq 1 "$NCLI"); do
	ip netns exec "$(topo_client_ns "$i")" ping -c 1 -W 3 "$VNET_IP" >/dev/null && pinged=$((pinged + 1))
done
check "each of the $NCLI clients pings the VNet host" test "$pinged" -eq "$NCLI"

PIDS=$(cat "$SS_DIR"/*/pid 2>/dev/null)
ss_stop_all
left=0
for p in $PIDS; do _ss_alive "$p" && left=$((left + 1)); done
check "ss_stop_all: every charon exited" test "$left" -eq 0
check "no mount of a charon /run is left on the host" sh -c "! grep -q '$WORK' /proc/mounts"
finish
