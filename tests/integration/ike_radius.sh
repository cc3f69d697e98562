#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# IKEv2 with EAP relayed to RADIUS (RFC 7296 §2.16), end to end: FreeRADIUS
# runs in the VNet namespace on the VNet host's address (10.1.0.10) with a
# private config (EAP-MSCHAPv2, which yields the MS-MPPE keys the MSK is
# made of); p2sgw has auth = [certificate, radius] and talks to it through
# its DPDK private port from 10.1.0.1, UDP port 49812; strongSwan clients
# (charon, kernel-libipsec) use auth = eap-mschapv2 and check the gateway's
# certificate:
#   the right password: connected, ping through the tunnel, show tunnels says
#   eap-radius, accounting Start and Stop answered; a wrong password:
#   refused, nothing left (no tunnel, pool empty, no IKE_SA); a certificate
#   client at the same time as an EAP client; a forged RADIUS reply dropped
#   and counted; no RADIUS server answering: AUTHENTICATION_FAILED.
#
#   tests/integration/ike_radius.sh  (P2S_BUILD=build dir, default build/release)
set -uo pipefail
TOPO_PREFIX=p2srad
. "$(dirname "$0")/../../scripts/lib/common.sh"
. "$(dirname "$0")/../../scripts/lib/topology.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../../scripts/lib/pki.sh"
. "$(dirname "$0")/../../scripts/lib/strongswan.sh"
. "$(dirname "$0")/../../scripts/lib/freeradius.sh"

SS_DIR=$WORK/ss
PKI=${IKE_PKI:-$P2S_TOP/build/test-pki}
SECRET="it-$RANDOM-$RANDOM"
D=$WORK/raddb

cleanup() {
	ss_stop_all >/dev/null 2>&1
	gw_stop >/dev/null 2>&1 || true
	topo_clients_del >/dev/null 2>&1
	fr_stop
	topo_down
	# IKE_RADIUS_LOGS=DIR keeps the logs (gateway, FreeRADIUS, charons).
	if [ -n "${IKE_RADIUS_LOGS:-}" ]; then
		mkdir -p "$IKE_RADIUS_LOGS" && cp -r "$WORK"/*.log "$SS_DIR" "$IKE_RADIUS_LOGS/" 2>/dev/null
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

p2s_need_root
pki_init "$PKI" 1 >/dev/null || die "cannot make the test PKI"

# --- FreeRADIUS: EAP-MSCHAPv2, listening on the VNet host -----------------------
mkdir -p "$D"
cat >"$D/users" <<'USERS'
alice Cleartext-Password := "alicepw"
	Framed-IP-Address = 172.16.201.77
bob Cleartext-Password := "bobpw"
carol Cleartext-Password := "carolpw"
	Acct-Interim-Interval = 1,
	Session-Timeout = 4
USERS
# EAP-TLS too: the server presents a certificate of the test PKI and checks
# client certificates against its root (the gateway only relays).
FR_TLS_CERT=$PKI/gw.crt FR_TLS_KEY=$PKI/gw.key FR_TLS_CA=$PKI/root-ca.crt \
	fr_conf "$D" "$SECRET" "$GW_PRIV_IP" "$VNET_IP" 1812 mschapv2 || die "cannot write the FreeRADIUS config"
topo_up
fr_start "$NS_VNET" "$D" "$WORK/freeradius.log" || die "FreeRADIUS did not start"
ok "FreeRADIUS runs in the VNet on $VNET_IP:1812 (EAP-MSCHAPv2)"

# --- the gateway: certificates and RADIUS ----------------------------------------
conf() {
	local f=$1
	shift
	topo_config "$f" \
		"server_certificate = { cert = \"$PKI/gw.crt\"; key = \"$PKI/gw.key\"; };" \
		"trusted_roots = ( { name = \"p2sgw-test-root\"; file = \"$PKI/root-ca.crt\"; } );" \
		"$@"
	sed -i 's/^auth = .*/auth = [ "certificate", "radius" ];/' "$f"
}
# The first server (priority 1) is an address nobody answers for: every first
# conversation fails over to the real one within its timeout (0.5 s, 1 retry).
DEAD=10.1.0.99
conf "$WORK/p2sgw.conf" \
	"radius = ( { address = \"$DEAD\"; secret = \"$SECRET\"; priority = 1; timeout_ms = 500; retries = 1; }," \
	"           { address = \"$VNET_IP\"; secret = \"$SECRET\"; priority = 2; timeout_ms = 1000; retries = 2; } );"
