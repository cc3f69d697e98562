#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Prints p2s-bench's CSV as the Markdown table of docs/benchmarks.md.

One row per transform, direction, size and tunnel count; for each stage the
median Mpps, Gbit/s (inner IPv4 bits) and cycles per packet, and for every
stage but the ceiling the median ratio to the ceiling with its min-max.

    mdtable.py esp.csv > esp.md
"""
import csv
import sys

SIZE_ORDER = {"64": 0, "512": 1, "1420": 2, "imix": 3}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], newline="") as f:
        rows = list(csv.DictReader(f))
    stages = list(dict.fromkeys(r["stage"] for r in rows))
    keys = sorted({(r["transform"], r["direction"], r["tunnels"], r["size"]) for r in rows},
                  key=lambda k: (k[0] != "aes-gcm-256", k[1] != "enc", int(k[2]),
                                 SIZE_ORDER.get(k[3], 9)))
    head = ["transform", "dir", "tunnels", "size"]
    for st in stages:
        head += [f"{st} Mpps", f"{st} Gbit/s", f"{st} cyc/pkt"]
        if st != "ceiling":
            head += [f"{st} / ceiling (min–max)"]
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    for k in keys:
        cells = [k[0], k[1], k[2], k[3]]
        for st in stages:
            m = [r for r in rows if (r["transform"], r["direction"], r["tunnels"], r["size"]) == k
                 and r["stage"] == st]
            if not m or m[0]["status"] != "ok":
                cells += ["failed" if m else "—", "", ""] + ([""] if st != "ceiling" else [])
                continue
            r = m[0]
            cells += [f"{float(r['mpps_median']):.2f}", f"{float(r['gbps_median']):.2f}",
                      f"{float(r['cycles_per_pkt_median']):.0f}"]
            if st != "ceiling":
                cells.append(f"**{100 * float(r['ratio_to_ceiling']):.0f} %** "
                             f"({100 * float(r['ratio_min']):.0f}–"
                             f"{100 * float(r['ratio_max']):.0f})")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
