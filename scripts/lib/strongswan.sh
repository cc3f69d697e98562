# SPDX-License-Identifier: BSD-3-Clause
# Real strongSwan IKEv2 peers for the tests: charon instances with ESP in
# userspace (kernel-libipsec: a TUN device, ESP always in UDP 4500 — this
# kernel has no ESP), each in a network namespace with a private /run, its own
# strongswan.conf, swanctl directory, vici socket and log. Driven by swanctl.
#
# Each instance NAME lives in $SS_DIR/NAME (SS_DIR defaults to $WORK/strongswan,
# or /tmp/p2s-strongswan.$$): strongswan.conf, charon.log, charon.vici, pid,
# run/ (mounted on /run inside the namespace only: `ip netns exec` gives the
# command its own mount namespace, so nothing is left mounted when charon
# exits), swanctl/{swanctl.conf,conf.d,x509,x509ca,x509crl,private}.
#
#   ss_client_start NS NAME          start charon NAME in namespace NS, wait for vici
#   ss_start NS NAME                 the same (for a responder too)
#   ss_conn_load NAME key=value...   write conf.d/CONN.conf and swanctl --load-all (keys below)
#   ss_initiate NAME CHILD [SECS]    initiate CHILD (and its IKE_SA); non-zero on failure
#   ss_terminate NAME [CONN]         close CONN's IKE_SAs (default: every loaded conn)
#   ss_list_sas NAME [swanctl args]  swanctl --list-sas
#   ss_vip NAME [CONN]               the virtual IP the client got (first IKE_SA of CONN)
#   ss_sa_count NAME                 how many IKE_SAs are ESTABLISHED
#   ss_swanctl NAME args...          any swanctl command against instance NAME
#   ss_log NAME                      the path of NAME's charon log
#   ss_load NAME                     swanctl --load-all (after ss_conn_load ... load=no)
#   ss_ike_rate NAME PKI COUNT [PAR] [key=value...]  IKE_SA setup rate, see there
#   ss_client_stop NAME              SIGTERM charon (deletes its SAs), wait, SIGKILL if needed
#   ss_client_kill NAME [SIG]        SIGKILL (default): a client that dies without a word
#   ss_stop_all                      ss_client_stop every instance under $SS_DIR (for traps)
#   ss_iperf_server NS [PORT]        iperf3 -s in NS in the background (stopped by ss_iperf_stop)
#   ss_iperf_mbps NS SERVER [SECS] [PORT] [iperf3 args]  one run, prints Mbit/s received
#   ss_iperf_stop                    stop the iperf3 servers started here
#
# ss_conn_load keys (value defaults in brackets):
#   role       initiator | responder [initiator]
#   conn       connection name [p2s]        child   CHILD_SA name [net]
#   remote     remote address [$GW_PUB_IP or 198.51.100.1; responder: %any]
#   cert, key  local certificate and private key files (copied into the instance)
#   ca         space-separated CA certificates to trust and to send as
#              intermediates (x509ca) [none]
#   crl        CRL files to load (x509crl) [none]
#   id         local identity [initiator: the cert's SAN e-mail; responder: gw.p2sgw.test]
#   remote_id  [initiator: gw.p2sgw.test; responder: %any]
#   ike, esp   proposals [default]           vips   0.0.0.0 to ask for an address, none [0.0.0.0]
#   local_ts   [initiator: dynamic; responder: 10.1.0.0/16]
#   remote_ts  [initiator: 10.1.0.0/16; responder: dynamic]
#   pool       responder: address range or prefix handed out via CP [none]
#   dns        responder: DNS servers for the pool [none]
#   dpd        dpd_delay in seconds [none]    rekey   CHILD_SA rekey_time [strongSwan's]
#   ike_rekey  IKE_SA rekey_time              reauth  IKE_SA reauth_time
#   encap      [yes]   mobike [yes]   fragmentation [yes]   send_certreq [yes]
#   send_cert  [ifasked]   unique [no]   auth/remote_auth [pubkey]
#   eap_id     EAP identity (with auth=eap-...)   dpd_action / close_action
#   start_action  [none]   extra  raw lines put into the connection block
#   load       no: only write the file (many connections, then one ss_load NAME) [yes]
#
# shellcheck shell=bash

