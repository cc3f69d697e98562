#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Integration test of the IKEv2 responder with real strongSwan clients
# (charon, kernel-libipsec: ESP in userspace over UDP 4500) in network
# namespaces, through p2sgw on af_packet ports, to a VNet host behind the
# private port:
#   RSA, ECDSA and intermediate-chained client certificates; the Windows
#   built-in client's default proposals; INVALID_KE_PAYLOAD and a retry;
#   ping and a 10-second iperf3 through the tunnel; CHILD_SA rekey during
#   traffic and IKE_SA rekey; DELETE from the client and disconnect from the
#   operator; a killed client reaped by liveness checks; a revoked
#   certificate and one from an unknown root refused; N clients (16 by
#   default) at the same time, each passing traffic; COOKIEs under load.
#
#   tests/integration/ike.sh          (IKE_CLIENTS=N to change the crowd)
set -uo pipefail
TOPO_PREFIX=p2sike
. "$(dirname "$0")/../../scripts/lib/common.sh"
. "$(dirname "$0")/../../scripts/lib/topology.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../../scripts/lib/pki.sh"
. "$(dirname "$0")/../../scripts/lib/strongswan.sh"

N=${IKE_CLIENTS:-16}
SS_DIR=$WORK/ss
PKI=${IKE_PKI:-$P2S_TOP/build/test-pki}

trap ss_test_cleanup EXIT

# conf FILE [extra lines]: this topology with IKEv2 and the test PKI.
conf() {
	local f=$1
	shift
	topo_config "$f" \
		"server_certificate = { cert = \"$PKI/gw.crt\"; key = \"$PKI/gw.key\"; };" \
		"trusted_roots = ( { name = \"p2sgw-test-root\"; file = \"$PKI/root-ca.crt\"; } );" \
		"revoked = ( { name = \"client-revoked\"; thumbprint = \"$(pki_thumbprint "$PKI/client-revoked.crt")\"; } );" \
		"$@"
}
in_pool() { case "$1" in 172.16.201.*) return 0 ;; esac; return 1; }

p2s_need_root
echo "# test PKI in $PKI"
pki_init "$PKI" "$N" >/dev/null || { echo "cannot make the test PKI"; exit 1; }
topo_up
topo_clients_add "$N" || { echo "cannot add client namespaces"; exit 1; }
conf "$WORK/p2sgw.conf" "tunnel_limit = $N;" "ikev2 = { liveness_s = 3; liveness_retries = 2; };"
echo "# p2sgw IKEv2 integration with strongSwan $(/usr/sbin/swanctl --version 2>/dev/null | grep -o '[0-9.]*' | head -1)"
if ! gw_start "$WORK/p2sgw.conf" "$WORK/p2sgw.log"; then
	not_ok "p2sgw starts"
	finish
	exit 1
fi
ok "p2sgw starts with IKEv2"
ss_iperf_server "$NS_VNET" >/dev/null

# --- one RSA client: connect, traffic, rekeys, DELETE, disconnect -----------
check "RSA client connects (certificate, virtual IP requested)" client "$NS_CLIENT" rsa client-rsa
VIP=$(ss_vip rsa)
check "it got an address from the pool ($VIP)" in_pool "$VIP"
check "ping the VNet host through the tunnel" ping_vnet "$NS_CLIENT" 3
p2sctl -j show tunnels >"$WORK/j"
check "show tunnels: identity client-rsa@p2sgw.test" test "$(json '["clients"][0]["identity"]')" = client-rsa@p2sgw.test
check "show tunnels: protocol ikev2, auth certificate" \
	test "$(json '["clients"][0]["protocol"]') $(json '["clients"][0]["auth"]')" = "ikev2 certificate"
check "show tunnels: inner address is the client's" test "$(json '["clients"][0]["inner"]')" = "$VIP"
check "show tunnels: packets counted both ways" \
	test "$(json '["clients"][0]["in_packets"]')" -ge 3 -a "$(json '["clients"][0]["out_packets"]')" -ge 3