if ! gw_start "$WORK/p2sgw.conf" "$WORK/p2sgw.log"; then
	not_ok "p2sgw starts with auth certificate + radius"
	finish
	exit 1
fi
ok "p2sgw starts with auth certificate + radius"

radius_val() { p2sctl -j show radius >"$WORK/j" && json "$1"; }
# eap_client NAME USER PASSWORD [IDI]: a charon with auth = eap-mschapv2 (IDi the user
# name, or IDI), initiated.
eap_client() {
	local name=$1 user=$2 pw=$3 idi=${4:-$2}
	ss_client_start "$NS_CLIENT" "$name" || return 1
	cat >"$SS_DIR/$name/swanctl/conf.d/secrets.conf" <<SECRETS
secrets {
	eap-$user {
		id = $user
		secret = "$pw"
	}
}
SECRETS
	ss_conn_load "$name" auth=eap-mschapv2 id="$idi" eap_id="$user" \
		ca="$PKI/root-ca.crt" remote_auth=pubkey &&
		ss_initiate "$name" net 20
}

check "show radius: the server, up, no secret in the output" \
	sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' show radius >'$WORK/radius.txt' && grep -q '$VNET_IP' '$WORK/radius.txt' && ! grep -q '$SECRET' '$WORK/radius.txt'"

# --- EAP-MSCHAPv2 with the right password ----------------------------------------
check "EAP client (alice, EAP-MSCHAPv2 relayed to RADIUS) connects" eap_client alice alice alicepw
p2sctl -j show radius >"$WORK/j"
check "... after failing over from the silent primary ($DEAD, marked down) to the secondary" \
	test "$(json '["servers"][0]["address"]') $(json '["servers"][0]["state"]') $(json '["servers"][0]["timeouts"]>=1') $(json '["servers"][1]["replies"]>=1')" = "$DEAD down True True"
VIP=$(ss_vip alice)
check "it got the Framed-IP-Address from RADIUS (172.16.201.77), got $VIP" test "$VIP" = 172.16.201.77
check "ping the VNet host through the tunnel" ping_vnet "$NS_CLIENT" 3
p2sctl -j show tunnels >"$WORK/j"
check "show tunnels: identity alice, auth eap-radius" \
	test "$(json '["clients"][0]["identity"]') $(json '["clients"][0]["auth"]')" = "alice eap-radius"
check "show radius: one accept, challenges, no drop" \
	sh -c "[ $(radius_val '["events"]["accepts"]') -eq 1 ] && [ $(radius_val '["events"]["challenges"]') -ge 1 ] && [ $(radius_val '["drops"]["bad_authenticator"]') -eq 0 ]"
check "accounting Start answered" wait_for 3 sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' -j show radius | python3 -c 'import json,sys; a=json.load(sys.stdin)[\"accounting\"]; sys.exit(0 if a[\"start\"] == 1 and a[\"answered\"] == 1 else 1)'"
check "FreeRADIUS sent MS-MPPE keys in its Access-Accept" grep -q 'MS-MPPE-Recv-Key' "$WORK/freeradius.log"

# --- a certificate client at the same time (both modes) ------------------------
NS_C2=$TOPO_PREFIX-c1
topo_clients_add 1 >/dev/null
cert_ok=0
if ss_client_start "$NS_C2" cert && ss_conn_load cert cert="$PKI/client-rsa.crt" \
	key="$PKI/client-rsa.key" ca="$PKI/root-ca.crt" && ss_initiate cert net 20; then
	cert_ok=1
fi
check "a certificate client connects while the EAP client is up (both modes)" test "$cert_ok" -eq 1
check "... two tunnels: one certificate, one eap-radius" \
	sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' -j show tunnels | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if sorted(c[\"auth\"] for c in d[\"clients\"]) == [\"certificate\", \"eap-radius\"] else 1)'"
check "... both pass traffic" sh -c "ip netns exec '$NS_C2' ping -c 2 -i 0.3 -W 2 $VNET_IP >/dev/null && ip netns exec '$NS_CLIENT' ping -c 2 -i 0.3 -W 2 $VNET_IP >/dev/null"
one_eap_tunnel() {
	p2sctl -j show tunnels | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if [c["auth"] for c in d["clients"]] == ["eap-radius"] else 1)'
}
check "auth disable certificate: the certificate client is ended, the EAP client stays" \
	sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' auth disable certificate >/dev/null"
