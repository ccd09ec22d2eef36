#!/usr/bin/env bash
# Encoder throughput and peak memory, C# engine vs PyTorch 1.13 CPU, side by side in one run.
# For each UER size and mode the two sides run alternately in fresh processes (so each peak RSS is its own),
# --rounds times; the table shows medians of the per-run medians and the ratio C#/PyTorch.
#   eval/bench_model.sh [--sizes "tiny mini small medium base"] [--modes "forward train"] [--rounds 2] [--repeats 5]
# Needs: ./build.sh, and apt-get install python3-torch libopenblas0-pthread.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="tiny mini small medium base"; modes="forward train"; rounds=2; repeats=5
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --modes) modes="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
dotnet build eval/Microsoft.ML.RobertaZh.Benchmarks -c Release -v q -nologo >/dev/null
bench="dotnet eval/Microsoft.ML.RobertaZh.Benchmarks/bin/Release/net10.0/Microsoft.ML.RobertaZh.Benchmarks.dll"
out=$(mktemp)
# benchmarking.md: tuned PyTorch (OpenBLAS threads, no mmap churn, passive OpenMP waits), 2 threads on both sides.
torch_env=(env OPENBLAS_NUM_THREADS=2 MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000 OMP_WAIT_POLICY=PASSIVE)
for size in $sizes; do
  for mode in $modes; do
    for ((r = 0; r < rounds; r++)); do
      "${torch_env[@]}" /usr/bin/python3 eval/reference/bench_model.py --size "$size" --mode "$mode" --repeats "$repeats" >>"$out"
      DOTNET_gcServer=0 $bench model --size "$size" --mode "$mode" --repeats "$repeats" >>"$out"
    done
    echo "done: $size $mode" >&2
  done
done
/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
key = lambda r: (r["size"], r["mode"])
order = []
for r in rows:
    if key(r) not in order: order.append(key(r))
print(f"| size | mode | batch | PyTorch seq/s | C# seq/s | ratio C#/PyTorch | PyTorch peak MiB | C# peak MiB |")
print("|---|---|---|---|---|---|---|---|")
for k in order:
    t = [r for r in rows if key(r) == k and r["side"] == "pytorch"]
    c = [r for r in rows if key(r) == k and r["side"] == "csharp"]
    tm = statistics.median(r["median"] for r in t); cm = statistics.median(r["median"] for r in c)
    tp = max(r["peak_rss_mb"] for r in t); cp = max(r["peak_rss_mb"] for r in c)
    spread = lambda rs: f'{min(r["min"] for r in rs):.1f}–{max(r["max"] for r in rs):.1f}'
    print(f"| {k[0]} | {k[1]} | {t[0]['batch']} | {tm:.1f} ({spread(t)}) | {cm:.1f} ({spread(c)}) | {cm / tm:.2f} | {tp:.0f} | {cp:.0f} |")
PY
rm -f "$out"
