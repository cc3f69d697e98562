#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes the traffic of p2s-bench as a pcap file for DPDK's ipsec-secgw.

Ethernet frames carrying inner IPv4/UDP packets like p2s-bench's generator
makes them (client pool 10.8.0.0/16 <-> VNet host 10.1.0.10, valid
checksums), of one size or the simple IMIX (7:4:1 of 64, 576, 1500 bytes),
spread round robin over TUNNELS clients: packet i goes to client i % TUNNELS,
whose inner address is 10.8.(t // 250).(t % 250 + 2). Standard library only.

    secgw_pcap.py OUT.pcap SIZE|imix TUNNELS COUNT
"""
import random
import struct
import sys

IMIX = [64] * 7 + [576] * 4 + [1500]


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def client_inner(t):
    return bytes([10, 8, t // 250, t % 250 + 2])


def inner_packet(length, t, ident, rnd):
    src, dst = bytes([10, 1, 0, 10]), client_inner(t)
    payload = bytes(rnd.getrandbits(8) for _ in range(length - 28))
    udp_len = length - 20
    pseudo = src + dst + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", 5001, 10000 + t, udp_len, 0) + payload
    ucs = csum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", ucs) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, length, ident & 0xFFFF, 0x4000, 64, 17, 0,
                     src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + udp


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    out, size, tunnels, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rnd = random.Random(0x5EED)
    sizes = [IMIX[i % len(IMIX)] for i in range(count)] if size == "imix" else [int(size)] * count
    if size == "imix":
        rnd.shuffle(sizes)
    eth = bytes.fromhex("020000000001" "020000000002" "0800")
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, length in enumerate(sizes):
            frame = eth + inner_packet(length, i % tunnels, i, rnd)
            f.write(struct.pack("<IIII", 0, i, len(frame), len(frame)) + frame)


if __name__ == "__main__":
    main()
