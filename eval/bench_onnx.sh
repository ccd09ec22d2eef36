#!/usr/bin/env bash
# Inference throughput and latency, managed engine vs ONNX Runtime (plain and fused graphs), side by side in one run.
# For each UER size the engines run alternately in fresh processes (each peak RSS is its own), --rounds times:
# throughput at seq 128 with batch 1 and 32, and single-sequence latency (batch 1, p50/p99 over --calls calls).
# The table shows medians over rounds and the ratio to the managed engine. ORT gets --threads intra-op threads;
# the managed engine uses every core (2 on the project's machine), so keep --threads at the core count.
#   eval/bench_onnx.sh [--sizes "tiny mini small medium base"] [--engines "managed ort ort-fused"] [--rounds 2]
#                      [--repeats 5] [--calls 200] [--seq 128] [--threads 2]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="tiny mini small medium base"; engines="managed ort ort-fused"; rounds=2; repeats=5; calls=200; seq=128; threads=2
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --engines) engines="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --calls) calls="$2"; shift 2 ;;
    --seq) seq="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
dotnet build eval/Microsoft.ML.RobertaZh.Benchmarks -c Release -v q -nologo >/dev/null
bench="dotnet eval/Microsoft.ML.RobertaZh.Benchmarks/bin/Release/net10.0/Microsoft.ML.RobertaZh.Benchmarks.dll onnx"
out=$(mktemp); onnx_dir=$(mktemp -d)
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1); load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for size in $sizes; do
  # The graphs are exported once, outside the timed processes (whose peak RSS would otherwise include the export).
  $bench --size "$size" --engine export --seq "$seq" --onnx-dir "$onnx_dir"
  for ((r = 0; r < rounds; r++)); do
    for engine in $engines; do
      for batch in 1 32; do
        DOTNET_gcServer=0 $bench --size "$size" --engine "$engine" --batch "$batch" --seq "$seq" --threads "$threads" --repeats "$repeats" --onnx-dir "$onnx_dir" >>"$out"
      done
      DOTNET_gcServer=0 $bench --size "$size" --engine "$engine" --mode latency --seq "$seq" --threads "$threads" --repeats "$calls" --onnx-dir "$onnx_dir" >>"$out"
    done
  done
  echo "done: $size (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
done
/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
sizes = list(dict.fromkeys(r["size"] for r in rows)); engines = list(dict.fromkeys(r["engine"] for r in rows))
def pick(size, engine, mode, batch=None):
    return [r for r in rows if r["size"] == size and r["engine"] == engine and r["mode"] == mode and (batch is None or r["batch"] == batch)]
print("| size | engine | seq/s batch 1 | seq/s batch 32 | ratio b1 / b32 vs managed | latency p50 ms | p99 ms | peak MiB |")
print("|---|---|---|---|---|---|---|---|")
for s in sizes:
    base = {b: statistics.median(r["median"] for r in pick(s, "managed", "throughput", b)) for b in (1, 32)} if pick(s, "managed", "throughput") else None
    for e in engines:
        t = {b: statistics.median(r["median"] for r in pick(s, e, "throughput", b)) for b in (1, 32)}
        lat = pick(s, e, "latency")
        p50 = statistics.median(r["p50_ms"] for r in lat); p99 = statistics.median(r["p99_ms"] for r in lat)
        peak = max(r["peak_rss_mb"] for r in pick(s, e, "throughput") + lat)
        ratio = f'{t[1] / base[1]:.2f} / {t[32] / base[32]:.2f}' if base else "–"
        print(f"| {s} | {e} | {t[1]:.1f} | {t[32]:.1f} | {ratio} | {p50:.2f} | {p99:.2f} | {peak:.0f} |")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
rm -rf "$out" "$onnx_dir"
