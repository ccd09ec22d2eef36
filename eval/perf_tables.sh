#!/usr/bin/env bash
# Every table of issue 10 in one run, for eval/README.md: run it when the machine is quiet (it prints the load).
#   1. GEMM: ours vs libtorch 2.10 (oneMKL) vs OpenBLAS, 2 threads, default kernels; then everything restricted to AVX2
#      (ours: DOTNET_EnableAVX512=0; libtorch: MKL_ENABLE_INSTRUCTIONS=AVX2; OpenBLAS: Haswell kernels).
#   2. Engine: ours (fp32 and dynamic int8 inference) vs libtorch 2.10, tiny…base, forward / classification train / MLM train.
#   3. Serving batches with random lengths (¼…1 × 128), ours packing the padding away vs libtorch on the padded batch.
#   4. int8 against fp32 on fine-tuned classifiers: accuracy, agreement and speed (INT8_MODELS="MODEL_DIR=DEV_TSV ...").
# usage: LIBTORCH_PROBE=path/to/probe [INT8_MODELS="..."] eval/perf_tables.sh [ROUNDS=3] [REPEATS=5]
# LIBTORCH_PROBE is a program with two subcommands: "gemm" (the eval/bench_gemm.sh server protocol) and
# "model --size S --mode forward|train|mlm --repeats N" (one JSON line, side "libtorch"); until the TorchSharp engine
# project provides one, any such program (e.g. a TorchSharp 0.107 console app) will do. Without it the libtorch
# columns are left out.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
REPEATS=${2:-5}
probe=${LIBTORCH_PROBE:-}
echo "# $(date -u +%FT%TZ) — $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; flags: $(grep -o -w 'avx2\|avx512f\|avx512_vnni\|avx_vnni' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "# load average at start: $(cat /proc/loadavg)"
echo
echo "## GEMM, default kernels"
LIBTORCH_GEMM=${probe:+"$probe gemm"} eval/bench_gemm.sh "$ROUNDS" "$REPEATS"
echo
echo "## GEMM, AVX2 only"
DOTNET_EnableAVX512=0 MKL_ENABLE_INSTRUCTIONS=AVX2 OPENBLAS_CORETYPE=Haswell LIBTORCH_GEMM=${probe:+"$probe gemm"} eval/bench_gemm.sh "$ROUNDS" "$REPEATS"
echo
echo "## Engine: ours (fp32, int8) vs libtorch"
PYTORCH=0 VARIANTS="fp32 int8" LIBTORCH_MODEL=${probe:+"$probe model"} eval/bench_model.sh --sizes "tiny mini small medium base" \
  --modes "forward train mlm" --rounds "$ROUNDS" --repeats "$REPEATS"
echo
echo "## Serving batches of random lengths: ours packed (fp32, int8) vs libtorch on the padded batch"
PYTORCH=0 VARIANTS="fp32 int8" OURS_ARGS="--lengths random --pack" LIBTORCH_MODEL=${probe:+"$probe model"} eval/bench_model.sh \
  --sizes "tiny small base" --modes forward --rounds "$ROUNDS" --repeats "$REPEATS"
echo
if [ -n "${INT8_MODELS:-}" ]; then
  echo "## int8 vs fp32 on fine-tuned classifiers (dev sets, batches of 32 padded to their longest)"
  for pair in $INT8_MODELS; do
    dotnet eval/Microsoft.ML.RobertaZh.Benchmarks/bin/Release/net10.0/Microsoft.ML.RobertaZh.Benchmarks.dll int8-accuracy \
      --model "${pair%%=*}" --data "${pair#*=}" --rounds "$ROUNDS"
  done
  echo
fi
echo "# load average at end: $(cat /proc/loadavg)"
