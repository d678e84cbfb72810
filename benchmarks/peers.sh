#!/usr/bin/env bash
# The peers' table in one sitting: peak.c at 1 thread, then for each of the five anchor networks NetGen and ONNX
# Runtime's C# API (NetGen.Benchmarks) and TorchSharp (NetGen.Benchmarks.Torch, not in NetGen.sln), all at 1 thread
# with the peers' weights, every engine checked against PyTorch before it is timed; then peak.c's FMA figure again and
# the table.
#
#   bash benchmarks/peers.sh                 # BenchmarkDotNet's short job (3 iterations: a quick, noisy look)
#   PEERS_JOB=medium bash benchmarks/peers.sh   # the job of a quiet sitting (about 3 times longer)
#
# Writes everything under $PEERS_OUT (default BenchmarkDotNet.Artifacts/peers/ in the repository): the reports,
# peak.txt, load.txt and table.md, which it also prints. Needs gcc with OpenMP for peak.c ($PEAK_C, default
# ../shared/anchors/peak.c beside the repository) and python3 for the table; the TorchSharp restore brings libtorch.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${PEERS_OUT:-$ROOT/BenchmarkDotNet.Artifacts/peers}"
JOB="${PEERS_JOB:-short}"
PEAK_C="${PEAK_C:-$ROOT/../shared/anchors/peak.c}"
cd "$ROOT"
rm -rf "$OUT"
mkdir -p "$OUT"

# The wide network's files (8.4 MB each for its .onnx and .safetensors) are not in the repository: export_peers.py
# writes them from models.py's seed when they are missing (Debian's python3-torch and python3-onnx).
if [ ! -f benchmarks/NetGen.Benchmarks/Peers/wide.onnx ] || [ ! -f benchmarks/NetGen.Benchmarks/Peers/wide.safetensors ]; then
  echo "== exporting the wide network's peer files"
  /usr/bin/python3 benchmarks/NetGen.Benchmarks/Peers/export_peers.py wide
fi

echo "== building (Release)"
dotnet build benchmarks/NetGen.Benchmarks -c Release -v quiet -nologo
dotnet build benchmarks/NetGen.Benchmarks.Torch -c Release -v quiet -nologo

{
  echo "Sitting: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (with local changes)'), BenchmarkDotNet job '$JOB', 1 thread, $(nproc) vCPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')."
} > "$OUT/sitting.txt"

echo "== peak.c"
gcc -O3 -march=native -mfma -fopenmp "$PEAK_C" -o "$OUT/peak"
OMP_NUM_THREADS=1 "$OUT/peak" | tee "$OUT/peak.txt"
# Network by network, the three engines back to back, so that on a shared machine each row's engines see about the
# same load (a run of all NetGen first and all TorchSharp last once saw the load average fall from 32 to 9 between
# them). NetGen and ONNX Runtime run as BenchmarkDotNet runs them by default, in a process it builds for them (one
# build per network; --buildTimeout because a build on a busy machine can take minutes), where its Allocated column is
# exact; in its own process (--inProcess) that column also counts the harness's threads (a run showed 2 to 314 B per
# call for NetGen rows that allocate nothing). TorchSharp must run in BenchmarkDotNet's process: its native library is
# patched in this build's output only.
: > "$OUT/load.txt"
: > "$OUT/netgen.log"
: > "$OUT/torch.log"
for net in mlp lenet wide lstm transformer; do
  case $net in
    mlp) netgen=MlpPeerBenchmarks; type=Mlp ;;
    lenet) netgen=LeNetPeerBenchmarks; type=LeNet ;;
    wide) netgen=WidePeerBenchmarks; type=Wide ;;
    lstm) netgen=LstmBenchmarks; type=Lstm ;;
    transformer) netgen=TransformerBenchmarks; type=Transformer ;;
  esac
  echo "$net: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/load.txt"
  echo "== $net: NetGen and ONNX Runtime"
  NETGEN_BENCH_THREADS=1 dotnet run -c Release --no-build --project benchmarks/NetGen.Benchmarks -- \
    --filter "NetGen.Benchmarks.$netgen.*" "NetGen.Benchmarks.Ort${type}Benchmarks.*" \
    --job "$JOB" --buildTimeout 1800 --exporters json --artifacts "$OUT/$net/netgen" | tee -a "$OUT/netgen.log"
  echo "== $net: TorchSharp"
  dotnet run -c Release --no-build --project benchmarks/NetGen.Benchmarks.Torch -- \
    --filter "NetGen.Benchmarks.Torch.Torch${type}Benchmarks.*" \
    --job "$JOB" --inProcess --exporters json --artifacts "$OUT/$net/torch" | tee -a "$OUT/torch.log"
done
echo "after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/load.txt"
OMP_NUM_THREADS=1 "$OUT/peak" 1 fma > "$OUT/peak-after.txt"

# Every engine printed its check before timing; refuse a table if one did not.
checks=$(cat "$OUT/netgen.log" "$OUT/torch.log" | grep -o '^// [A-Za-z ]* on [a-z]*: output matches' | sort -u | wc -l)
if [ "$checks" -ne 15 ]; then
  echo "expected 15 distinct engine/network checks against PyTorch, found $checks" >&2
  exit 1
fi

python3 benchmarks/peers_table.py "$OUT" | tee "$OUT/table.md"