SS_DIR=${SS_DIR:-${WORK:-/tmp/p2s-strongswan.$$}/strongswan}
SS_CHARON=${SS_CHARON:-/usr/lib/ipsec/charon}
# Plugins, in the order that works with kernel-libipsec (see INTEROP.md);
# openssl provides X25519/X448, so no curve25519 plugin is needed here.
SS_LOAD=${SS_LOAD:-random nonce x509 revocation constraints pubkey pkcs1 pkcs8 pem openssl gmp aes sha2 sha1 hmac gcm kdf kernel-libipsec kernel-netlink socket-default vici updown attr eap-identity eap-mschapv2 eap-tls}
# filelog levels: -1 silent .. 4 everything (payload dumps need enc 2+, key material 4).
SS_LOG_LEVELS=${SS_LOG_LEVELS:-default = 1
ike = 2
cfg = 2
enc = 1
net = 1
knl = 1}
# charon worker threads, and extra charon { } lines for the next ss_start.
SS_THREADS=${SS_THREADS:-32}
SS_CHARON_EXTRA=${SS_CHARON_EXTRA:-}
SS_IPERF_PIDS=()

_ss_dir() { echo "$SS_DIR/$1"; }
_ss_uri() { echo "unix://$SS_DIR/$1/charon.vici"; }
_ss_alive() { # PID: running and not a zombie
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	st=${st%% *}
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

ss_log() { echo "$(_ss_dir "$1")/charon.log"; }

ss_swanctl() {
	local name=$1 d
	shift
	d=$(_ss_dir "$name")
	SWANCTL_DIR=$d/swanctl STRONGSWAN_CONF=$d/strongswan.conf swanctl "$@" --uri "$(_ss_uri "$name")"
}

ss_client_start() {
	local ns=$1 name=$2 d
	d=$(_ss_dir "$name")
	[ -x "$SS_CHARON" ] || { echo "strongswan: no $SS_CHARON (run scripts/deps.sh)" >&2; return 1; }
	if [ -f "$d/pid" ] && _ss_alive "$(cat "$d/pid")"; then
		echo "strongswan: $name already runs" >&2
		return 1
	fi
	rm -rf "$d"
	mkdir -p "$d/run" "$d/swanctl/conf.d" || return 1
	# Every directory swanctl --load-all reads, so that it has nothing to complain about.
	(cd "$d/swanctl" && mkdir -p x509 x509ca x509aa x509ocsp x509crl x509ac pubkey private \
		rsa ecdsa bliss pkcs8 pkcs12) || return 1
	chmod 700 "$d/swanctl/private"
	echo "$ns" >"$d/ns"
	cat >"$d/strongswan.conf" <<CONF
# charon instance '$name' in namespace $ns (scripts/lib/strongswan.sh)
charon {
	load = $SS_LOAD
	# One instance a namespace: the standard ports.
	port = 500
	port_nat_t = 4500
	install_routes = yes
	install_virtual_ip = yes
	retransmit_tries = 3
	retransmit_timeout = 2.0
	# Each blocking vici request (swanctl --initiate) holds a worker thread,
	# and kernel-libipsec holds a few: too few threads and IKE stalls.
	threads = $SS_THREADS
$(printf '%s\n' "$SS_CHARON_EXTRA" | sed 's/^/\t/')
	filelog {
		main {
			path = $d/charon.log
			time_format = %H:%M:%S
			time_precision = ms
			ike_name = yes
			append = no
			flush_line = yes
$(sed 's/^/\t\t\t/' <<<"$SS_LOG_LEVELS")
		}
	}
	syslog {
		daemon {
			default = -1
		}
	}
	plugins {
		vici {
			socket = $(_ss_uri "$name")
		}
		revocation {
			enable_ocsp = no
		}
	}
}
swanctl {
	load = pem pkcs1 pkcs8 x509 revocation constraints pubkey openssl random
}
CONF
	cat >"$d/swanctl/swanctl.conf" <<'CONF'
include conf.d/*.conf
CONF
	# ip netns exec already runs the command in a mount namespace of its own
	# (slave to the host's): the bind mount on /run is private to charon.
	ip netns exec "$ns" sh -c 'mount --bind "$1" /run && exec env STRONGSWAN_CONF="$2" "$3"' \
		sh "$d/run" "$d/strongswan.conf" "$SS_CHARON" >"$d/charon.stdout" 2>&1 &
	local pid=$! i
	# The shell still reaps it, but says nothing when it is killed.
	disown "$pid"
	echo "$pid" >"$d/pid"
	for i in $(seq 100); do
		if [ -S "$d/charon.vici" ] && ss_swanctl "$name" --stats >/dev/null 2>&1; then
			return 0
		fi
		_ss_alive "$pid" || break
		sleep 0.05
	done
	echo "strongswan: charon $name did not come up" >&2
	cat "$d/charon.stdout" "$d/charon.log" >&2 2>/dev/null
	ss_client_kill "$name"
	return 1
}
ss_start() { ss_client_start "$@"; }

# _ss_copy NAME SUBDIR FILE: copy FILE into the swanctl SUBDIR, print its new name.
_ss_copy() {
	local d base
	d=$(_ss_dir "$1")/swanctl/$2
	base=$(basename "$3")
	cp "$3" "$d/$base" || return 1
	echo "$base"
}

ss_conn_load() {
	local name=$1 d kv k v
	shift
	d=$(_ss_dir "$name")
	[ -d "$d/swanctl" ] || { echo "strongswan: no instance $name" >&2; return 1; }
	local -A o=(
		[role]=initiator [conn]=p2s [child]=net [ike]=default [esp]=default [vips]=0.0.0.0
		[encap]=yes [mobike]=yes [fragmentation]=yes [send_certreq]=yes [send_cert]=ifasked
		[unique]=no [auth]=pubkey [remote_auth]=pubkey [start_action]=none
	)
	for kv in "$@"; do
		k=${kv%%=*}
		v=${kv#*=}
		[ "$k" != "$kv" ] || { echo "strongswan: '$kv' is not key=value" >&2; return 1; }
		o[$k]=$v
	done
	local gw=${GW_PUB_IP:-198.51.100.1}
	if [ "${o[role]}" = responder ]; then
		: "${o[remote]:=%any}" "${o[id]:=gw.p2sgw.test}" "${o[remote_id]:=%any}"
		: "${o[local_ts]:=10.1.0.0/16}" "${o[remote_ts]:=dynamic}"
	else
		: "${o[remote]:=$gw}" "${o[remote_id]:=gw.p2sgw.test}"
		: "${o[local_ts]:=dynamic}" "${o[remote_ts]:=10.1.0.0/16}"
		if [ -z "${o[id]:-}" ] && [ -n "${o[cert]:-}" ]; then
			o[id]=$(openssl x509 -in "${o[cert]}" -noout -ext subjectAltName 2>/dev/null |
				sed -n 's/.*email:\([^, ]*\).*/\1/p' | head -1)
		fi
	fi
	local certs="" f c
	if [ -n "${o[cert]:-}" ]; then
		certs=$(_ss_copy "$name" x509 "${o[cert]}") || return 1
	fi
	[ -z "${o[key]:-}" ] || _ss_copy "$name" private "${o[key]}" >/dev/null || return 1
	for f in ${o[ca]:-}; do _ss_copy "$name" x509ca "$f" >/dev/null || return 1; done
	for f in ${o[crl]:-}; do _ss_copy "$name" x509crl "$f" >/dev/null || return 1; done

	local conn=${o[conn]} pools_line="" pools_block="" vips_line=""
	[ "${o[vips]}" = none ] || [ "${o[role]}" = responder ] || vips_line="vips = ${o[vips]}"
	if [ -n "${o[pool]:-}" ]; then
		pools_line="pools = ${conn}_pool"
		pools_block="pools {
	${conn}_pool {
		addrs = ${o[pool]}
$([ -z "${o[dns]:-}" ] || echo "		dns = ${o[dns]}")
	}
}"
	fi
	_ss_opt() { [ -z "${o[$1]:-}" ] || echo "$2 = ${o[$1]}"; }
	{
		echo "# written by ss_conn_load ${o[role]} $conn"
		echo "connections {"
		echo "$conn {"
		echo "version = 2"
		[ "${o[remote]}" = %any ] || echo "remote_addrs = ${o[remote]}"
		_ss_opt local_addrs local_addrs
		echo "proposals = ${o[ike]}"
		echo "encap = ${o[encap]}"
		echo "mobike = ${o[mobike]}"
		echo "fragmentation = ${o[fragmentation]}"
		echo "send_certreq = ${o[send_certreq]}"
		echo "send_cert = ${o[send_cert]}"
		echo "unique = ${o[unique]}"
		[ -z "$vips_line" ] || echo "$vips_line"
		[ -z "$pools_line" ] || echo "$pools_line"
		_ss_opt dpd dpd_delay
		_ss_opt ike_rekey rekey_time
		_ss_opt reauth reauth_time
		[ -z "${o[extra]:-}" ] || printf '%s\n' "${o[extra]}"
		echo "local {"
		echo "auth = ${o[auth]}"
		[ -z "$certs" ] || echo "certs = $certs"
		_ss_opt id id
		_ss_opt eap_id eap_id
		echo "}"
		echo "remote {"
		echo "auth = ${o[remote_auth]}"
		_ss_opt remote_id id
		echo "}"
		echo "children {"
		echo "${o[child]} {"
		echo "local_ts = ${o[local_ts]}"
		echo "remote_ts = ${o[remote_ts]}"
		echo "esp_proposals = ${o[esp]}"
		echo "start_action = ${o[start_action]}"
		_ss_opt rekey rekey_time
		_ss_opt dpd_action dpd_action
		_ss_opt close_action close_action
		echo "}"
		echo "}"
		echo "}"
		echo "}"
		[ -z "$pools_block" ] || echo "$pools_block"
	} >"$d/swanctl/conf.d/$conn.conf"
	unset -f _ss_opt
	echo "$conn" >>"$d/conns"
	[ "${o[load]:-yes}" = yes ] || return 0
	ss_swanctl "$name" --load-all --noprompt >"$d/load.out" 2>&1 ||
		{ cat "$d/load.out" >&2; return 1; }
	# A bad line is only a warning to --load-all: make it an error here.
	if grep -iE 'failed|error|invalid' "$d/load.out" | grep -qv '^opening directory'; then
		cat "$d/load.out" >&2
		return 1
	fi
}

