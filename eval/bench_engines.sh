#!/usr/bin/env bash
# Engine comparison: the managed engine (fp32, and its dynamic int8 inference), the TorchSharp engine (libtorch 2.10) and
# Debian's PyTorch 1.13 (OpenBLAS), interleaved in fresh processes (so each peak RSS is its own), same shapes and inputs,
# 2 threads, sequence length 128: forward (batch 32), classification training step (batch 16), MLM training step
# (batch 16), and on request (--modes classify) a 2-label classifier's logits (batch 32: the managed engine runs the last
# layer for the first tokens only, libtorch the whole pass as Hugging Face does), sequences/s and peak RSS; then each engine's matrix-multiply probe (BERT-base shapes and 1024³; A·B, A·Bᵀ,
# Aᵀ·B). Prints markdown tables.
#   eval/bench_engines.sh [--quick] [--sizes "tiny mini small medium base"] [--modes "forward train mlm"]
#                         [--sides "pytorch managed torchsharp"] [--lengths full|random] [--rounds 2] [--repeats 5]
#                         [--warmup 2] [--no-matmul]
# --sides: any of pytorch, torchsharp, managed, managed-int8 (dynamic int8 inference), managed-packed and
#   managed-int8-packed (padding skipped, BertModel.PackPaddedSequences); int8 and packed sides run forward and classify
#   only; pytorch does not run classify. Ratios
#   are against torchsharp when it is a side, else pytorch.
# --lengths random: serving batches, each sequence's length uniform in [seq/4, seq] and right-padded (pytorch: full only).
# --quick: a smoke run (tiny only, one round, 2 repeats) that checks the whole pipeline in about a minute.
# Needs: apt-get install python3-torch libopenblas0-pthread for the pytorch side (eval/README.md, "Engines").
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="tiny mini small medium base"; modes="forward train mlm"; rounds=2; repeats=5; warmup=2; matmul=1
sides="pytorch managed torchsharp"; lengths=full
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) sizes="tiny"; rounds=1; repeats=2; warmup=1; shift ;;
    --sizes) sizes="$2"; shift 2 ;;
    --modes) modes="$2"; shift 2 ;;
    --sides) sides="$2"; shift 2 ;;
    --lengths) lengths="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --no-matmul) matmul=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
read -r -a side_list <<<"$sides"
if [[ " $sides " == *" pytorch "* ]] && ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "PyTorch is missing: apt-get install python3-torch libopenblas0-pthread (or leave pytorch out of --sides)" >&2; exit 1
fi

# benchmarking.md: Debian's OpenBLAS 0.3.21 may not recognise the CPU and fall back to Prescott (SSE3) kernels, 4-5x
# slower. Pick the kernel from the CPU's features (unless OPENBLAS_CORETYPE is set) and print the one OpenBLAS reports.
flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
coretype=${OPENBLAS_CORETYPE:-}
if [ -z "$coretype" ]; then
  if grep -qw avx512f <<<"$flags"; then coretype=SkylakeX; elif grep -qw avx2 <<<"$flags"; then coretype=Haswell; fi
fi
# The tuned environment of benchmarking.md, for every side: OpenBLAS threads and kernel, no mmap churn for large
# activations, OpenMP threads that sleep instead of spinning (libtorch's libgomp spins otherwise, badly on a busy machine).
tuned=(env OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000 OMP_WAIT_POLICY=PASSIVE DOTNET_gcServer=0)
[ -n "$coretype" ] && tuned+=(OPENBLAS_CORETYPE="$coretype")
kernel=""
[[ " $sides " == *" pytorch "* ]] && kernel=$("${tuned[@]}" OPENBLAS_VERBOSE=2 /usr/bin/python3 -c "import torch" 2>&1 | sed -n 's/^Core: //p' | head -1)

dotnet build eval/Microsoft.ML.RobertaZh.EngineBench -c Release -v q -nologo >/dev/null
csharp=(dotnet eval/Microsoft.ML.RobertaZh.EngineBench/bin/Release/net10.0/Microsoft.ML.RobertaZh.EngineBench.dll)
python=(/usr/bin/python3 eval/reference/bench_engine_torch.py)
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "# CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; AVX-512: $(grep -qw avx512f <<<"$flags" && echo yes || echo no); OPENBLAS_CORETYPE=${coretype:-unset}; OpenBLAS kernel: ${kernel:-not used}"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg); sizes: $sizes; modes: $modes; sides: $sides; lengths: $lengths; rounds $rounds, repeats $repeats, warm-up $warmup steps (and at least 2 s in the .NET processes)"

run_side() { # side, mode, then the benchmark's arguments
  local side=$1 mode=$2; shift 2
  local extra=(--warmup "$warmup" --repeats "$repeats")
  case "$side" in
    pytorch) "${tuned[@]}" "${python[@]}" "$@" "${extra[@]}" ;;
    torchsharp) "${tuned[@]}" "${csharp[@]}" "$@" --engine torchsharp "${extra[@]}" ;;
    managed*)
      [[ "$side" == *int8* ]] && extra+=(--precision int8)
      [[ "$side" == *packed* ]] && extra+=(--pack)
      "${tuned[@]}" "${csharp[@]}" "$@" --engine managed "${extra[@]}" ;;
  esac
}
applies() { # side mode: whether the side runs this mode with these lengths
  case "$1" in
    managed-*) [ "$2" = forward ] || [ "$2" = classify ] ;;
    pytorch) [ "$lengths" = full ] && [ "$2" != classify ] ;;
    *) true ;;
  esac
}

