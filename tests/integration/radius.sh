#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lib/radius against a real FreeRADIUS: the server runs in the foreground on
# 127.0.0.1 with a private config folder (nothing from /etc/freeradius), and
# tests/integration/radius_eap_md5.c (lib/radius over a plain UDP socket,
# test-only glue) runs EAP-MD5 through it: Identity -> Access-Challenge with
# State and Message-Authenticator -> the MD5 response with that State ->
# Access-Accept; a wrong password -> Access-Reject; an Accounting-Request
# Start -> Accounting-Response. Every reply is checked by the library
# (Response Authenticator, Message-Authenticator). Uses build/radius unless
# P2S_BUILD says otherwise.
set -uo pipefail
. "$(dirname "$0")/../../scripts/lib/common.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../../scripts/lib/freeradius.sh"

BUILD=${P2S_BUILD:-$P2S_TOP/build/radius}
command -v freeradius >/dev/null || die "freeradius is not installed (scripts/deps.sh)"
[ -f "$BUILD/lib/radius/libp2s_radius.a" ] || die "no $BUILD/lib/radius/libp2s_radius.a: build first"
PORT=$((20000 + RANDOM % 20000))
SECRET="it-$RANDOM-$RANDOM"
D=$WORK/raddb
mkdir -p "$D"

cc -O1 -Wall -Werror -I"$P2S_TOP/lib/radius" -I"$P2S_TOP/lib/conf" \
	-o "$WORK/radius_eap_md5" "$P2S_TOP/tests/integration/radius_eap_md5.c" \
	"$BUILD/lib/radius/libp2s_radius.a" -lcrypto || die "building the test glue failed"

cat >"$D/users" <<'USERS'
alice Cleartext-Password := "alicepw"
USERS
fr_conf "$D" "$SECRET" 127.0.0.1 127.0.0.1 "$PORT" md5 || die "cannot write the FreeRADIUS config"
trap 'fr_stop; rm -rf "$WORK"' EXIT
fr_start "" "$D" "$WORK/freeradius.log" || die "FreeRADIUS did not start"

run() { "$WORK/radius_eap_md5" "$PORT" "$SECRET" "$@" | tee "$WORK/glue.out"; }
check "EAP-MD5 with the right password: challenge (State, Message-Authenticator) then accept" \
	run alice alicepw accept
check "the conversation went through an Access-Challenge" grep -q '^challenge: eap 22 octets' "$WORK/glue.out"
check "Access-Accept with EAP-Success" grep -q '^  eap: 03' "$WORK/glue.out"
check "Accounting-Request Start answered" grep -q '^accounting: response' "$WORK/glue.out"
check "no reply dropped" bash -c "! grep -q '^dropped' '$WORK/glue.out'"
check "the server saw our Message-Authenticator" grep -q 'Message-Authenticator = 0x' "$WORK/freeradius.log"
check "wrong password: challenge then reject" run alice wrong reject
check "reject after a challenge" grep -q '^challenge' "$WORK/glue.out"
check "the server logged no bad authenticator" \
	bash -c "! grep -Eqi 'invalid Message-Authenticator|Received packet .* with invalid' '$WORK/freeradius.log'"
finish
