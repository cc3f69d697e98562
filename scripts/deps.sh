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
	iproute2 iputils-ping iputils-arping iperf3 procps psmisc
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
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
