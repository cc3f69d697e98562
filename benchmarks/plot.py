#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Plots p2s-bench's CSV (benchmarks/results/esp.csv) as one PNG.

Top two rows: one panel per direction and transform; in each, inner-packet
Gbit/s per packet size, one bar per stage and tunnel count (median, with the
min-max spread of the repetitions as a whisker). Bottom row: each stage as a
percentage of the ceiling (median of the per-repetition ratios, whiskers
min-max), which is what to read on a noisy machine, with the targets of
issue 3 for AES-GCM-256 marked.

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


def ratio_panel(ax, rows, x, xname, sizes, stages, tunnels):
    """Stage/ceiling per size: one bar per stage, direction and tunnel count."""
    series = [(st, d, t) for st in stages if st != "ceiling" for d, _ in DIRS for t in tunnels]
    width = 0.8 / max(len(series), 1)
    for k, (st, d, t) in enumerate(series):
        pos, med, lo, hi = [], [], [], []
        for j, size in enumerate(sizes):
            m = [r for r in rows if r["stage"] == st and int(r["tunnels"]) == t and
                 r["direction"] == d and r["transform"] == x and r["size"] == size and
                 r["ratio_to_ceiling"]]
            if not m:
                continue
            q = [100 * float(m[0][f]) for f in ("ratio_to_ceiling", "ratio_min", "ratio_max")]
            pos.append(j - 0.4 + width * (k + 0.5))
            med.append(q[0])
            lo.append(q[0] - q[1])
            hi.append(q[2] - q[0])
        if not pos:
            continue
        hue = HUES[st][0 if t == tunnels[0] else 1]
        ax.bar(pos, med, width * 0.95, color=hue, yerr=[lo, hi], capsize=2,
               hatch="" if d == "enc" else "//", edgecolor="white",
               error_kw={"elinewidth": 0.8, "ecolor": "#333333"},
               label=f"{st} {d}, {t} tunnel{'s' if t > 1 else ''}")
        ink = "black" if t == tunnels[0] else "white"
        for p, m in zip(pos, med):
            ax.text(p, 2, f"{m:.0f}", ha="center", va="bottom", fontsize=7.5, color=ink,
                    rotation=90 if len(series) > 4 else 0)
    if x == "aes-gcm-256":
        for size, target in (("64", 50), ("1420", 70)):
            if size in sizes:
                j = sizes.index(size)
                ax.hlines(target, j - 0.45, j + 0.45, colors="#d62728", linestyles="--")
                ax.text(j, target - 2, f"target {target}% (128 tunnels)", color="#d62728",
                        fontsize=7.5, va="top", ha="center",
                        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85,
                              "pad": 1})
    ax.axhline(100, color="#636363", linewidth=0.8)
    ax.set_title(f"{xname}: % of the ceiling (hatched: decrypt)", fontsize=11)
    ax.set_xticks(range(len(sizes)))
    ax.set_xticklabels([s if s == "imix" else f"{s} B" for s in sizes])
    ax.set_ylim(0, 125)
    ax.set_ylabel("% of raw IPsec-MB, same repetition")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(fontsize=7.5, ncol=2, loc="upper left", frameon=False)


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

    fig, axes = plt.subplots(len(DIRS) + 1, len(XFORMS), figsize=(17, 13.5), squeeze=False,
                             gridspec_kw={"height_ratios": [1] * len(DIRS) + [0.9]})
    width = 0.8 / len(series)
    for row, (d, dname) in enumerate(DIRS):
        for col, (x, xname) in enumerate(XFORMS):
            ax = axes[row][col]
            top = 0.0
            for k, (st, t) in enumerate(series):
                pos, med, lo, hi = [], [], [], []
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
                if not pos:
                    continue
                hue = HUES[st][0 if t == tunnels[0] else 1]
                ax.bar(pos, med, width * 0.95, color=hue, yerr=[lo, hi], capsize=2,
                       error_kw={"elinewidth": 0.8, "ecolor": "#333333"},
                       label=f"{st}, {t} tunnel{'s' if t > 1 else ''}")
                top = max(top, max(m + h for m, h in zip(med, hi)))
            ax.set_title(f"{xname}, {dname}", fontsize=11)
            ax.set_xticks(range(len(sizes)))
            ax.set_xticklabels([s if s == "imix" else f"{s} B" for s in sizes])
            ax.set_ylim(0, top * 1.18 if top else 1)
            ax.set_ylabel("Gbit/s of inner IPv4 packets")
            ax.grid(axis="y", alpha=0.3)
            ax.set_axisbelow(True)
    for col, (x, xname) in enumerate(XFORMS):
        ratio_panel(axes[len(DIRS)][col], rows, x, xname, sizes, stages, tunnels)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(series), frameon=False)
    r0 = rows[0]
    fig.suptitle(
        f"p2s-bench: ESP on one core, bursts of {r0['burst']}, median of {r0['reps']} "
        f"(whiskers: min-max); ceiling = raw IPsec-MB, same crypto\n"
        f"{r0['cpu']}, {r0['cores']} cores, IPsec-MB {r0['ipsec_mb_version']} "
        f"{r0['ipsec_mb_arch']}, {r0['memory']}; commit {r0['commit']}, {r0['date']}",
        fontsize=11)
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
