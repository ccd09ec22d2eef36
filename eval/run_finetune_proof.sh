#!/usr/bin/env bash
# Issue 5's measured runs: the tiny architecture fine-tuned from scratch and from the tiny model pretrained by
# `./roberta-zh pretrain` (eval/README.md "Pretraining run"), on ChnSentiCorp, book_review (train.tsv → dev.tsv) and
# OCNLI (train.10k.json split 9:1 by line), same settings for both starts; then a sweep on the small ChnSentiCorp slice.
#   eval/run_finetune_proof.sh PRETRAINED_MODEL_DIR [OUT_DIR]
# Needs ../shared/data and a Release build. Prints each run's per-epoch validation metrics and final dev metrics.
set -euo pipefail
cd "$(dirname "$0")/.."
pretrained="${1:?usage: eval/run_finetune_proof.sh PRETRAINED_MODEL_DIR [OUT_DIR]}"
out="${2:-eval/out/finetune}"
data=../shared/data
mkdir -p "$out"
./roberta-zh init-model --architecture tiny --vocab "$data/vocab/google_zh_vocab.txt" --output "$out/scratch-tiny" --seed 7
# OCNLI has no dev split here: every 10th line of train.10k.json is held out.
awk 'NR % 10 != 0' "$data/datasets/ocnli/train.10k.json" > "$out/ocnli-train.json"
awk 'NR % 10 == 0' "$data/datasets/ocnli/train.10k.json" > "$out/ocnli-dev.json"
run() { # name train dev start
  local name=$1 train=$2 dev=$3 start=$4
  echo "=== $name"
  local t0=$SECONDS
  ./roberta-zh train --train "$train" --validation "$dev" --model "$start" --output "$out/$name" \
      --epochs 3 --batch-size 32 --learning-rate 3e-4 --max-seq-length 128 --seed 7 2>&1 | grep -v '^step' | tail -8
  echo "wall seconds: $((SECONDS - t0))"
  ./roberta-zh evaluate --model "$out/$name" --data "$dev" --json
}
for task in chnsenticorp book_review; do
  run "$task-scratch" "$data/datasets/$task/train.tsv" "$data/datasets/$task/dev.tsv" "$out/scratch-tiny"
  run "$task-pretrained" "$data/datasets/$task/train.tsv" "$data/datasets/$task/dev.tsv" "$pretrained"
done
run ocnli-scratch "$out/ocnli-train.json" "$out/ocnli-dev.json" "$out/scratch-tiny"
run ocnli-pretrained "$out/ocnli-train.json" "$out/ocnli-dev.json" "$pretrained"
echo "=== sweep (small ChnSentiCorp slice, UER grid, from the pretrained tiny model)"
./roberta-zh sweep --train "$data/datasets/small/chnsenticorp/train.tsv" --validation "$data/datasets/small/chnsenticorp/dev.tsv" \
    --model "$pretrained" --output "$out/sweep" 2>&1 | grep -v '^step' | tail -30
