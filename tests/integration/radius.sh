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

BUILD=${P2S_BUILD:-$P2S_TOP/build/radius}
command -v freeradius >/dev/null || die "freeradius is not installed (scripts/deps.sh)"
[ -f "$BUILD/lib/radius/libp2s_radius.a" ] || die "no $BUILD/lib/radius/libp2s_radius.a: build first"
PORT=$((20000 + RANDOM % 20000))
SECRET="it-$RANDOM-$RANDOM"
D=$WORK/raddb
mkdir -p "$D/log" "$D/run" "$D/radacct"

cc -O1 -Wall -Werror -I"$P2S_TOP/lib/radius" -I"$P2S_TOP/lib/conf" \
	-o "$WORK/radius_eap_md5" "$P2S_TOP/tests/integration/radius_eap_md5.c" \
	"$BUILD/lib/radius/libp2s_radius.a" -lcrypto || die "building the test glue failed"

cat >"$D/users" <<'USERS'
alice Cleartext-Password := "alicepw"
USERS
cat >"$D/radiusd.conf" <<CONF
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
raddbdir = $D
confdir = $D
modconfdir = $D
certdir = $D
cadir = $D
logdir = $D/log
radacctdir = $D/radacct
run_dir = $D/run
db_dir = $D
libdir = /usr/lib/freeradius
pidfile = $D/run/radiusd.pid
name = freeradius
max_request_time = 30
cleanup_delay = 5
max_requests = 1024
hostname_lookups = no
log {
	destination = stdout
	colourise = no
	auth = yes
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = no
}
client local {
	ipaddr = 127.0.0.1
	secret = $SECRET
	require_message_authenticator = yes
}
modules {
	always ok {
		rcode = ok
	}
	files {
		filename = $D/users
	}
	eap {
		default_eap_type = md5
		timer_expire = 60
		max_sessions = 64
		md5 {
		}
	}
}
server default {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = $PORT
	}
	listen {
		type = acct
		ipaddr = 127.0.0.1
		port = $((PORT + 1))
	}
	authorize {
		files
		eap {
			ok = return
		}
	}
	authenticate {
		eap
	}
	preacct {
	}
	accounting {
		ok
	}
	post-auth {
		Post-Auth-Type REJECT {
			eap
		}
	}
}
CONF

freeradius -f -X -d "$D" >"$WORK/freeradius.log" 2>&1 &
RAD=$!
trap 'kill $RAD 2>/dev/null; wait $RAD 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do
	grep -q "Ready to process requests" "$WORK/freeradius.log" && break
	kill -0 $RAD 2>/dev/null || break
	sleep 0.1
done
if ! grep -q "Ready to process requests" "$WORK/freeradius.log"; then
	tail -30 "$WORK/freeradius.log"
	die "FreeRADIUS did not start"
fi

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