ss_load() {
	local d
	d=$(_ss_dir "$1")
	ss_swanctl "$1" --load-all --noprompt >"$d/load.out" 2>&1 || { cat "$d/load.out" >&2; return 1; }
}

# ss_ike_rate NAME PKI COUNT [PAR] [key=value...]: IKE_SA setup rate against
# the responder. Loads COUNT connections r1..rCOUNT into client instance NAME,
# each with its own certificate PKI/clientI (pki_init PKI COUNT), asking for a
# virtual IP and one CHILD_SA (key=value as for ss_conn_load), initiates them
# PAR at a time (swanctl --initiate each) and prints
#   "COUNT initiated, N established in S s: R IKE_SA/s"
# Every IKE_SA is a full IKE_SA_INIT + IKE_AUTH (certificates, CP, CHILD_SA).
# The initiator's own work is included: it shares the 2 cores.
ss_ike_rate() {
	local name=$1 pki=$2 count=$3 par=8 d i t0 t1 n rc=0
	shift 3
	if [[ ${1:-} =~ ^[0-9]+$ ]]; then
		par=$1
		shift
	fi
	d=$(_ss_dir "$name")
	for i in $(seq 1 "$count"); do
		[ -s "$pki/client$i.crt" ] || { echo "ss_ike_rate: no $pki/client$i.crt" >&2; return 1; }
		ss_conn_load "$name" conn="r$i" child="r$i" cert="$pki/client$i.crt" key="$pki/client$i.key" \
			ca="$pki/root-ca.crt" load=no "$@" || return 1
	done
	ss_load "$name" || return 1
	t0=$(date +%s.%N)
	seq 1 "$count" | xargs -P "$par" -I{} env SWANCTL_DIR="$d/swanctl" STRONGSWAN_CONF="$d/strongswan.conf" \
		swanctl --initiate --child r{} --timeout 60 --uri "$(_ss_uri "$name")" >"$d/rate.out" 2>&1 || rc=1
	t1=$(date +%s.%N)
	n=$(ss_sa_count "$name")
	python3 -c 'import sys; c,n,t0,t1=int(sys.argv[1]),int(sys.argv[2]),float(sys.argv[3]),float(sys.argv[4]); print("%d initiated, %d established in %.2f s: %.1f IKE_SA/s" % (c, n, t1-t0, n/(t1-t0)))' \
		"$count" "$n" "$t0" "$t1"
	[ "$n" -eq "$count" ] && [ $rc -eq 0 ]
}

