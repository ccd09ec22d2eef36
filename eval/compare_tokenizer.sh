#!/usr/bin/env bash
# Compares `roberta-zh tokenize` with Hugging Face's tokenizers (the Rust engine of BertTokenizerFast) on >14,000 lines
# (reviews, news, OCNLI pairs and systematic variants), without and with truncation, and with transformers.js on ids.
# Needs node, ../shared/data and a Release build (./build.sh). Installs the npm references on first use.
# Also runs ours with Google BERT's CJK ranges (--cjk-ranges google), which must differ only on lines holding U+2B820..U+2B91F.
# usage: eval/compare_tokenizer.sh            exit status 0 when there is no mismatch
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$repo/eval/out/tokenizer"
js="$repo/eval/reference/tokenizer-js"
vocab="$repo/../shared/data/vocab/google_zh_vocab.txt"
[ -f "$vocab" ] || { echo "compare_tokenizer: $vocab is absent" >&2; exit 2; }
[ -d "$js/node_modules/tokenizers" ] || (cd "$js" && npm ci --no-audit --no-fund --ignore-scripts >&2)
node "$repo/eval/reference/make_tokenizer_cases.mjs" --out "$out"
cli=("$repo/roberta-zh" tokenize --vocab "$vocab" --config "$out/tokenizer/tokenizer_config.json")
status=0
"${cli[@]}" < "$out/cases.txt" > "$out/ours.jsonl"
node "$repo/eval/reference/compare_tokenizer.mjs" "$out/cases.txt" "$out/expected.jsonl" "$out/ours.jsonl" "$out/cases.tags.txt" || status=1
echo "with --cjk-ranges google (Google BERT's CJK Extension E start):"
"${cli[@]}" --cjk-ranges google < "$out/cases.txt" > "$out/ours-google.jsonl"
node "$repo/eval/reference/compare_tokenizer.mjs" "$out/cases.txt" "$out/expected.jsonl" "$out/ours-google.jsonl" "$out/cases.tags.txt" --ext-e-known || status=1
mkdir -p "$out/run"
for f in "$out"/trunc-*.txt; do
  name="$(basename "$f" .txt)"; strategy="$(echo "$name" | cut -d- -f2)"; max="${name##*-}"; ok="$out/run/$name"
  # run only the lines the reference accepts (the CLI stops at the first impossible truncation, as HF raises)
  paste -d '\n' "$f" "$out/$name.jsonl" | awk 'NR%2==1{t=$0; next} $0 !~ /^\{"error"/ {print t > "'"$ok.txt"'"; print > "'"$ok.jsonl"'"}'
  "${cli[@]}" --max-length "$max" --truncation "$strategy" < "$ok.txt" > "$ok.ours.jsonl"
  node "$repo/eval/reference/compare_tokenizer.mjs" "$ok.txt" "$ok.jsonl" "$ok.ours.jsonl" || status=1
  rejected=$(grep -c '^{"error"' "$out/$name.jsonl" || true)
  echo "  ($rejected lines rejected by the reference; unit tests cover the error)"
done
echo "transformers.js (pure JS, @huggingface/transformers) vs ours, ids and type ids:"
node "$repo/eval/reference/compare_tokenizer.mjs" "$out/cases.txt" "$out/transformers-js.jsonl" "$out/ours.jsonl" "$out/cases.tags.txt" --fields input_ids,token_type_ids || true
echo "transformers.js vs HF tokenizers (Rust), ids and type ids:"
node "$repo/eval/reference/compare_tokenizer.mjs" "$out/cases.txt" "$out/transformers-js.jsonl" "$out/expected.jsonl" "$out/cases.tags.txt" --fields input_ids,token_type_ids || true
exit $status
