#!/usr/bin/env bash
# Compares `roberta-zh segment` with jieba 0.42.1 on the lines written by eval/reference/make_segmentation_cases.py,
# in each mode, line by line. Prints the lines compared and the mismatches per mode (with the first few), and exits
# non-zero when any mode has a mismatch.
#   ./build.sh && /usr/bin/python3 eval/reference/make_segmentation_cases.py && eval/compare_segmenter.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="$root/../shared/data/jieba"
cases="$root/eval/out/segmentation"
[ -f "$cases/lines.txt" ] || { echo "compare_segmenter: run eval/reference/make_segmentation_cases.py first" >&2; exit 1; }
status=0
for mode in default no_hmm cut_all search search_no_hmm user_default user_search; do
  case "$mode" in
    default) flags=() ;;
    no_hmm) flags=(--no-hmm) ;;
    cut_all) flags=(--cut-all) ;;
    search) flags=(--search) ;;
    search_no_hmm) flags=(--search --no-hmm) ;;
    user_default) flags=(--user-dict "$cases/user_dict.txt") ;;
    user_search) flags=(--search --user-dict "$cases/user_dict.txt") ;;
  esac
  "$root/roberta-zh" segment --dict "$data/dict.txt" --hmm "$data/hmm_model.json" "${flags[@]}" \
    < "$cases/lines.txt" > "$cases/actual.$mode.jsonl"
  python3 - "$mode" "$cases/lines.txt" "$cases/expected.$mode.jsonl" "$cases/actual.$mode.jsonl" <<'PY' || status=1
import sys
mode, lines, expected, actual = sys.argv[1:]
read = lambda p: open(p, 'rb').read().split(b'\n')[:-1]
lines, expected, actual = read(lines), read(expected), read(actual)
bad = [i for i in range(max(len(expected), len(actual)))
       if i >= len(expected) or i >= len(actual) or expected[i] != actual[i]]
print('%-14s lines %6d  mismatches %d' % (mode, len(expected), len(bad)))
for i in bad[:3]:
    show = lambda a: a[i].decode('utf-8', 'replace') if i < len(a) else '<missing>'
    print('  line %d: %r\n    jieba: %s\n    ours:  %s' % (i + 1, show(lines), show(expected), show(actual)))
sys.exit(1 if bad else 0)
PY
done
exit $status
