#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send hand-made Ethernet frames on an interface, to provoke each of the
gateway's drop reasons from a real wire (AF_PACKET).

    rawframe.py IFACE GW_MAC SRC_IP DST_IP KIND [COUNT]

KIND: bad_ip_checksum, runt, foreign_mac, arp_other, udp, icmp_timestamp,
      ip_fragment, bad_icmp_checksum
"""
import socket
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def ipv4(src, dst, proto, payload, frag=0, good=True):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, frag, 64, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    c = csum(hdr) if good else csum(hdr) ^ 0x0101
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + payload


def icmp(typ, body=b"\0" * 16, good=True):
    msg = struct.pack("!BBHHH", typ, 0, 0, 0x4242, 1) + body
    c = csum(msg) if good else csum(msg) ^ 0x0101
    return msg[:2] + struct.pack("!H", c) + msg[4:]


def frame(kind, own, gw, src, dst):
    eth = gw + own + b"\x08\x00"
    if kind == "bad_ip_checksum":
        return eth + ipv4(src, dst, 1, icmp(8), good=False)
    if kind == "runt":
        return eth
    if kind == "foreign_mac":
        return b"\x02\x11\x22\x33\x44\x55" + own + b"\x08\x00" + ipv4(src, dst, 1, icmp(8))
    if kind == "arp_other":
        arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, own, socket.inet_aton(src),
                          b"\0" * 6, socket.inet_aton("198.51.100.77"))
        return b"\xff" * 6 + own + b"\x08\x06" + arp
    if kind == "udp":
        udp = struct.pack("!HHHH", 40000, 9, 12, 0) + b"ping"
        return eth + ipv4(src, dst, 17, udp)
    if kind == "icmp_timestamp":
        return eth + ipv4(src, dst, 1, icmp(13))
    if kind == "bad_icmp_checksum":
        return eth + ipv4(src, dst, 1, icmp(8, good=False))
    if kind == "ip_fragment":
        return eth + ipv4(src, dst, 1, icmp(8), frag=0x2000)
    raise SystemExit("unknown kind " + kind)


def main():
    iface, gw, src, dst, kind = sys.argv[1:6]
    count = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    own = s.getsockname()[4]
    f = frame(kind, own, mac(gw), src, dst)
    for _ in range(count):
        s.send(f)


if __name__ == "__main__":
    main()
