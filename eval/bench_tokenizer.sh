#!/usr/bin/env bash
# Tokenizer throughput, ours vs the references, on the same real lines (reviews, news, OCNLI pairs: the real part of
# eval/compare_tokenizer.sh's cases); then, single-threaded, our tokenizer through Microsoft.ML.Tokenizers' Tokenizer API
# (RobertaZhTokenizer) vs our direct API and ML.Tokenizers' own BertTokenizer, with each one's mismatches against HF
# on the whole comparison set. Needs node, ../shared/data and a Release build.
# usage: eval/bench_tokenizer.sh [repeats]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$repo/eval/out/tokenizer"
repeats="${1:-5}"
[ -f "$out/cases.txt" ] || node "$repo/eval/reference/make_tokenizer_cases.mjs" --out "$out" >&2
paste "$out/cases.tags.txt" "$out/cases.txt" \
  | awk -F'\t' '$1 ~ /^(book_review|chnsenticorp|news-sentence|news-document|ocnli-pair|review-pair)$/ { sub(/^[^\t]*\t/, ""); print }' \
  > "$out/bench_lines.txt"
echo "$(wc -l < "$out/bench_lines.txt") lines, $(wc -m < "$out/bench_lines.txt") chars" >&2
node "$repo/eval/reference/tokenizer-js/bench_reference.mjs" "$out/tokenizer" "$out/bench_lines.txt" --repeats "$repeats"
dotnet run -c Release --project "$repo/eval/Microsoft.ML.RobertaZh.Benchmarks" -- tokenizer \
  --vocab "$repo/../shared/data/vocab/google_zh_vocab.txt" --input "$out/bench_lines.txt" --repeats "$repeats"
dotnet run -c Release --project "$repo/eval/Microsoft.ML.RobertaZh.Benchmarks" -- tokenizer-api \
  --vocab "$repo/../shared/data/vocab/google_zh_vocab.txt" --input "$out/bench_lines.txt" --repeats "$repeats" \
  --cases "$out/cases.txt" --expected "$out/expected.jsonl"
