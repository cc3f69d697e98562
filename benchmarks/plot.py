#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Plots p2s-bench's CSV (benchmarks/results/esp.csv) as one PNG.

One panel per direction and transform; in each, inner-packet Gbit/s per
packet size, one bar per stage and tunnel count (median, with the min-max
spread of the repetitions as a whisker), and above every bar that is not the
ceiling its median as a percentage of the ceiling's for the same size,
direction, transform and tunnel count.

    plot.py esp.csv esp.png
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SIZES = ["64", "512", "1420", "imix"]
DIRS = [("enc", "encrypt (outbound)"), ("dec", "decrypt (inbound)")]
XFORMS = [("aes-gcm-256", "AES-GCM-256"), ("aes-cbc-256-sha256", "AES-256-CBC + HMAC-SHA-256-128")]
# Light shade for 1 tunnel, dark for many; one hue per stage.
HUES = {"ceiling": ("#bdbdbd", "#636363"), "esp": ("#9ecae1", "#2171b5"),
        "datapath": ("#a1d99b", "#238b45")}
EXTRA_HUES = [("#fdae6b", "#d94801"), ("#bcbddc", "#6a51a3")]


def load(path):
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["status"] == "ok"]
    if not rows:
        sys.exit(f"plot.py: no good rows in {path}")
    return rows


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    rows = load(sys.argv[1])
    stages = list(dict.fromkeys(r["stage"] for r in rows))
    tunnels = sorted({int(r["tunnels"]) for r in rows})
    sizes = [s for s in SIZES if any(r["size"] == s for r in rows)]
    sizes += sorted({r["size"] for r in rows} - set(sizes), key=int)
    series = [(st, t) for st in stages for t in tunnels]
    for i, st in enumerate(s for s in stages if s not in HUES):
        HUES[st] = EXTRA_HUES[i % len(EXTRA_HUES)]

    fig, axes = plt.subplots(len(DIRS), len(XFORMS), figsize=(15, 9.5), squeeze=False)
    width = 0.8 / len(series)
    for row, (d, dname) in enumerate(DIRS):
        for col, (x, xname) in enumerate(XFORMS):
            ax = axes[row][col]
            top = 0.0
            for k, (st, t) in enumerate(series):
                pos, med, lo, hi, ratio = [], [], [], [], []
                for j, size in enumerate(sizes):
                    m = [r for r in rows if r["stage"] == st and int(r["tunnels"]) == t
                         and r["direction"] == d and r["transform"] == x and r["size"] == size]
                    if not m:
                        continue
                    r = m[0]
                    pos.append(j - 0.4 + width * (k + 0.5))
                    med.append(float(r["gbps_median"]))
                    lo.append(float(r["gbps_median"]) - float(r["gbps_min"]))
                    hi.append(float(r["gbps_max"]) - float(r["gbps_median"]))
                    ratio.append(r["ratio_to_ceiling"])
                if not pos:
                    continue
                hue = HUES[st][0 if t == tunnels[0] else 1]
                ax.bar(pos, med, width * 0.95, color=hue, yerr=[lo, hi], capsize=2,
                       error_kw={"elinewidth": 0.8, "ecolor": "#333333"},
                       label=f"{st}, {t} tunnel{'s' if t > 1 else ''}")
                top = max(top, max(m + h for m, h in zip(med, hi)))
                if st == "ceiling":
                    continue
                for p, m, h, q in zip(pos, med, hi, ratio):
                    if q:
                        ax.text(p, m + h, f"{100 * float(q):.0f}%", ha="center",
                                va="bottom", fontsize=7.5, rotation=90)
            ax.set_title(f"{xname}, {dname}", fontsize=11)
            ax.set_xticks(range(len(sizes)))
            ax.set_xticklabels([s if s == "imix" else f"{s} B" for s in sizes])
            ax.set_ylim(0, top * 1.18 if top else 1)
            ax.set_ylabel("Gbit/s of inner IPv4 packets")
            ax.grid(axis="y", alpha=0.3)
            ax.set_axisbelow(True)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(series), frameon=False)
    r0 = rows[0]
    fig.suptitle(
        f"p2s-bench: ESP on one core, bursts of {r0['burst']}, median of {r0['reps']} "
        f"(whiskers: min-max); % = of the ceiling (raw IPsec-MB)\n"
        f"{r0['cpu']}, {r0['cores']} cores, IPsec-MB {r0['ipsec_mb_version']} "
        f"{r0['ipsec_mb_arch']}, {r0['memory']}; commit {r0['commit']}, {r0['date']}",
        fontsize=11)
    fig.tight_layout(rect=(0, 0.04, 1, 0.94))
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
