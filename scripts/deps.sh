#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Installs every Debian 12 package that p2sgw's build, tests and demo need.
# Idempotent and quiet when everything is already there; needs root.
set -euo pipefail

PACKAGES=(
	# build
	meson ninja-build pkg-config gcc clang libclang-rt-14-dev
	libdpdk-dev dpdk dpdk-dev libipsec-mb-dev libssl-dev libconfig-dev libjson-c-dev
	# tests
	libcmocka-dev python3 python3-cryptography jq
	# demo and integration tests: namespaces, veth, traffic
	iproute2 ethtool iputils-ping iputils-arping iperf3 procps psmisc
	# IKEv2 interop peers: strongSwan's charon with ESP in userspace (kernel-libipsec),
	# swanctl to drive it, pki for test certificates, openssl/gcm/aesni for ECDSA and GCM
	strongswan-charon strongswan-swanctl charon-cmd strongswan-pki libcharon-extra-plugins
	libcharon-extauth-plugins libstrongswan-standard-plugins openssl
	freeradius freeradius-utils # RADIUS peer: tests run it in the foreground with a private config
	# benchmarks: plot, instruction counts, DPDK's ipsec-secgw sources to compare with
	python3-matplotlib valgrind dpdk-doc make
)

missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: need root to install: ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# strongswan-starter (pulled in by strongswan-charon) starts a system charon on
# install, which would hold UDP 500/4500 in the root namespace. Tests run their
# own charon instances in namespaces: forbid service starts while installing
# (policy-rc.d is honoured by invoke-rc.d and deb-systemd-invoke) and mask it.
policy=/usr/sbin/policy-rc.d
own_policy=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	own_policy=1
	trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
[ -z "$own_policy" ] || { rm -f "$policy"; trap - EXIT; }
if [ -e /lib/systemd/system/strongswan-starter.service ]; then
	if [ -d /run/systemd/system ]; then
		systemctl stop strongswan-starter.service strongswan.service >/dev/null 2>&1 || true
	fi
	systemctl mask strongswan-starter.service strongswan.service >/dev/null 2>&1 || true
	update-rc.d ipsec disable >/dev/null 2>&1 || true
	[ ! -e /run/starter.charon.pid ] || ipsec stop >/dev/null 2>&1 || true
fi
