#!/usr/bin/env bash
# Encoder throughput and peak memory: our managed engine against libtorch 2.10 (through TorchSharp) and PyTorch 1.13,
# side by side in one run. For each UER size and mode the sides run alternately in fresh processes (so each peak RSS
# is its own), --rounds times; the table shows medians of the per-run medians, the ranges, and the ratios.
#   [LIBTORCH_MODEL="command"] [PYTORCH=0] [VARIANTS="fp32 int8"] eval/bench_model.sh [--sizes "tiny mini small medium base"]
#       [--modes "forward train mlm"] [--rounds 2] [--repeats 5]
# Modes: forward = inference, batch 32; train = classification training step, batch 16; mlm = masked-LM training step,
# batch 16 (15% of positions). LIBTORCH_MODEL: a command taking "--size S --mode M --repeats N" and printing the same
# JSON line (side "libtorch"); unset leaves that column out. PyTorch 1.13 (Debian's python3-torch with OpenBLAS) runs
# forward and train only; PYTORCH=0 leaves it out. Extra environment for our side: OURS_ENV="VAR=value ...".
# VARIANTS: our inference precisions to run (fp32, int8, unfused = the pre-fusion encoder); training modes run fp32 only.
# OURS_ARGS: extra arguments for our side only (e.g. "--lengths random --pack": padded batches, padding skipped).
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
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  if grep -q avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX; else export OPENBLAS_CORETYPE=Haswell; fi
fi
# benchmarking.md: tuned PyTorch / libtorch (thread counts, no mmap churn, passive OpenMP waits), 2 threads everywhere.
tuned=(env OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000 OMP_WAIT_POLICY=PASSIVE)
for size in $sizes; do
  for mode in $modes; do
    for ((r = 0; r < rounds; r++)); do
      echo "{\"load\": $(cut -d' ' -f1 /proc/loadavg), \"size\": \"$size\", \"mode\": \"$mode\"}" >>"$out"
      if [ "${PYTORCH:-1}" != 0 ] && [ "$mode" != mlm ]; then
        "${tuned[@]}" /usr/bin/python3 eval/reference/bench_model.py --size "$size" --mode "$mode" --repeats "$repeats" >>"$out"
      fi
      if [ -n "${LIBTORCH_MODEL:-}" ]; then
        "${tuned[@]}" $LIBTORCH_MODEL --size "$size" --mode "$mode" --repeats "$repeats" >>"$out"
      fi
      for variant in ${VARIANTS:-fp32}; do
        if [ "$mode" != forward ] && [ "$variant" != fp32 ]; then continue; fi
        env DOTNET_gcServer=0 ${OURS_ENV:-} $bench model --size "$size" --mode "$mode" --repeats "$repeats" --precision "$variant" ${OURS_ARGS:-} >>"$out"
      done
    done
    echo "done: $size $mode" >&2
  done
done
/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
loads = [r["load"] for r in rows if "load" in r]
rows = [r for r in rows if "side" in r]
key = lambda r: (r["size"], r["mode"])
order = []
for r in rows:
    if key(r) not in order: order.append(key(r))
sides = []
for r in rows:
    if r["side"] not in sides: sides.append(r["side"])
sides.sort(key=lambda s: (not s.startswith("csharp"), s))
name = lambda s: {"csharp": "ours", "libtorch": "libtorch 2.10", "pytorch": "PyTorch 1.13"}.get(s, s.replace("csharp-", "ours "))
ours = [s for s in sides if s.startswith("csharp")]
base = "libtorch" if "libtorch" in sides else ("pytorch" if "pytorch" in sides else None)
print(f"sequences/s: median of per-run medians (range of all timings); peak RSS MiB; load average at run starts {min(loads):.2f}–{max(loads):.2f}")
print()
ratios = [s for s in ours if base]
print("| size | mode | batch | " + " | ".join(f"{name(s)} seq/s" for s in sides) + "".join(f" | {name(s)} / {name(base)}" for s in ratios)
      + " | " + " | ".join(f"{name(s)} MiB" for s in sides) + " |")
print("|---|---|---|" + "---|" * (2 * len(sides) + len(ratios)))
for k in order:
    med, spread, peak = {}, {}, {}
    for s in sides:
        rs = [r for r in rows if key(r) == k and r["side"] == s]
        if not rs: continue
        med[s] = statistics.median(r["median"] for r in rs)
        spread[s] = f'{min(r["min"] for r in rs):.1f}–{max(r["max"] for r in rs):.1f}'
        peak[s] = max(r["peak_rss_mb"] for r in rs)
    batch = next(r["batch"] for r in rows if key(r) == k)
    cell = lambda s: f"{med[s]:.1f} ({spread[s]})" if s in med else "–"
    ratio = lambda s: f"**{med[s] / med[base]:.2f}**" if s in med and base in med else "–"
    print(f"| {k[0]} | {k[1]} | {batch} | " + " | ".join(cell(s) for s in sides) + "".join(f" | {ratio(s)}" for s in ratios)
          + " | " + " | ".join(f"{peak[s]:.0f}" if s in peak else "–" for s in sides) + " |")
PY
rm -f "$out"