p2sctl -j show ike >"$WORK/j"
check "show ike: one established IKE_SA, NAT-T (kernel-libipsec encapsulates)" \
	test "$(json '["established"]') $(json '["ike_sas"][0]["nat"]')" = "1 yes"
p2sctl show tunnels >"$WORK/tunnels.txt"

MBPS=$(ss_iperf_mbps "$NS_CLIENT" "$VNET_IP" 10)
check "iperf3 10 s from the client to the VNet host: ${MBPS:-failed} Mbit/s" test -n "$MBPS"
[ -n "$MBPS" ] || grep -m3 -i error "$SS_DIR/iperf3.json"
echo "$MBPS" >"$WORK/iperf.mbps"

# CHILD_SA rekey while iperf3 runs: the transfer goes on.
ip netns exec "$NS_CLIENT" iperf3 -c "$VNET_IP" -t 6 -J >"$WORK/iperf-rekey.json" 2>&1 &
IPERF=$!
sleep 2
check "CHILD_SA rekey (client-initiated) during traffic" ss_swanctl rsa --rekey --child net
wait "$IPERF"
check "iperf3 across the rekey completed" test $? -eq 0
check "after the rekey: 1 CHILD_SA rekey counted, the old SA deleted" \
	sh -c "[ $(ike_event child_rekeys) -eq 1 ] && [ \$('$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' -j show sa | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"sas\"]))') -eq 2 ]"
check "IKE_SA rekey (client-initiated)" ss_swanctl rsa --rekey --ike p2s
check "ping after both rekeys" ping_vnet "$NS_CLIENT" 2
check "IKE_SA rekey counted, still one tunnel" sh -c "[ $(ike_event ike_rekeys) -eq 1 ] && [ $(tunnels) -eq 1 ]"

check "client terminates (DELETE): the tunnel goes" ss_terminate rsa
check "... and the address returns to the pool" \
	wait_for 5 sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' -j show tunnels | grep -q '\"pool_in_use\": 0'"
check "reconnects" ss_initiate rsa net 20
p2sctl -j show tunnels >"$WORK/j"
TID=$(json '["clients"][0]["id"]')
check "p2sctl disconnect $TID: tunnel gone" p2sctl disconnect "$TID"
check "... and the client saw the DELETE" wait_for 5 test "$(ss_sa_count rsa)" -eq 0
check "disconnect of an unknown id is refused" sh -c "! '$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' disconnect 999"
ss_client_stop rsa

# --- other certificates and proposals ---------------------------------------
check "ECDSA P-256 client connects" client "$NS_CLIENT" ecdsa client-ecdsa
check "ECDSA client passes traffic" ping_vnet "$NS_CLIENT" 2
ss_client_stop ecdsa
check "client under an intermediate CA connects (chain from CERT payloads)" \
	client "$NS_CLIENT" inter client-inter ca="$PKI/root-ca.crt $PKI/inter-ca.crt" send_cert=always
ss_client_stop inter
check "Windows default proposals (AES-CBC/SHA1/MODP-1024 IKE, AES-256/SHA1 ESP)" \
	client "$NS_CLIENT" win client-rsa \
	ike="aes256-sha1-modp1024,aes128-sha1-modp1024,3des-sha1-modp1024" esp="aes256-sha1,3des-sha1"
check "... and passes traffic" ping_vnet "$NS_CLIENT" 2
ss_client_stop win
BEFORE=$(ike_event invalid_ke)
check "KE for a group we do not take: INVALID_KE_PAYLOAD, the client retries and connects" \
	client "$NS_CLIENT" ke client-rsa ike="aes256-sha256-modp3072-ecp256"
check "... INVALID_KE_PAYLOAD counted" test "$(ike_event invalid_ke)" -gt "$BEFORE"
ss_client_stop ke