ss_initiate() {
	local name=$1 child=$2 secs=${3:-20} d
	d=$(_ss_dir "$name")
	timeout $((secs + 5)) env SWANCTL_DIR="$d/swanctl" STRONGSWAN_CONF="$d/strongswan.conf" \
		swanctl --initiate --child "$child" --timeout "$secs" --uri "$(_ss_uri "$name")" \
		>"$d/initiate.$child.out" 2>&1
}

ss_terminate() {
	local name=$1 d c rc=0
	d=$(_ss_dir "$name")
	for c in ${2:-$(sort -u "$d/conns" 2>/dev/null)}; do
		ss_swanctl "$name" --terminate --ike "$c" --timeout 5 >"$d/terminate.out" 2>&1 || rc=1
	done
	return $rc
}

ss_list_sas() {
	local name=$1
	shift
	ss_swanctl "$name" --list-sas "$@"
}

ss_vip() {
	local name=$1
	ss_swanctl "$name" --list-sas --raw ${2:+--ike "$2"} 2>/dev/null |
		grep -o 'local-vips=\[[^]]*\]' | head -1 | sed 's/.*\[//; s/[] ].*//'
}

ss_sa_count() {
	ss_swanctl "$1" --list-sas --raw 2>/dev/null | grep -o 'state=ESTABLISHED' | wc -l
}

