#!/usr/bin/env bash
# Compares our Gemm with libtorch 2.10's sgemm (oneMKL, through TorchSharp) and with OpenBLAS's (torch.mm of Debian's
# PyTorch 1.13) on the base model's GEMM shapes, each on 2 threads by default.
# Every side runs as a server and the driver interleaves them case by case (rotating the order), so background load
# hits all alike; each answer is the median of REPEATS timings after warm-up; the table shows the median over ROUNDS
# rounds and the spread over rounds, (max − min) / median and (from 4 rounds) the interquartile range / median, for
# each side, then how many cases ours is at least as fast and no more spread than each other side.
#   usage: [KERNEL=auto|avx512|avx2|portable] [THREADS=2|1] [LIBTORCH_GEMM="command"] [CASES="substring ..."]
#          eval/bench_gemm.sh [ROUNDS=3] [REPEATS=5]
# CASES keeps only the cases whose name contains one of the substrings (e.g. CASES="1024x1024x1024 :t1").
# LIBTORCH_GEMM: a command serving the same protocol (case names on stdin, "RESULT<TAB>name<TAB>GFLOP/s" on stdout)
#   through libtorch; empty or unset leaves the libtorch column out. OPENBLAS=0 leaves the OpenBLAS column out.
# OPENBLAS_CORETYPE defaults to SkylakeX on AVX-512 CPUs and Haswell on AVX2 ones (docs/benchmarking.md: Debian's
# OpenBLAS 0.3.21 otherwise falls back to its SSE3 kernels on some current CPUs).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
REPEATS=${2:-5}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build eval/Microsoft.ML.RobertaZh.Benchmarks -c Release -v q -nologo >/dev/null
OURS=eval/Microsoft.ML.RobertaZh.Benchmarks/bin/Release/net10.0/Microsoft.ML.RobertaZh.Benchmarks
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  if grep -q avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX; else export OPENBLAS_CORETYPE=Haswell; fi
fi

KERNEL=${KERNEL:-auto} THREADS=${THREADS:-2} ROUNDS=$ROUNDS REPEATS=$REPEATS OURS=$OURS python3 - <<'PY'
import os, shlex, statistics, subprocess, sys, time

rounds, repeats, threads = int(os.environ["ROUNDS"]), os.environ["REPEATS"], os.environ["THREADS"]
tuned = dict(MALLOC_MMAP_MAX_="0", MALLOC_TRIM_THRESHOLD_="100000000000", OMP_WAIT_POLICY="PASSIVE")
torch_env = dict(os.environ, OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads, **tuned)
torch_cmd = ["/usr/bin/python3", "eval/reference/bench_matmul.py", "--threads", threads, "--warmup", "1", "--repeats", repeats]
ours_cmd = [os.environ["OURS"], "gemm", "--serve", "--warmup", "1", "--repeats", repeats, "--kernel", os.environ["KERNEL"]] + (["--serial"] if threads == "1" else [])
names = subprocess.run(torch_cmd + ["--list"], env=torch_env, check=True, capture_output=True, text=True).stdout.split()
if os.environ.get("CASES"):
    names = [n for n in names if any(part in n for part in os.environ["CASES"].split())]
sides = {"ours": subprocess.Popen(ours_cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)}
if os.environ.get("LIBTORCH_GEMM"):
    cmd = shlex.split(os.environ["LIBTORCH_GEMM"]) + ["--threads", threads, "--warmup", "1", "--repeats", repeats]
    sides["libtorch"] = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=dict(os.environ, OMP_NUM_THREADS=threads, **tuned))
if os.environ.get("OPENBLAS", "1") != "0":
    sides["openblas"] = subprocess.Popen(torch_cmd + ["--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=torch_env)

def ask(side, case):
    proc = sides[side]
    proc.stdin.write(case + "\n")
    proc.stdin.flush()
    line = proc.stdout.readline().rstrip("\n").split("\t")
    if line[0] != "RESULT":
        sys.exit(f"{side}: unexpected answer {line}")
    # Let the other sides' idle worker threads (OpenBLAS and OpenMP spin for a while after a call) go to sleep.
    time.sleep(0.3)
    return float(line[2])

# One untimed request per side, one side at a time, before any timing: the sides start together, and a first case
# timed while the others are still importing torch or loading libtorch measures their start-up, not the product.
for side in sides:
    ask(side, names[0])

order = list(sides)
results = {(s, c): [] for s in sides for c in names}
loads = []
for r in range(rounds):
    loads.append(os.getloadavg()[0])
    for i, case in enumerate(names):
        shift = (r + i) % len(order)
        for side in order[shift:] + order[:shift]:
            results[(side, case)].append(ask(side, case))
    print(f"round {r + 1}/{rounds} done (load {loads[-1]:.2f})", file=sys.stderr)
for proc in sides.values():
    proc.stdin.write("\n")
    proc.stdin.close()
    proc.wait()

label = {"ours": "ours", "libtorch": "libtorch 2.10 (oneMKL)", "openblas": f"OpenBLAS ({os.environ['OPENBLAS_CORETYPE']})"}
print(f"GFLOP/s, M×K×N = (M,K)·(K,N); ABt: B stored (N,K) as nn.Linear weights; AtB: A stored (K,M).")
print(f"ours: {os.environ['KERNEL']} kernel; {threads} thread(s) per side; median of {rounds} rounds (each the median of {repeats} timings); "
      f"[spread over rounds: (max−min)/median, and IQR/median from 4 rounds]; ':t1' = 1 thread; load average at round starts {', '.join(f'{l:.2f}' for l in loads)}.")
print()
others = [s for s in sides if s != "ours"]
print("| case | " + " | ".join(label[s] for s in sides) + " | " + " | ".join(f"ours / {s}" for s in others) + " |")
print("|---|" + "---:|" * (len(sides) + len(others)))
spread = lambda xs: (max(xs) - min(xs)) / statistics.median(xs) if statistics.median(xs) > 0 else 0
# The interquartile range over rounds, relative to the median: one slow round (the virtual machine losing time) moves
# (max − min) a lot and this little, so both are printed; with fewer than 4 rounds it is left out.
def iqr(xs):
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return (q[2] - q[0]) / statistics.median(xs) if statistics.median(xs) > 0 else 0
with_iqr = rounds >= 4
narrower = {s: [0, 0] for s in others}
for case in names:
    med = {s: statistics.median(results[(s, case)]) for s in sides}
    cells = [f"{med[s]:.1f} [{100 * spread(results[(s, case)]):.0f}%" + (f", IQR {100 * iqr(results[(s, case)]):.0f}%]" if with_iqr else "]") for s in sides]
    ratios = [f"{med['ours'] / med[s]:.2f}" for s in others]
    print(f"| {case} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    for s in others:
        narrower[s][0] += spread(results[("ours", case)]) <= spread(results[(s, case)])
        if with_iqr: narrower[s][1] += iqr(results[("ours", case)]) <= iqr(results[(s, case)])
print()
for s in others:
    line = f"ours ≥ {label[s]} in {sum(statistics.median(results[('ours', c)]) >= statistics.median(results[(s, c)]) for c in names)} of {len(names)} cases; "
    line += f"spread no wider than its: (max−min) in {narrower[s][0]} of {len(names)}"
    line += f", IQR in {narrower[s][1]} of {len(names)}." if with_iqr else "."
    print(line)
PY