check "... one tunnel left, eap-radius" wait_for 3 one_eap_tunnel
ss_initiate cert net 10 >/dev/null 2>&1
check "... the certificate client cannot come back" test $? -ne 0
check "auth enable certificate: it reconnects" \
	sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' auth enable certificate >/dev/null"
check "... and it reconnects" ss_initiate cert net 20
ss_client_stop cert

# --- a forged reply on our RADIUS port -----------------------------------------
BEFORE=$(p2sctl -j show radius | python3 -c 'import json,sys; d=json.load(sys.stdin)["drops"]; print(sum(d.values()))')
ip netns exec "$NS_VNET" python3 - "$GW_PRIV_IP" <<'PY'
import socket, struct, sys
# From the server's address and port 1812 (a raw socket: FreeRADIUS holds the
# port), an Access-Accept with a made-up authenticator, to our RADIUS port.
body = bytes([2, 7, 0, 20]) + bytes(16)
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
s.sendto(struct.pack("!HHHH", 1812, 49812, 8 + len(body), 0) + body, (sys.argv[1], 0))
PY
forged_dropped() {
	local n
	n=$(p2sctl -j show radius | python3 -c 'import json,sys; d=json.load(sys.stdin)["drops"]; print(sum(d.values()))')
	[ "$n" -gt "$BEFORE" ]
}
check "a forged RADIUS reply reaches the client and is dropped (counted)" wait_for 3 forged_dropped

