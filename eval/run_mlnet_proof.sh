#!/usr/bin/env bash
# Issue 8's measurements on the ML.NET pipeline: tiny fine-tuned from scratch (3 epochs, batch 32, lr 3e-4, best
# epoch) on ChnSentiCorp, book_review and OCNLI (train.10k split 9:1 by line), evaluated by ML.NET's evaluators
# (`roberta-zh evaluate --json` prints the metric objects); RobertaEmbedding -> SdcaLogisticRegression on ChnSentiCorp;
# PredictionEngine latency and batched Transform throughput for tiny and base (random weights).
#   eval/run_mlnet_proof.sh [OUT_DIR]        (needs ../shared/data and a Release build: ./build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-eval/out/mlnet}"
data=../shared/data
vocab="$data/vocab/google_zh_vocab.txt"
bench() { dotnet eval/Microsoft.ML.RobertaZh.Benchmarks/bin/Release/net10.0/Microsoft.ML.RobertaZh.Benchmarks.dll "$@"; }
mkdir -p "$out"
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'); load: $(cat /proc/loadavg)"
./roberta-zh init-model --architecture tiny --vocab "$vocab" --output "$out/scratch-tiny" --seed 7
awk 'NR % 10 != 0' "$data/datasets/ocnli/train.10k.json" > "$out/ocnli-train.json"
awk 'NR % 10 == 0' "$data/datasets/ocnli/train.10k.json" > "$out/ocnli-dev.json"
run() { # name train dev
  echo "=== $1 (load $(cut -d' ' -f1-3 /proc/loadavg))"
  local t0=$SECONDS
  ./roberta-zh train --train "$2" --validation "$3" --model "$out/scratch-tiny" --output "$out/$1" \
      --epochs 3 --batch-size 32 --learning-rate 3e-4 --max-seq-length 128 --seed 7 2>&1 | grep -E '^epoch|classifier over'
  echo "wall seconds: $((SECONDS - t0))"
  ./roberta-zh evaluate --model "$out/$1" --data "$3" --json
}
run chnsenticorp "$data/datasets/chnsenticorp/train.tsv" "$data/datasets/chnsenticorp/dev.tsv"
run book_review "$data/datasets/book_review/train.tsv" "$data/datasets/book_review/dev.tsv"
run ocnli "$out/ocnli-train.json" "$out/ocnli-dev.json"
echo "=== RobertaEmbedding -> SdcaLogisticRegression on ChnSentiCorp"
for model in "$out/scratch-tiny" "$out/chnsenticorp"; do
  echo "--- encoder: $model"
  bench embedding --model "$model" --train "$data/datasets/chnsenticorp/train.tsv" --dev "$data/datasets/chnsenticorp/dev.tsv"
done
echo "=== PredictionEngine and Transform (load $(cut -d' ' -f1-3 /proc/loadavg))"
bench pipeline --size tiny --vocab "$vocab" --data "$data/datasets/chnsenticorp/dev.tsv" --rows 1024
bench pipeline --size base --vocab "$vocab" --data "$data/datasets/chnsenticorp/dev.tsv" --rows 256