ss_client_kill() {
	local name=$1 sig=${2:-KILL} d pid i
	d=$(_ss_dir "$name")
	[ -f "$d/pid" ] || return 0
	pid=$(cat "$d/pid")
	kill "-$sig" "$pid" 2>/dev/null || true
	for i in $(seq 60); do
		_ss_alive "$pid" || break
		sleep 0.05
	done
	if _ss_alive "$pid"; then
		return 1
	fi
	wait "$pid" 2>/dev/null || true
	rm -f "$d/pid"
}

ss_client_stop() {
	ss_client_kill "$1" TERM || ss_client_kill "$1" KILL
}

ss_stop_all() {
	local p
	for p in "$SS_DIR"/*/pid; do
		[ -f "$p" ] || continue
		ss_client_stop "$(basename "$(dirname "$p")")"
	done
}

ss_iperf_server() {
	local ns=$1 port=${2:-5201} i
	mkdir -p "$SS_DIR"
	ip netns exec "$ns" iperf3 -s -p "$port" >"$SS_DIR/iperf3-server.$ns.$port.log" 2>&1 &
	SS_IPERF_PIDS+=($!)
	disown $!
	for i in $(seq 50); do
		ip netns exec "$ns" ss -ltn "sport = :$port" 2>/dev/null | grep -q LISTEN && return 0
		sleep 0.05
	done
	return 1
}

ss_iperf_mbps() {
	local ns=$1 server=$2 secs=${3:-10} port=${4:-5201}
	shift 4 2>/dev/null || shift $#
	local out
	out=$SS_DIR/iperf3.$ns.$(date +%s%N).json
	ip netns exec "$ns" iperf3 -c "$server" -p "$port" -t "$secs" -J "$@" >"$out" 2>&1 ||
		{ cat "$out" >&2; return 1; }
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.1f" % (d["end"]["sum_received"]["bits_per_second"]/1e6))' \
		"$out"
}

ss_iperf_stop() {
	local p
	for p in "${SS_IPERF_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		while [ -d "/proc/$p" ] && ! grep -q ') Z' "/proc/$p/stat" 2>/dev/null; do sleep 0.05; done
	done
	# charon worker threads, and extra charon { } lines for the next ss_start.
SS_THREADS=${SS_THREADS:-32}
SS_CHARON_EXTRA=${SS_CHARON_EXTRA:-}
SS_IPERF_PIDS=()
}