check "the EAP client terminates (DELETE)" ss_terminate alice
check "... no tunnel left, pool empty" wait_for 5 sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' -j show tunnels | grep -q '\"pool_in_use\": 0'"
check "accounting Stop sent and answered" wait_for 3 sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' -j show radius | python3 -c 'import json,sys; a=json.load(sys.stdin)[\"accounting\"]; sys.exit(0 if a[\"stop\"] == 1 and a[\"answered\"] == 2 else 1)'"
check "FreeRADIUS logged the Stop with the tunnel's octets" grep -q 'Acct-Output-Octets' "$WORK/freeradius.log"
check "... and Acct-Terminate-Cause User-Request (the client's DELETE)" \
	grep -q 'Acct-Terminate-Cause = User-Request' "$WORK/freeradius.log"
check "alice reconnects" ss_initiate alice net 20
TID=$(p2sctl -j show tunnels | python3 -c 'import json,sys; print(json.load(sys.stdin)["clients"][0]["id"])')
check "p2sctl disconnect: her Stop says Acct-Terminate-Cause Admin-Reset" \
	sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' disconnect $TID && for i in \$(seq 30); do grep -q 'Acct-Terminate-Cause = Admin-Reset' '$WORK/freeradius.log' && exit 0; sleep 0.1; done; exit 1"
ss_client_stop alice

# --- the wrong password -----------------------------------------------------------
BEFORE=$(ike_event auth_failed)
eap_client bad bob wrongpw >/dev/null 2>&1
check "wrong password: refused" test $? -ne 0
check "... counted (eap_rejected, auth_failed)" \
	sh -c "[ $(ike_event eap_rejected) -eq 1 ] && [ $(ike_event auth_failed) -gt $BEFORE ]"
check "... nothing left: no tunnel, pool empty, no IKE_SA" \
	wait_for 3 sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' -j show tunnels | grep -q '\"pool_in_use\": 0' && '$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' -j show ike | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if not d[\"ike_sas\"] else 1)'"
check "... the client was told (EAP-Failure or AUTHENTICATION_FAILED)" \
	grep -Eq 'EAP method EAP_MSCHAPV2 failed|AUTHENTICATION_FAILED|EAP_FAILURE|received EAP_FAILURE' "$SS_DIR/bad/charon.log"
ss_client_stop bad

# --- what the Access-Accept says about the session: interim accounting, a timeout ---
acct_field() { p2sctl -j show radius | python3 -c "import json,sys; print(json.load(sys.stdin)['accounting']['$1'])"; }
STOPS=$(acct_field stop)
check "carol connects (her Accept: Acct-Interim-Interval 1 s, Session-Timeout 4 s)" \
	eap_client carol carol carolpw
interim_logged() { [ "$(acct_field interim)" -ge 1 ] && grep -q 'Interim-Update' "$WORK/freeradius.log"; }
check "... Interim-Update sent and logged by FreeRADIUS" wait_for 4 interim_logged
check "... ended by the gateway at her Session-Timeout" wait_for 8 tunnels_are 0
check "... her Stop says Acct-Terminate-Cause Session-Timeout" \
	wait_for 3 grep -q 'Acct-Terminate-Cause = Session-Timeout' "$WORK/freeradius.log"
check "... and counts one more Stop" test "$(acct_field stop)" -gt "$STOPS"
ss_client_stop carol

# --- IDi an address (as the Windows client sends): the gateway asks for the EAP identity ---
check "EAP client with its address as IDi: asked for its EAP identity (alice), connects" \
	eap_client byaddr alice alicepw "$CLIENT_IP"
check "... passes traffic" ping_vnet "$NS_CLIENT" 2
p2sctl -j show tunnels >"$WORK/j"
check "... show tunnels: identity alice (the EAP identity), auth eap-radius" \
	test "$(json '["clients"][0]["identity"]') $(json '["clients"][0]["auth"]')" = "alice eap-radius"
ss_client_stop byaddr
check "... gone after its DELETE" wait_for 5 tunnels_are 0

# --- EAP-TLS: the client certificate is checked by RADIUS -------------------------
tls_client() { # NAME CERT: a charon with auth = eap-tls and that certificate, initiated
	ss_client_start "$NS_C2" "$1" &&
		ss_conn_load "$1" auth=eap-tls cert="$PKI/$2.crt" key="$PKI/$2.key" \
			ca="$PKI/root-ca.crt" eap_id="$2@p2sgw.test" remote_auth=pubkey &&
		ss_initiate "$1" net 20
}
check "EAP-TLS client (certificate checked by RADIUS, 64-byte MSK) connects" tls_client tls client-ecdsa
check "... passes traffic" sh -c "ip netns exec '$NS_C2' ping -c 2 -i 0.3 -W 2 $VNET_IP >/dev/null"
check "... show tunnels: auth eap-radius for client-ecdsa@p2sgw.test" \
	sh -c "'$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' -j show tunnels | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if any(c[\"identity\"] == \"client-ecdsa@p2sgw.test\" and c[\"auth\"] == \"eap-radius\" for c in d[\"clients\"]) else 1)'"
ss_client_stop tls
tls_client tls2 client-unknown >/dev/null 2>&1
check "EAP-TLS with a certificate from an unknown root: refused by RADIUS" test $? -ne 0
ss_client_stop tls2

# --- no RADIUS server answering ------------------------------------------------------
fr_stop
BEFORE=$(ike_event eap_timeouts)
eap_client gone alice alicepw >/dev/null 2>&1
check "RADIUS server down: the client is refused" test $? -ne 0
check "... counted as an EAP timeout, nothing left" \
	wait_for 10 sh -c "[ \$('$P2S_BUILD/app/p2sctl' -s '$GW_SOCK' -j show ike | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[\"events\"][\"eap_timeouts\"] if not d[\"ike_sas\"] else -1)') -gt $BEFORE ]"
check "... the log says no RADIUS server answered" grep -q 'no answer from any RADIUS server' "$WORK/p2sgw.log"
ss_client_stop gone

gw_stop
check "SIGTERM: exit 0, every mbuf back" test $? -eq 0
finish
