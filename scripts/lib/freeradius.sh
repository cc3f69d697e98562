# SPDX-License-Identifier: BSD-3-Clause
# A FreeRADIUS server for the tests: a private config folder (nothing from
# /etc/freeradius), one client, EAP-MD5 and EAP-MSCHAPv2 (with the mschap
# module, which puts the MS-MPPE keys in the Access-Accept), accounting
# answered, run in the foreground (-f -X), in a network namespace or not.
#
#   fr_conf DIR SECRET CLIENT_ADDR LISTEN_ADDR AUTH_PORT EAP_TYPE
#       write DIR/radiusd.conf: client CLIENT_ADDR with SECRET (Message-Authenticator
#       required), auth on LISTEN_ADDR:AUTH_PORT, accounting on AUTH_PORT+1,
#       default EAP type md5 or mschapv2. Users go in DIR/users (the caller writes it).
#       With FR_TLS_CERT, FR_TLS_KEY and FR_TLS_CA set (PEM files), EAP-TLS too:
#       the server's certificate and key, and the CA that client certificates
#       must chain to.
#   fr_start NS DIR LOG   start it (NS "" = this namespace), wait until ready; sets FR_PID
#   fr_stop               stop it
#
# shellcheck shell=bash

FR_PID=

# The EAP-TLS part of the eap module, when FR_TLS_* name the files.
fr_tls_conf() {
	[ -n "${FR_TLS_CERT:-}" ] && [ -n "${FR_TLS_KEY:-}" ] && [ -n "${FR_TLS_CA:-}" ] || return 0
	cat <<TLS
		tls-config tls-common {
			private_key_file = $FR_TLS_KEY
			certificate_file = $FR_TLS_CERT
			ca_file = $FR_TLS_CA
			cipher_list = "DEFAULT"
			tls_min_version = "1.2"
			tls_max_version = "1.2"
			check_crl = no
			cache {
				enable = no
			}
		}
		tls {
			tls = tls-common
		}
TLS
}

fr_conf() {
	local d=$1 secret=$2 client=$3 listen=$4 port=$5 eap=$6
	mkdir -p "$d/log" "$d/run" "$d/radacct" || return 1
	[ -f "$d/users" ] || : >"$d/users"
	cat >"$d/radiusd.conf" <<CONF
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
raddbdir = $d
confdir = $d
modconfdir = $d
certdir = $d
cadir = $d
logdir = $d/log
radacctdir = $d/radacct
run_dir = $d/run
db_dir = $d
libdir = /usr/lib/freeradius
pidfile = $d/run/radiusd.pid
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
client test {
	ipaddr = $client
	secret = $secret
	require_message_authenticator = yes
}
modules {
	always ok {
		rcode = ok
	}
	files {
		filename = $d/users
	}
	mschap {
		use_mppe = yes
	}
	eap {
		default_eap_type = $eap
		timer_expire = 60
		max_sessions = 64
		md5 {
		}
		mschapv2 {
		}
$(fr_tls_conf)
	}
}
server default {
	listen {
		type = auth
		ipaddr = $listen
		port = $port
	}
	listen {
		type = acct
		ipaddr = $listen
		port = $((port + 1))
	}
	authorize {
		files
		eap {
			ok = return
		}
	}
	authenticate {
		eap
		Auth-Type MS-CHAP {
			mschap
		}
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
}

fr_start() {
	local ns=$1 d=$2 log=$3 i
	command -v freeradius >/dev/null || { echo "freeradius is not installed (scripts/deps.sh)" >&2; return 1; }
	if [ -n "$ns" ]; then
		ip netns exec "$ns" freeradius -f -X -d "$d" >"$log" 2>&1 &
	else
		freeradius -f -X -d "$d" >"$log" 2>&1 &
	fi
	FR_PID=$!
	for i in $(seq 50); do
		grep -q "Ready to process requests" "$log" && return 0
		kill -0 "$FR_PID" 2>/dev/null || break
		sleep 0.1
	done
	tail -30 "$log" >&2
	echo "FreeRADIUS did not start" >&2
	return 1
}

fr_stop() {
	[ -n "$FR_PID" ] || return 0
	kill "$FR_PID" 2>/dev/null
	wait "$FR_PID" 2>/dev/null
	FR_PID=
}
