#!/usr/bin/env bash
# Every table of issue 10 in one run, for eval/README.md (run it when the machine is quiet; it prints the CPU and the load):
#   1. GEMM: ours (Gemm.Multiply) vs libtorch 2.10 (oneMKL, through the in-repo TorchSharp engine's natives) vs OpenBLAS
#      (Debian's PyTorch 1.13, the kernel right for the CPU), 2 threads, median and spread over rounds; default kernels,
#      then everything restricted to AVX2 (ours: DOTNET_EnableAVX512=0; MKL_ENABLE_INSTRUCTIONS=AVX2; OpenBLAS Haswell).
#   2. Engine: the managed engine (fp32, and dynamic int8 inference) vs the TorchSharp engine, tiny…base, forward (batch 32)
#      / classification training step / MLM training step (batch 16), seq 128: seq/s, ratios, peak RSS.
#   3. Serving batches of random lengths (¼…1 × 128): managed with padding skipped (fp32, int8) vs TorchSharp (padded).
#   4. int8 for serving: accuracy, agreement and speed-up of int8 over fp32 on fine-tuned classifiers (the models written by
#      eval/run_int8_accuracy.sh under eval/out/int8, or INT8_MODELS="MODEL_DIR=DEV_TSV ...").
# usage: eval/perf_tables.sh [--quick] [ROUNDS=3] [REPEATS=5]
#   --quick: smoke run of the whole pipeline (1024³ and the attention products only, tiny only, 1 round × 2 repeats,
#            int8 accuracy on at most one model): about 5 minutes. The full run (3 rounds × 5 repeats) took 50 minutes
#            on 2 cores of an AMD EPYC Zen 4 (2026-12-08; base training dominates the engine table, the small classifiers
#            the int8 part); 2 rounds × 3 repeats took 30 minutes.
# Needs a .NET 10 SDK, apt-get install python3-torch libopenblas0-pthread (the OpenBLAS column and the GEMM case list).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
if [ "${1:-}" = "--quick" ]; then quick=1; shift; fi
ROUNDS=${1:-3}
REPEATS=${2:-5}
sizes="tiny mini small medium base"; serving_sizes="tiny small base"; cases=""; engine_args=()
if [ "$quick" = 1 ]; then
  ROUNDS=1; REPEATS=2; sizes="tiny"; serving_sizes="tiny"; cases="1024x1024x1024 :t1"; engine_args=(--warmup 1)
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build eval/Microsoft.ML.RobertaZh.EngineBench -c Release -v q -nologo >/dev/null
dotnet build eval/Microsoft.ML.RobertaZh.Benchmarks -c Release -v q -nologo >/dev/null
engine_bench="dotnet eval/Microsoft.ML.RobertaZh.EngineBench/bin/Release/net10.0/Microsoft.ML.RobertaZh.EngineBench.dll"
start=$SECONDS

echo "# $(date -u +%FT%TZ) — $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores;" \
  "flags: $(grep -o -w 'avx2\|avx512f\|avx512bw\|avx512_vnni\|avx_vnni' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "# caches: $(lscpu | sed -n 's/^\(L1d\|L2\|L3\) cache: *\(.*\)/\1 \2;/p' | tr '\n' ' ')"
echo "# load average at start: $(cat /proc/loadavg); rounds $ROUNDS, repeats $REPEATS$([ "$quick" = 1 ] && echo ' (quick)')"
echo
echo "## GEMM, default kernels"
CASES="$cases" LIBTORCH_GEMM="$engine_bench gemm --engine torchsharp" eval/bench_gemm.sh "$ROUNDS" "$REPEATS"
echo
echo "## GEMM, AVX2 only (ours: AVX2 kernel; libtorch: MKL_ENABLE_INSTRUCTIONS=AVX2; OpenBLAS: Haswell)"
CASES="$cases" DOTNET_EnableAVX512=0 MKL_ENABLE_INSTRUCTIONS=AVX2 OPENBLAS_CORETYPE=Haswell \
  LIBTORCH_GEMM="$engine_bench gemm --engine torchsharp" eval/bench_gemm.sh "$ROUNDS" "$REPEATS"
echo
echo "## Engine: managed (fp32, int8) vs TorchSharp (libtorch 2.10)"
eval/bench_engines.sh --sides "managed managed-int8 torchsharp" --sizes "$sizes" --modes "forward train mlm" \
  --rounds "$ROUNDS" --repeats "$REPEATS" --no-matmul "${engine_args[@]}"
echo
echo "## Serving batches of random lengths: managed with padding skipped (fp32, int8) vs TorchSharp on the padded batch"
eval/bench_engines.sh --sides "managed-packed managed-int8-packed torchsharp" --lengths random --sizes "$serving_sizes" \
  --modes forward --rounds "$ROUNDS" --repeats "$REPEATS" --no-matmul "${engine_args[@]}"
echo
echo "## int8 vs fp32 on fine-tuned classifiers (dev sets; batches of 32 padded to their longest, and packed)"
models=${INT8_MODELS:-}
if [ -z "$models" ]; then
  data=../shared/data/datasets
  for dir in eval/out/int8/*-chnsenticorp eval/out/int8/*-book_review; do
    [ -f "$dir/config.json" ] || continue
    task=${dir##*-}
    models+=" $dir=$data/$task/dev.tsv"
  done
fi
if [ -z "$models" ]; then
  echo "(no fine-tuned models: run eval/run_int8_accuracy.sh first, or set INT8_MODELS=\"MODEL_DIR=DEV_TSV ...\")"
else
  [ "$quick" = 1 ] && models=$(tr ' ' '\n' <<<"$models" | grep . | head -1)
  results=$(mktemp)
  for pair in $models; do
    for pack in "" --pack; do
      dotnet eval/Microsoft.ML.RobertaZh.Benchmarks/bin/Release/net10.0/Microsoft.ML.RobertaZh.Benchmarks.dll int8-accuracy \
        --model "${pair%%=*}" --data "${pair#*=}" --rounds "$ROUNDS" $pack >>"$results"
    done
  done
  /usr/bin/python3 - "$results" <<'PY'
import json, os, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print("| model | dev set | examples | fp32 accuracy | int8 accuracy | change (points) | same prediction | int8 speed-up padded | int8 speed-up packed | load |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
for r in rows:
    if r["packed"]: continue
    packed = next((p for p in rows if p["packed"] and p["model"] == r["model"] and p["data"] == r["data"]), None)
    dev = os.path.basename(os.path.dirname(r["data"])) + "/" + os.path.basename(r["data"])
    packed_speedup = f'{packed["speedup"]:.2f}×' if packed else "–"
    load = r["load"] + ("/" + packed["load"] if packed else "")
    print(f'| {os.path.basename(r["model"])} | {dev} | {r["examples"]} | {100 * r["fp32_accuracy"]:.2f}% | {100 * r["int8_accuracy"]:.2f}% | '
          f'{100 * (r["int8_accuracy"] - r["fp32_accuracy"]):+.2f} | {100 * r["same_prediction"]:.2f}% | {r["speedup"]:.2f}× | {packed_speedup} | {load} |')
PY
  rm -f "$results"
fi
echo
echo "# load average at end: $(cat /proc/loadavg); wall time $(( (SECONDS - start) / 60 )) min"
