#!/usr/bin/env bash
# The fine-tuned classifiers of issue 10's int8 table: tiny and small (UER sizes) trained from scratch on ChnSentiCorp and
# book_review (train.tsv, best epoch on dev.tsv), then fp32 against dynamic int8 on each dev set: accuracy, change,
# share of identical predictions, speed-up (Benchmarks `int8-accuracy`, padded batches of 32 and packed; timed: the
# classifier's logits-only pass, or with --full the whole Forward).
#   eval/run_int8_accuracy.sh [--sizes "tiny small"] [--tasks "chnsenticorp book_review"] [--out eval/out/int8]
#                             [--cli PATH_TO_roberta-zh] [--no-eval] [--eval-only] [--rounds 3] [--epochs N] [--full]
# Settings (fixed, so reruns give the same models): tiny: 3 epochs on ChnSentiCorp, 2 on book_review, batch 32, lr 3e-4;
# small: 2 epochs on both, batch 32, lr 1e-4; warm-up 10%, weight decay 0.01, max length 128, seed 7 (init and training).
# A model whose directory already holds model.safetensors is not trained again. Small is the long part: on 2 cores
# about 30 min (ChnSentiCorp) + 40 min (book_review) when the machine is otherwise idle; run it niced in the background
# (nice -n 15 eval/run_int8_accuracy.sh --no-eval) and evaluate later (eval/perf_tables.sh picks the models up).
# --epochs N: train every model N epochs instead (e.g. 1 for small when 2 cores cannot spare the hour).
# --cli: a roberta-zh launcher other than ./roberta-zh (e.g. a build snapshot, so rebuilding this tree cannot disturb it).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="tiny small"; tasks="chnsenticorp book_review"; out=eval/out/int8; cli=./roberta-zh; evaluate=1; train=1; rounds=3; epochs_override=""; full=""
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --tasks) tasks="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --cli) cli="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --epochs) epochs_override="$2"; shift 2 ;;
    --no-eval) evaluate=0; shift ;;
    --eval-only) train=0; shift ;;
    --full) full=--full; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
data=../shared/data
[ -d "$data/datasets" ] || { echo "../shared/data is missing (ChnSentiCorp and book_review are read from there)" >&2; exit 1; }
mkdir -p "$out"
echo "# $(date -u +%FT%TZ) $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$train" = 1 ]; then
  for size in $sizes; do
    [ -f "$out/scratch-$size/model.safetensors" ] || \
      "$cli" init-model --architecture "$size" --vocab "$data/vocab/google_zh_vocab.txt" --output "$out/scratch-$size" --seed 7
    for task in $tasks; do
      name="$size-$task"
      if [ -f "$out/$name/model.safetensors" ]; then echo "=== $name: already trained"; continue; fi
      case "$size/$task" in
        tiny/chnsenticorp) epochs=3; lr=3e-4 ;;
        tiny/*) epochs=2; lr=3e-4 ;;
        *) epochs=2; lr=1e-4 ;;
      esac
      [ -n "$epochs_override" ] && epochs=$epochs_override
      echo "=== $name: $epochs epochs, batch 32, lr $lr (start $(date -u +%T), load $(cut -d' ' -f1 /proc/loadavg))"
      t0=$SECONDS
      "$cli" train --train "$data/datasets/$task/train.tsv" --validation "$data/datasets/$task/dev.tsv" \
        --model "$out/scratch-$size" --output "$out/$name" --epochs "$epochs" --batch-size 32 --learning-rate "$lr" \
        --max-seq-length 128 --seed 7 >"$out/$name.log" 2>&1
      grep -v '^step' "$out/$name.log" | tail -6
      echo "wall minutes: $(( (SECONDS - t0) / 60 ))"
    done
  done
fi
if [ "$evaluate" = 1 ]; then
  dotnet build eval/Microsoft.ML.RobertaZh.Benchmarks -c Release -v q -nologo >/dev/null
  for size in $sizes; do
    for task in $tasks; do
      for pack in "" --pack; do
        dotnet eval/Microsoft.ML.RobertaZh.Benchmarks/bin/Release/net10.0/Microsoft.ML.RobertaZh.Benchmarks.dll int8-accuracy \
          --model "$out/$size-$task" --data "$data/datasets/$task/dev.tsv" --rounds "$rounds" $pack $full
      done
    done
  done
fi
