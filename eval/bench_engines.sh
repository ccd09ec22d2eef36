#!/usr/bin/env bash
# Engine comparison: the managed engine, the TorchSharp engine (libtorch 2.10) and Debian's PyTorch 1.13 (OpenBLAS),
# interleaved in fresh processes (so each peak RSS is its own), same shapes and inputs, 2 threads, sequence length 128:
# forward (batch 32), classification training step (batch 16), MLM training step (batch 16), sequences/s and peak RSS;
# then each engine's matrix-multiply probe (1024^3 and 4096x768x3072; A.B, A.Bt, At.B). Prints markdown tables.
#   eval/bench_engines.sh [--quick] [--sizes "tiny mini small medium base"] [--modes "forward train mlm"]
#                         [--rounds 2] [--repeats 5] [--warmup 2] [--no-matmul]
# --quick: a smoke run (tiny only, one round, 2 repeats) that checks the whole pipeline in about a minute.
# Needs: apt-get install python3-torch libopenblas0-pthread (eval/README.md, "Engines").
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="tiny mini small medium base"; modes="forward train mlm"; rounds=2; repeats=5; warmup=2; matmul=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) sizes="tiny"; rounds=1; repeats=2; warmup=1; shift ;;
    --sizes) sizes="$2"; shift 2 ;;
    --modes) modes="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --no-matmul) matmul=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "PyTorch is missing: apt-get install python3-torch libopenblas0-pthread" >&2; exit 1
fi

# benchmarking.md: Debian's OpenBLAS 0.3.21 may not recognise the CPU and fall back to Prescott (SSE3) kernels, 4-5x
# slower. Pick the kernel from the CPU's features and print the one OpenBLAS reports.
flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
coretype=""
if grep -qw avx512f <<<"$flags"; then coretype=SkylakeX; elif grep -qw avx2 <<<"$flags"; then coretype=Haswell; fi
# The tuned environment of benchmarking.md, for every side: OpenBLAS threads and kernel, no mmap churn for large
# activations, OpenMP threads that sleep instead of spinning (libtorch's libgomp spins otherwise, badly on a busy machine).
tuned=(env OPENBLAS_NUM_THREADS=2 MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000 OMP_WAIT_POLICY=PASSIVE DOTNET_gcServer=0)
[ -n "$coretype" ] && tuned+=(OPENBLAS_CORETYPE="$coretype")
kernel=$("${tuned[@]}" OPENBLAS_VERBOSE=2 /usr/bin/python3 -c "import torch" 2>&1 | sed -n 's/^Core: //p' | head -1)

dotnet build eval/Microsoft.ML.RobertaZh.EngineBench -c Release -v q -nologo >/dev/null
csharp=(dotnet eval/Microsoft.ML.RobertaZh.EngineBench/bin/Release/net10.0/Microsoft.ML.RobertaZh.EngineBench.dll)
python=(/usr/bin/python3 eval/reference/bench_engine_torch.py)
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "# CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; AVX-512: $(grep -qw avx512f <<<"$flags" && echo yes || echo no); OPENBLAS_CORETYPE=${coretype:-unset}; OpenBLAS kernel: ${kernel:-unknown}"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg); sizes: $sizes; modes: $modes; rounds $rounds, repeats $repeats, warm-up $warmup"

run_side() { # side, then the benchmark's arguments
  local side=$1; shift
  case "$side" in
    pytorch) "${tuned[@]}" "${python[@]}" "$@" --warmup "$warmup" --repeats "$repeats" ;;
    managed) "${tuned[@]}" "${csharp[@]}" "$@" --engine managed --warmup "$warmup" --repeats "$repeats" ;;
    torchsharp) "${tuned[@]}" "${csharp[@]}" "$@" --engine torchsharp --warmup "$warmup" --repeats "$repeats" ;;
  esac
}

sides=(pytorch managed torchsharp)
probe() { [ "$matmul" = 1 ] && for s in "${sides[@]}"; do run_side "$s" matmul >>"$out"; done; return 0; }
probe
for size in $sizes; do
  for mode in $modes; do
    for ((r = 0; r < rounds; r++)); do
      # Rotate the order every round, so no side always runs first (or last) on a machine that drifts.
      for ((i = 0; i < 3; i++)); do
        run_side "${sides[(i + r) % 3]}" model --size "$size" --mode "$mode" >>"$out"
      done
    done
    echo "# done: $size $mode (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  done
done
probe
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
models = [r for r in rows if "mode" in r]
order = []
for r in models:
    if (r["size"], r["mode"]) not in order: order.append((r["size"], r["mode"]))
def pick(k, side): return [r for r in models if (r["size"], r["mode"]) == k and r["side"] == side]
def med(rs): return statistics.median(r["median"] for r in rs) if rs else float("nan")
def spread(rs): return f'{min(r["min"] for r in rs):.1f}–{max(r["max"] for r in rs):.1f}' if rs else "–"
def peak(rs): return f'{max(r["peak_rss_mb"] for r in rs):.0f}' if rs else "–"
print()
print("| size | mode | batch | PyTorch 1.13 seq/s | managed seq/s | TorchSharp seq/s | managed / PyTorch | TorchSharp / PyTorch | TorchSharp / managed | peak MiB PyTorch / managed / TorchSharp |")
print("|---|---|---|---|---|---|---|---|---|---|")
for k in order:
    p, m, t = pick(k, "pytorch"), pick(k, "managed"), pick(k, "torchsharp")
    mp, mm, mt = med(p), med(m), med(t)
    batch = (p or m or t)[0]["batch"]
    print(f"| {k[0]} | {k[1]} | {batch} | {mp:.1f} ({spread(p)}) | {mm:.1f} ({spread(m)}) | {mt:.1f} ({spread(t)}) | "
          f"{mm / mp:.2f} | {mt / mp:.2f} | {mt / mm:.2f} | {peak(p)} / {peak(m)} / {peak(t)} |")
probes = [r for r in rows if "form" in r]
if probes:
    print()
    print("| product (M×K×N) | form | PyTorch 1.13 (OpenBLAS) GFLOP/s | managed GFLOP/s | TorchSharp (libtorch) GFLOP/s |")
    print("|---|---|---|---|---|")
    keys = []
    for r in probes:
        if (r["shape"], r["form"]) not in keys: keys.append((r["shape"], r["form"]))
    for key in keys:
        cell = lambda side: " / ".join(f'{r["gflops"]:.0f}' for r in probes if (r["shape"], r["form"]) == key and r["side"] == side) or "–"
        print(f"| {key[0]} | {key[1]} | {cell('pytorch')} | {cell('managed')} | {cell('torchsharp')} |")
    print("\n(each probe cell: before / after the model rows)")
PY
