#!/usr/bin/env bash
# Inference on the three engines — the managed one, libtorch 2.10 (TorchSharp) and ONNX Runtime 1.32 — side by side:
#  1. throughput: sequences/s of a binary classifier's forward pass (random weights and ids; speed does not depend on
#     them) for each UER size at seq 128, batch 1 and 32, every engine in a fresh process (so each peak RSS is its
#     own), interleaved and rotated every round, 2 threads each;
#  2. single-sentence latency (p50/p99 over --calls real ChnSentiCorp reviews, truncated at 128 tokens), by route:
#     engine             tokenize + engine forward (batch 1), each engine;
#     prediction-engine  ML.NET PredictionEngine over RobertaClassifierTransformer loaded on the engine
#                        (RobertaInferenceOptions { Engine = ... });
#     mlnet-onnx         ML.NET PredictionEngine over TokenizeForRoberta → ApplyOnnxModel → BinaryClassifierScores
#                        (ML.NET's own ONNX scoring, one row per ONNX Runtime call).
# Prints markdown tables with the CPU, the load average before and after, and the ratios.
#   eval/bench_inference.sh [--quick] [--sizes "tiny mini small medium base"] [--engines "managed torchsharp onnxruntime"]
#                           [--rounds 2] [--repeats 5] [--calls 200] [--threads 2] [--fused] [--no-latency]
# --quick: a smoke run (tiny only, one round, few repeats) that checks the whole pipeline in a minute or two.
# --fused: adds ONNX Runtime on the graph with com.microsoft fused operators (onnxruntime-fused) to the throughput runs.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="tiny mini small medium base"; engines="managed torchsharp onnxruntime"; rounds=2; repeats=5; calls=200; warmup=20; threads=2; latency=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) sizes="tiny"; rounds=1; repeats=2; calls=40; warmup=5; shift ;;
    --sizes) sizes="$2"; shift 2 ;;
    --engines) engines="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --calls) calls="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --fused) engines="$engines onnxruntime-fused"; shift ;;
    --no-latency) latency=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d); out="$work/results.jsonl"
trap 'rm -rf "$work"' EXIT
# The ONNX Runtime engine's graph cache, private to this run (exported by "prepare", outside the timed processes).
export ROBERTA_ZH_ONNX_CACHE="$work/onnx-cache"
# As eval/bench_engines.sh: no mmap churn for large activations, OpenMP threads that sleep instead of spinning.
tuned=(env MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000 OMP_WAIT_POLICY=PASSIVE DOTNET_gcServer=0)

dotnet build eval/Microsoft.ML.RobertaZh.InferenceBench -c Release -v q -nologo >/dev/null
bench=("${tuned[@]}" dotnet eval/Microsoft.ML.RobertaZh.InferenceBench/bin/Release/net10.0/Microsoft.ML.RobertaZh.InferenceBench.dll)

echo "# CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; AVX-512: $(grep -qw avx512f /proc/cpuinfo && echo yes || echo no)"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg); sizes: $sizes; engines: $engines; rounds $rounds, repeats $repeats, calls $calls, threads $threads"

read -r -a sides <<<"$engines"
routes=()
for e in $engines; do [ "$e" = onnxruntime-fused ] || routes+=("engine:$e"); done
for e in $engines; do [ "$e" = onnxruntime-fused ] || routes+=("prediction-engine:$e"); done
[[ " $engines " == *" onnxruntime "* ]] && routes+=("mlnet-onnx:onnxruntime")

for size in $sizes; do
  "${bench[@]}" prepare --size "$size" --work "$work"
  for batch in 1 32; do
    for ((r = 0; r < rounds; r++)); do
      # Rotate the order every round, so no engine always runs first (or last) on a machine that drifts.
      for ((i = 0; i < ${#sides[@]}; i++)); do
        side=${sides[(i + r) % ${#sides[@]}]}
        "${bench[@]}" throughput --engine "$side" --size "$size" --batch "$batch" --threads "$threads" --repeats "$repeats" --work "$work" >>"$out"
      done
    done
  done
  if [ "$latency" = 1 ]; then
    for ((r = 0; r < rounds; r++)); do
      for ((i = 0; i < ${#routes[@]}; i++)); do
        pair=${routes[(i + r) % ${#routes[@]}]}
        "${bench[@]}" latency --route "${pair%%:*}" --engine "${pair##*:}" --size "$size" --threads "$threads" --calls "$calls" --warmup "$warmup" --work "$work" >>"$out"
      done
    done
  fi
  echo "# done: $size (load $(cut -d' ' -f1 /proc/loadavg))" >&2
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
names = {"managed": "managed", "torchsharp": "TorchSharp", "onnxruntime": "ONNX Runtime", "onnxruntime-fused": "ORT fused"}
tp = [r for r in rows if r["kind"] == "throughput"]
sides = list(dict.fromkeys(r["side"] for r in tp))
keys = list(dict.fromkeys((r["size"], r["batch"]) for r in tp))
def med(size, batch, side):
    v = [r["median"] for r in tp if (r["size"], r["batch"], r["side"]) == (size, batch, side)]
    return statistics.median(v) if v else float("nan")
def spread(size, batch, side):
    v = [r for r in tp if (r["size"], r["batch"], r["side"]) == (size, batch, side)]
    return f'{min(r["min"] for r in v):.1f}–{max(r["max"] for r in v):.1f}' if v else "–"
def peak(size, batch, side):
    v = [r["peak_rss_mb"] for r in tp if (r["size"], r["batch"], r["side"]) == (size, batch, side)]
    return f"{max(v):.0f}" if v else "–"
ratios = [(a, b) for a, b in [("onnxruntime", "managed"), ("onnxruntime", "torchsharp"), ("torchsharp", "managed"), ("onnxruntime-fused", "onnxruntime")] if a in sides and b in sides]
print()
print("| size | batch | " + " | ".join(f"{names[s]} seq/s" for s in sides) + " | " + " | ".join(f"{names[a]} / {names[b]}" for a, b in ratios) + " | peak MiB " + " / ".join(names[s] for s in sides) + " |")
print("|---|---|" + "---|" * (len(sides) + len(ratios) + 1))
for size, batch in keys:
    cells = [f"{med(size, batch, s):.1f} ({spread(size, batch, s)})" for s in sides]
    rs = [f"{med(size, batch, a) / med(size, batch, b):.2f}" for a, b in ratios]
    print(f"| {size} | {batch} | " + " | ".join(cells + rs) + " | " + " / ".join(peak(size, batch, s) for s in sides) + " |")
lat = [r for r in rows if r["kind"] == "latency"]
if lat:
    print()
    print("| size | route | engine | p50 ms | p99 ms | mean ms | peak MiB |")
    print("|---|---|---|---|---|---|---|")
    for key in dict.fromkeys((r["size"], r["route"], r["side"]) for r in lat):
        v = [r for r in lat if (r["size"], r["route"], r["side"]) == key]
        done = v
        p50 = statistics.median(r["p50_ms"] for r in done); p99 = statistics.median(r["p99_ms"] for r in done); mean = statistics.median(r["mean_ms"] for r in done)
        print(f"| {key[0]} | {key[1]} | {names[key[2]]} | {p50:.2f} | {p99:.2f} | {mean:.2f} | {max(r['peak_rss_mb'] for r in done):.0f} |")
PY