BEFORE=$(ike_event auth_failed)
client "$NS_CLIENT" revoked client-revoked >/dev/null 2>&1
check "revoked client certificate refused" test $? -ne 0
ss_client_stop revoked
client "$NS_CLIENT" unknown client-unknown ca="$PKI/unknown-ca.crt" >/dev/null 2>&1
check "client certificate from an unknown root refused" test $? -ne 0
ss_client_stop unknown
check "... both counted as AUTHENTICATION_FAILED" test "$(ike_event auth_failed)" -eq $((BEFORE + 2))
check "... and they left no tunnel" test "$(tunnels)" -eq 0
grep -q 'revoked' "$WORK/p2sgw.log"
check "the log says why (revoked)" test $? -eq 0

# --- liveness -----------------------------------------------------------------
check "a client that will die connects" client "$NS_CLIENT" dead client-ecdsa dpd=0
ss_client_kill dead
check "killed client reaped by liveness checks (3 s, 2 retries)" wait_for 25 tunnels_are 0
check "... counted as reaped, address back in the pool" \
	sh -c "[ $(ike_event reaped) -ge 1 ] && '$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' -j show tunnels | grep -q '\"pool_in_use\": 0'"

# --- N clients at once ----------------------------------------------------------
PIDS=()
for i in $(seq "$N"); do
	client "$(topo_client_ns "$i")" "c$i" "client$i" >"$WORK/c$i.out" 2>&1 &
	PIDS+=($!)
done
wait "${PIDS[@]}"
check "$N clients connected at the same time" wait_for 10 tunnels_are "$N"
FAILS=0
for i in $(seq "$N"); do
	ping_vnet "$(topo_client_ns "$i")" 2 >/dev/null 2>&1 || FAILS=$((FAILS + 1))
done
check "each of the $N clients pings the VNet host through its own tunnel" test "$FAILS" -eq 0
p2sctl -j show tunnels >"$WORK/j"
check "$N distinct pool addresses" test "$(python3 -c 'import json,sys; print(len({c["inner"] for c in json.load(open(sys.argv[1]))["clients"]}))' "$WORK/j")" -eq "$N"
# One more than tunnel_limit: refused with NO_ADDITIONAL_SAS, the others untouched.
client "$NS_CLIENT" extra client-ecdsa >/dev/null 2>&1
check "client $((N + 1)) refused at tunnel_limit $N" test $? -ne 0
p2sctl -j show tunnels >"$WORK/j"
check "... counted (refused_at_limit), still $N tunnels" \
	test "$(json '["refused_at_limit"]') $(json '["tunnels"]')" = "1 $N"
grep -q 'NO_ADD' "$SS_DIR/extra/charon.log"
check "... the client was told NO_ADDITIONAL_SAS" test $? -eq 0
check "... and client 1 still passes traffic" ping_vnet "$(topo_client_ns 1)" 2
ss_client_stop extra
for i in $(seq "$N"); do ss_client_stop "c$i"; done
check "every client gone after their DELETEs" wait_for 10 tunnels_are 0

# --- changes to the running gateway (p2sctl), saved to the file ---------------
check "client for the runtime changes connects" client "$NS_CLIENT" rt client-ecdsa
TP=$(pki_thumbprint "$PKI/client-ecdsa.crt")
check "revoke add: its thumbprint revoked while it is connected" p2sctl revoke add lost-laptop "$TP"
check "... the client is ended within 1 s (tunnel gone)" wait_for 1 tunnels_are 0
check "... and it got the DELETE" wait_for 3 test "$(ss_sa_count rt)" -eq 0
ss_initiate rt net 10 >/dev/null 2>&1
check "... it cannot come back" test $? -ne 0
check "revoke remove: it can again" sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' revoke remove lost-laptop"
check "... and reconnects" ss_initiate rt net 20
check "root remove: its root is no longer trusted" p2sctl root remove p2sgw-test-root
check "... the client is ended within 1 s" wait_for 1 tunnels_are 0
check "root add: trusted again" p2sctl root add p2sgw-test-root "$PKI/root-ca.crt"
check "... and it reconnects" ss_initiate rt net 20
check "set sku Basic is refused while IKEv2 is on (one line, nothing changed)" \
	sh -c "! '$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' set sku Basic 2>'$WORK/err' && grep -q sku '$WORK/err'"
