#!/usr/bin/env bash
# Compares our Gemm with torch.mm (OpenBLAS sgemm) on the base model's GEMM shapes, both on 2 threads by default.
# Both benchmarks run as servers and are interleaved case by case (ours, torch, torch, ours, ...) so background
# load hits both alike; each answer is the median of --repeats timings after warm-up, and the table shows the
# median over ROUNDS rounds (and the best round, since noise from other processes only ever slows things down).
#   usage: [KERNEL=auto|avx512|avx2|portable] [THREADS=2|1] eval/bench_gemm.sh [ROUNDS=3] [REPEATS=5]
# THREADS=1 runs every case single-threaded on both sides (a per-core comparison, less disturbed by other load).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
REPEATS=${2:-5}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build eval/Microsoft.ML.RobertaZh.Benchmarks -c Release -v q -nologo >/dev/null
OURS=eval/Microsoft.ML.RobertaZh.Benchmarks/bin/Release/net10.0/Microsoft.ML.RobertaZh.Benchmarks

KERNEL=${KERNEL:-auto} THREADS=${THREADS:-2} ROUNDS=$ROUNDS REPEATS=$REPEATS OURS=$OURS python3 - <<'PY'
import os, statistics, subprocess, sys, time

rounds, repeats, threads = int(os.environ["ROUNDS"]), os.environ["REPEATS"], os.environ["THREADS"]
torch_env = dict(os.environ, OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads, MALLOC_MMAP_MAX_="0",
                 MALLOC_TRIM_THRESHOLD_="100000000000", OMP_WAIT_POLICY="PASSIVE")
torch_cmd = ["/usr/bin/python3", "eval/reference/bench_matmul.py", "--threads", threads, "--warmup", "1", "--repeats", repeats]
ours_cmd = [os.environ["OURS"], "gemm", "--serve", "--warmup", "1", "--repeats", repeats, "--kernel", os.environ["KERNEL"]] + (["--serial"] if threads == "1" else [])
names = subprocess.run(torch_cmd + ["--list"], env=torch_env, check=True, capture_output=True, text=True).stdout.split()
sides = {
    "ours": subprocess.Popen(ours_cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True),
    "torch": subprocess.Popen(torch_cmd + ["--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=torch_env),
}

def ask(side, case):
    proc = sides[side]
    proc.stdin.write(case + "\n")
    proc.stdin.flush()
    line = proc.stdout.readline().rstrip("\n").split("\t")
    if line[0] != "RESULT":
        sys.exit(f"{side}: unexpected answer {line}")
    # Let the other side's idle worker threads (OpenBLAS spins for a while after a call) go to sleep.
    time.sleep(0.3)
    return float(line[2])

results = {(s, c): [] for s in sides for c in names}
for r in range(rounds):
    for i, case in enumerate(names):
        order = ["ours", "torch"] if (r + i) % 2 == 0 else ["torch", "ours"]
        for side in order:
            results[(side, case)].append(ask(side, case))
    print(f"round {r + 1}/{rounds} done", file=sys.stderr)
for proc in sides.values():
    proc.stdin.write("\n")
    proc.stdin.close()
    proc.wait()

print(f"GFLOP/s, M×K×N = (M,K)·(K,N); ABt: B stored (N,K) as nn.Linear weights; AtB: A stored (K,M).")
print(f"ours: {os.environ['KERNEL']} kernel; {threads} thread(s) per side; median of {rounds} rounds (each the median of {repeats} timings); best round in parentheses; ':t1' = 1 thread.")
print()
print("| case | ours | torch.mm (OpenBLAS) | ours / OpenBLAS |")
print("|---|---:|---:|---:|")
for case in names:
    o, t = results[("ours", case)], results[("torch", case)]
    om, tm = statistics.median(o), statistics.median(t)
    print(f"| {case} | {om:.1f} ({max(o):.1f}) | {tm:.1f} ({max(t):.1f}) | {om / tm:.2f} ({max(o) / max(t):.2f}) |")
PY
