#!/usr/bin/env python3
"""Writes the peers' table (Markdown) from one sitting of benchmarks/peers.sh.

    python3 benchmarks/peers_table.py OUT_DIR

OUT_DIR is the folder peers.sh filled: BenchmarkDotNet's JSON reports under netgen/ and torch/, peak.txt (peak.c's
"key value" lines at 1 thread), peak-after.txt (its short FMA check after the run), load.txt (uptime before and after)
and sitting.txt (commit, date, job). Every figure is a BenchmarkDotNet median; batch-64 and training figures are samples
per second (64 / median), batch-1 figures are the median time of one call.
"""
import glob
import json
import os
import sys

NETWORKS = ["mlp", "lenet", "wide", "lstm", "transformer"]

# Forward FLOP per sample (2 x multiply-adds), as ../shared/anchors/models.py counts them.
FLOPS = {
    "mlp": 2 * (784 * 128 + 128 * 64 + 64 * 10),
    "lenet": 2 * (6 * 28 * 28 * 25 + 16 * 10 * 10 * 150 + 400 * 120 + 120 * 84 + 84 * 10),
    "lstm": 2 * (32 * 4 * 64 * (16 + 64) + 64 * 10),
    "transformer": 2 * (64 * 64 * 3 * 64 + 64 * 64 * 64 + 64 * 64 * 64 + 64 * 64 * 64 + 2 * 64 * 64 * 256 + 64 * 10),
    "wide": 2 * (1024 * 1024 * 2 + 1024 * 10),
}

# BenchmarkDotNet type name of each engine's class per network.
TYPES = {
    "NetGen": {"mlp": "MlpPeerBenchmarks", "lenet": "LeNetPeerBenchmarks", "wide": "WidePeerBenchmarks",
               "lstm": "LstmBenchmarks", "transformer": "TransformerBenchmarks"},
    "ORT C#": {n: f"Ort{t}Benchmarks" for n, t in
               (("mlp", "Mlp"), ("lenet", "LeNet"), ("wide", "Wide"), ("lstm", "Lstm"), ("transformer", "Transformer"))},
    "TorchSharp": {n: f"Torch{t}Benchmarks" for n, t in
                   (("mlp", "Mlp"), ("lenet", "LeNet"), ("wide", "Wide"), ("lstm", "Lstm"), ("transformer", "Transformer"))},
}
ENGINES = list(TYPES)
# (label, the peers' method, NetGen's method): the "packed" rows time NetGen on a workspace that keeps its dense weights
# packed (Workspace.ReusePackedWeights) beside the peers' same calls, whose sessions pack theirs once at load.
MEASURES = [("batch 1", "Batch1", "Batch1"), ("batch 1, weights kept packed", "Batch1", "Batch1Packed"),
            ("batch 64, samples/s", "Batch64", "Batch64"),
            ("batch 64, weights kept packed, samples/s", "Batch64", "Batch64Packed"),
            ("train step 64, SGD, samples/s", "TrainStep64Sgd", "TrainStep64Sgd"),
            ("train step 64, Adam, samples/s", "TrainStep64Adam", "TrainStep64Adam")]


def load_results(out):
    """(type, method) -> (median ns, allocated bytes or None), from every JSON report under OUT_DIR; 1-thread rows only."""
    results = {}
    for path in glob.glob(os.path.join(out, "**", "*.json"), recursive=True):
        with open(path) as f:
            try:
                report = json.load(f)
            except json.JSONDecodeError:
                continue
        for b in report.get("Benchmarks", []):
            params = b.get("Parameters") or ""
            if "Threads=" in params and "Threads=1" not in params.split("&"):
                continue
            stats = b.get("Statistics")
            if not stats:
                continue
            memory = b.get("Memory") or {}
            results[(b["Type"], b["Method"])] = (stats["Median"], memory.get("BytesAllocatedPerOperation"))
    return results


def read_keys(path):
    values = {}
    if os.path.exists(path):
        for line in open(path):
            parts = line.split()
            if len(parts) == 2:
                values[parts[0]] = parts[1]
    return values


def fmt_time(ns):
    us = ns / 1000
    return f"{us:,.1f} µs" if us < 1000 else f"{us / 1000:,.2f} ms"


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    out = sys.argv[1]
    results = load_results(out)
    peak = read_keys(os.path.join(out, "peak.txt"))
    after = read_keys(os.path.join(out, "peak-after.txt"))
    peak_gflops = float(peak["fma_peak_gflops"]) if "fma_peak_gflops" in peak else None

    lines = []
    sitting = os.path.join(out, "sitting.txt")
    if os.path.exists(sitting):
        lines += [line.rstrip() for line in open(sitting)] + [""]
    if peak:
        lines.append(f"peak.c, 1 thread: {peak.get('fma_peak_gflops')} GFLOP/s ({peak.get('fma_peak_isa')}), AVX2 "
                     f"{peak.get('fma_avx2_gflops')} GFLOP/s, {peak.get('core_ghz_single_thread')} GHz, memory "
                     f"{peak.get('mem_read_gbs')} GB/s" + (f"; after the run: {after.get('fma_peak_gflops')} GFLOP/s"
                                                           if after else ""))
    load = os.path.join(out, "load.txt")
    if os.path.exists(load):
        lines.append("load average (1, 5, 15 min) before each network and after: " + "; ".join(line.strip() for line in open(load)))
    lines.append("")
    lines.append("| network | measure | NetGen | ORT C# | TorchSharp | NetGen vs best peer | NetGen allocated |")
    lines.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    missing = []
    for network in NETWORKS:
        for label, peer_method, netgen_method in MEASURES:
            cells, speeds, alloc = [], {}, "—"
            for engine in ENGINES:
                method = netgen_method if engine == "NetGen" else peer_method
                found = results.get((TYPES[engine][network], method))
                if found is None:
                    if not (engine == "ORT C#" and method.startswith("Train")):
                        missing.append(f"{engine} {network} {method}")
                    cells.append("—")
                    continue
                median, allocated = found
                if engine == "NetGen":
                    alloc = "0 B" if not allocated else f"{allocated:,} B"
                if method.startswith("Batch1"):
                    speeds[engine] = 1e9 / median
                    cells.append(fmt_time(median))
                else:
                    per_second = 64 * 1e9 / median
                    speeds[engine] = per_second
                    text = f"{per_second:,.0f}"
                    if method.startswith("Batch64") and peak_gflops and engine != "TorchSharp":
                        text += f" ({100 * per_second * FLOPS[network] / 1e9 / peak_gflops:.0f}%)"
                    cells.append(text)
            peers = [speeds[e] for e in ENGINES[1:] if e in speeds]
            ratio = f"{speeds['NetGen'] / max(peers):.2f}×" if "NetGen" in speeds and peers else "—"
            lines.append(f"| {network} | {label} | " + " | ".join(cells) + f" | {ratio} | {alloc} |")
    lines.append("")
    lines.append("Medians; batch 1 is the time of one call, the rest samples per second (64 / median). \"NetGen vs best "
                 "peer\" is NetGen's speed over the faster peer's (above 1: NetGen is faster). The percentages are the "
                 "batch-64 inference rate's share of peak.c's FMA peak (forward FLOP per sample as models.py counts "
                 "them: " + ", ".join(f"{n} {FLOPS[n]:,}" for n in NETWORKS) + ").")
    if missing:
        lines.append("")
        lines.append("Missing from this sitting's reports: " + ", ".join(missing) + ".")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
