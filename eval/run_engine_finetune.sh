#!/usr/bin/env bash
# Issue 9's held-out-style fine-tune on both engines through the same pipeline: book_review train.tsv (20,000) →
# dev.tsv (8,000), the tiny architecture from scratch (one init-model, seed 7, shared by both runs), 2 epochs, batch 32,
# learning rate 3e-4, sequence length 128, seed 7, validation after each epoch with the best epoch kept; then each
# model evaluated by ML.NET's evaluator (`roberta-zh evaluate --json`) on its own engine and on the other one.
#   eval/run_engine_finetune.sh [OUT_DIR] [ENGINES]      (ENGINES default: "managed torchsharp")
# Needs ../shared/data and a Release build (./build.sh). Prints the CPU, the load average around each run, per-epoch
# training seconds (validation excluded) and dev metrics, and a markdown table at the end. Run it with `nice -n 10`.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-eval/out/engine-finetune}"
engines="${2:-managed torchsharp}"
data=../shared/data/datasets/book_review
vocab=../shared/data/vocab/google_zh_vocab.txt
[ -f "$data/train.tsv" ] || { echo "missing $data/train.tsv (../shared/data)" >&2; exit 1; }
mkdir -p "$out"
# The same environment for both engines (../shared/docs/benchmarking.md): libtorch's OpenMP threads sleep instead of
# spinning (spinning threads make libtorch many times slower on a shared machine), no mmap churn for activations.
export OMP_WAIT_POLICY=PASSIVE MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000 DOTNET_gcServer=0
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -f "$out/scratch-tiny/model.safetensors" ] || ./roberta-zh init-model --architecture tiny --vocab "$vocab" --output "$out/scratch-tiny" --seed 7 >/dev/null 2>&1

# A metric of ML.NET's metrics JSON on stdin: metric NAME FORMAT [SCALE].
metric() { python3 -c 'import json, sys; print(sys.argv[2] % (float(sys.argv[3]) * json.load(sys.stdin)[sys.argv[1]]))' "$1" "$2" "${3:-1}"; }
declare -A acc auc f1 epochs wall load
for engine in $engines; do
  echo "=== $engine"
  rm -rf "${out:?}/$engine"
  t0=$(date +%s.%N)
  ./roberta-zh train --train "$data/train.tsv" --validation "$data/dev.tsv" --model "$out/scratch-tiny" --output "$out/$engine" \
      --epochs 2 --batch-size 32 --learning-rate 3e-4 --max-seq-length 128 --seed 7 --engine "$engine" 2> "$out/$engine.log"
  t1=$(date +%s.%N)
  load[$engine]=$(cut -d' ' -f1-3 /proc/loadavg)
  grep -E '^epoch|trained on' "$out/$engine.log"
  epochs[$engine]=$(sed -n 's/^epoch [0-9]*: .*(\([0-9.]*\) s)$/\1/p' "$out/$engine.log" | paste -sd/ -)
  wall[$engine]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')
  json=$(./roberta-zh evaluate --model "$out/$engine" --data "$data/dev.tsv" --json --engine "$engine")
  echo "$json" > "$out/$engine.dev.json"
  acc[$engine]=$(metric Accuracy %.2f 100 <<<"$json")
  auc[$engine]=$(metric AreaUnderRocCurve %.4f <<<"$json")
  f1[$engine]=$(metric F1Score %.4f <<<"$json")
  echo "dev accuracy ${acc[$engine]}%  AUC ${auc[$engine]}  F1 ${f1[$engine]}  (wall ${wall[$engine]} s, load after: ${load[$engine]})"
done

# Each model scored on the other engine: the same weights must give the same dev metrics (scores within 1e-4).
cross=""
if [[ " $engines " == *" managed "* && " $engines " == *" torchsharp "* ]]; then
  a=$(./roberta-zh evaluate --model "$out/torchsharp" --data "$data/dev.tsv" --json --engine managed | metric Accuracy %.2f 100)
  b=$(./roberta-zh evaluate --model "$out/managed" --data "$data/dev.tsv" --json --engine torchsharp | metric Accuracy %.2f 100)
  cross="TorchSharp-trained model on the managed engine: ${a}%; managed-trained model on TorchSharp: ${b}%"
  echo "$cross"
fi

echo
echo "| engine | dev accuracy (ML.NET) | AUC | F1 | training seconds per epoch | wall seconds (train + 2 validations) | load after |"
echo "|---|---:|---:|---:|---:|---:|---|"
for engine in $engines; do
  echo "| $engine | ${acc[$engine]}% | ${auc[$engine]} | ${f1[$engine]} | ${epochs[$engine]} | ${wall[$engine]} | ${load[$engine]} |"
done
[ -n "$cross" ] && echo && echo "$cross"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