check "set sku VpnGw2, set tunnel_limit 20, set dns 10.1.0.5" \
	sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' set sku VpnGw2 >/dev/null && '$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' set tunnel_limit 20 >/dev/null && '$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' set dns 10.1.0.5 >/dev/null"
check "... the client was not disturbed" ping_vnet "$NS_CLIENT" 2
check "protocol disable ikev2: the client is ended" \
	sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' protocol disable ikev2 >/dev/null && sleep 0.5 && [ \$('$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' -j show tunnels | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"tunnels\"])') -eq 0 ]"
check "protocol enable ikev2: it connects again" \
	sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' protocol enable ikev2 >/dev/null && sleep 0.2"
check "... and reconnects" ss_initiate rt net 20
ss_client_stop rt
gw_stop
check "SIGTERM: exit 0, every mbuf back" test $? -eq 0
check "p2sgw restarts from the changed file" gw_start "$WORK/p2sgw.conf" "$WORK/p2sgw-restart.log"
p2sctl -j show config >"$WORK/j"
check "... the changes are kept (VpnGw2, tunnel_limit 20, dns 10.1.0.5)" \
	test "$(json '["sku"]["name"]') $(json '["sku"]["tunnel_limit"]') $(json '["dns"]')" = "VpnGw2 20 ['10.1.0.5']"

# --- COOKIE under load (threshold 0: every IKE_SA_INIT must return one) --------
gw_stop
check "SIGTERM: exit 0, every mbuf back" test $? -eq 0
# ... and lifetimes of 4 s (CHILD_SA) and 7 s (IKE_SA): the gateway rekeys both
# (the client's own lifetimes are hours).
conf "$WORK/p2sgw.conf" "ikev2 = { cookie_threshold = 0; child_lifetime_s = 4; ike_lifetime_s = 7; };"
check "p2sgw restarts with cookie_threshold 0, child and IKE lifetimes 4 s and 7 s" \
	gw_start "$WORK/p2sgw.conf" "$WORK/p2sgw2.log"
check "client connects through a COOKIE exchange" client "$NS_CLIENT" cookie client-ecdsa
check "... COOKIE counted" test "$(ike_event cookies_sent)" -ge 1
check "... and passes traffic" ping_vnet "$NS_CLIENT" 2
rekeyed() { [ "$(ike_event child_rekeys)" -ge 1 ]; }
check "the gateway rekeys the CHILD_SA when its lifetime is over" wait_for 15 rekeyed
one_pair() { [ "$(p2sctl -j show sa | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["sas"]))')" -eq 2 ]; }
check "... and deletes the old one (one SA each way left)" wait_for 5 one_pair
check "... traffic goes on over the new CHILD_SA" ping_vnet "$NS_CLIENT" 2
ike_rekeyed() { [ "$(ike_event ike_rekeys)" -ge 1 ]; }
check "the gateway rekeys the IKE_SA when its lifetime is over" wait_for 15 ike_rekeyed
one_ike() { [ "$(ss_sa_count cookie)" -eq 1 ] && p2sctl -j show ike | grep -q '"established": 1'; }
check "... one IKE_SA left on both sides (the old one deleted)" wait_for 5 one_ike
check "... traffic and liveness go on over the new IKE_SA" ping_vnet "$NS_CLIENT" 2
check "... a later CHILD_SA rekey works under it (we are its initiator now)" \
	wait_for 10 sh -c "[ \$('$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' -j show ike | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"events\"][\"child_rekeys\"])') -gt $(ike_event child_rekeys) ]"
ss_client_stop cookie
gw_stop
check "SIGTERM: exit 0, every mbuf back" test $? -eq 0
[ -n "${IKE_KEEP_RESULTS:-}" ] && cp "$WORK/iperf.mbps" "$WORK/tunnels.txt" "$IKE_KEEP_RESULTS/" 2>/dev/null
finish