probe() {
  [ "$matmul" = 1 ] || return 0
  for s in "${side_list[@]}"; do
    case "$s" in pytorch|torchsharp|managed) run_side "$s" probe matmul >>"$out" ;; esac
  done
}
probe
for size in $sizes; do
  for mode in $modes; do
    run=()
    for s in "${side_list[@]}"; do applies "$s" "$mode" && run+=("$s"); done
    echo "{\"load\": $(cut -d' ' -f1 /proc/loadavg), \"size\": \"$size\", \"mode\": \"$mode\"}" >>"$out"
    for ((r = 0; r < rounds; r++)); do
      # Rotate the order every round, so no side always runs first (or last) on a machine that drifts.
      for ((i = 0; i < ${#run[@]}; i++)); do
        side=${run[(i + r) % ${#run[@]}]}
        if [ "$side" = pytorch ]; then
          run_side "$side" "$mode" model --size "$size" --mode "$mode" >>"$out"
        else
          run_side "$side" "$mode" model --size "$size" --mode "$mode" --lengths "$lengths" >>"$out"
        fi
      done
    done
    echo "# done: $size $mode (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  done
done
probe
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

/usr/bin/python3 - "$out" "$sides" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
sides = sys.argv[2].split()
loads = {(r["size"], r["mode"]): r["load"] for r in rows if "load" in r}
models = [r for r in rows if "mode" in r and "side" in r]
order = []
for r in models:
    if (r["size"], r["mode"]) not in order: order.append((r["size"], r["mode"]))
base = "torchsharp" if "torchsharp" in sides else ("pytorch" if "pytorch" in sides else None)
label = {"pytorch": "PyTorch 1.13", "torchsharp": "TorchSharp", "managed": "managed", "managed-int8": "managed int8",
         "managed-packed": "managed packed", "managed-int8-packed": "managed int8 packed"}
name = lambda s: label.get(s, s)
others = [s for s in sides if s != base] if base else []
# Our own int8 against our fp32 (same lengths, same packing), when both are sides.
pairs = [(q, f) for q, f in (("managed-int8", "managed"), ("managed-int8-packed", "managed-packed")) if q in sides and f in sides]
def pick(k, side): return [r for r in models if (r["size"], r["mode"]) == k and r["side"] == side]
def med(rs): return statistics.median(r["median"] for r in rs) if rs else None
def spread(rs): return f'{min(r["min"] for r in rs):.1f}–{max(r["max"] for r in rs):.1f}' if rs else ""
def peak(rs): return f'{max(r["peak_rss_mb"] for r in rs):.0f}' if rs else "–"
print()
print("sequences/s: median of the rounds' medians (range of all timings); ratios against " + (name(base) + (" (libtorch 2.10)" if base == "torchsharp" else "") if base else "nothing")
      + "; peak RSS MiB of each process; load = 1-minute load average when the row started.")
print()
print("| size | mode | batch | load | " + " | ".join(f"{name(s)} seq/s" for s in sides) + "".join(f" | {name(s)} / {name(base)}" for s in others)
      + "".join(f" | {name(q)} / {name(f)}" for q, f in pairs) + " | peak MiB " + " / ".join(name(s) for s in sides) + " |")
print("|---|---|---|---|" + "---|" * (len(sides) + len(others) + len(pairs) + 1))
for k in order:
    picked = {s: pick(k, s) for s in sides}
    batch = next(rs[0]["batch"] for rs in picked.values() if rs)
    cells = [f"{med(rs):.1f} ({spread(rs)})" if rs else "–" for rs in picked.values()]
    ratios = [f"**{med(picked[s]) / med(picked[base]):.2f}**" if picked[s] and picked[base] else "–" for s in others]
    ratios += [f"{med(picked[q]) / med(picked[f]):.2f}" if picked[q] and picked[f] else "–" for q, f in pairs]
    print(f"| {k[0]} | {k[1]} | {batch} | {loads.get(k, float('nan')):.1f} | " + " | ".join(cells) + "".join(f" | {x}" for x in ratios)
          + " | " + " / ".join(peak(rs) for rs in picked.values()) + " |")
probes = [r for r in rows if "form" in r]
if probes:
    print()
    psides = [s for s in ("pytorch", "managed", "torchsharp") if any(r["side"] == s for r in probes)]
    plabel = {"pytorch": "PyTorch 1.13 (OpenBLAS)", "managed": "managed", "torchsharp": "TorchSharp (libtorch)"}
    print("| product (M×K×N) | form | " + " | ".join(f"{plabel[s]} GFLOP/s" for s in psides) + " |")
    print("|---|---|" + "---|" * len(psides))
    keys = []
    for r in probes:
        if (r["shape"], r["form"]) not in keys: keys.append((r["shape"], r["form"]))
    for key in keys:
        cell = lambda side: " / ".join(f'{r["gflops"]:.0f}' for r in probes if (r["shape"], r["form"]) == key and r["side"] == side) or "–"
        print(f"| {key[0]} | {key[1]} | " + " | ".join(cell(s) for s in psides) + " |")
    print("\n(each probe cell: before / after the model rows)")
PY
