#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""An independent ESP client for the integration test: AES-256-GCM ESP in
UDP 4500 (RFC 4106, RFC 3948), written with Python's `cryptography` rather
than anything of p2sgw's. It pings a VNet host through the gateway with
manually keyed SAs and checks every echo reply that comes back encrypted.

    esp_client.py GW LOCAL_PORT INNER DST SPI_TO_GW KEY_TO_GW SPI_FROM_GW KEY_FROM_GW [COUNT] [SIZE] [FIRST_SEQ]

KEY_*: 72 hex digits, the AES-256 key followed by the 4-byte salt.
Exit status 0 when every echo got its reply.
"""
import os
import socket
import struct
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def echo_request(src, dst, ident, seq, size):
    body = bytes(range(256)) * (size // 256 + 1)
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + body[:size]
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq, 0, 64, 1, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + icmp


def esp_seal(spi, seq, key, inner):
    # RFC 4303 §2.4: pad to 4 bytes with 1, 2, 3 ...; next header 4 (IPv4).
    pad = (-(len(inner) + 2)) % 4
    plain = inner + bytes(range(1, pad + 1)) + bytes([pad, 4])
    iv = struct.pack("!Q", seq)
    aad = struct.pack("!II", spi, seq)
    ct = AESGCM(key[:32]).encrypt(key[32:] + iv, plain, aad)
    return aad + iv + ct


def esp_open(data, spi, key):
    if len(data) < 8 + 8 + 16:
        raise ValueError("short ESP")
    got_spi, seq = struct.unpack("!II", data[:8])
    if got_spi != spi:
        raise ValueError("SPI 0x%08x, expected 0x%08x" % (got_spi, spi))
    plain = AESGCM(key[:32]).decrypt(key[32:] + data[8:16], data[16:], data[:8])
    pad, nh = plain[-2], plain[-1]
    if nh != 4 or plain[-2 - pad:-2] != bytes(range(1, pad + 1)):
        raise ValueError("bad ESP trailer")
    return plain[:-2 - pad]


def main():
    gw, lport, inner, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    spi_out, key_out = int(sys.argv[5], 16), bytes.fromhex(sys.argv[6])
    spi_in, key_in = int(sys.argv[7], 16), bytes.fromhex(sys.argv[8])
    count = int(sys.argv[9]) if len(sys.argv) > 9 else 5
    size = int(sys.argv[10]) if len(sys.argv) > 10 else 56
    # ESP sequence numbers go on across runs on one SA: the gateway's replay window remembers.
    first = int(sys.argv[11]) if len(sys.argv) > 11 else 1
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", lport))
    s.settimeout(2.0)
    ident = os.getpid() & 0xFFFF
    ok = 0
    for seq in range(first, first + count):
        s.sendto(esp_seal(spi_out, seq, key_out, echo_request(inner, dst, ident, seq, size)),
                 (gw, 4500))
        try:
            data, peer = s.recvfrom(65535)
            pkt = esp_open(data, spi_in, key_in)
        except (socket.timeout, ValueError) as e:
            print("seq %d: no valid reply: %s" % (seq, e))
            continue
        src, to = socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20])
        ihl = (pkt[0] & 15) * 4
        typ, _, _, rid, rseq = struct.unpack("!BBHHH", pkt[ihl:ihl + 8])
        if (src, to, typ, rid, rseq) == (dst, inner, 0, ident, seq) and csum(pkt[:ihl]) == 0:
            ok += 1
            print("seq %d: echo reply from %s through the tunnel, %d bytes, ttl %d"
                  % (seq, src, len(pkt), pkt[8]))
        else:
            print("seq %d: unexpected packet %s -> %s type %d" % (seq, src, to, typ))
    print("%d of %d echo replies" % (ok, count))
    sys.exit(0 if ok == count else 1)


if __name__ == "__main__":
    main()
