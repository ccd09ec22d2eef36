#!/usr/bin/python3
"""Times torch.mm (OpenBLAS sgemm) on the same shapes and forms as `Microsoft.ML.RobertaZh.Benchmarks gemm`.

Shapes are M x K x N: C(M,N) = op(A)(M,K) . op(B)(K,N). Forms: ABt (B stored (N,K), i.e. x @ W.T as in nn.Linear),
AB, AtB (A stored (K,M)). Prints one "RESULT<TAB>name<TAB>GFLOP/s" line per case, names matching the C# side.
Run it with OPENBLAS_NUM_THREADS=2 MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000 OMP_WAIT_POLICY=PASSIVE
(eval/bench_gemm.sh does); the thread count is also forced below, before torch is imported.
"""
import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
import torch  # noqa: E402  (must come after the thread environment is set)

CASES = []
for form in ("ABt", "AB", "AtB"):
    for m, k, n in ((4096, 768, 768), (4096, 768, 3072), (4096, 3072, 768), (1024, 1024, 1024)):
        CASES.append((form, m, k, n, True))
CASES += [("AtB", 768, 4096, 768, True), ("AtB", 3072, 4096, 768, True), ("AtB", 768, 4096, 3072, True)]
CASES += [("ABt", 128, 64, 128, False), ("AB", 128, 128, 64, False)]


def name(form, m, k, n, parallel):
    return f"{form}:{m}x{k}x{n}" + ("" if parallel else ":t1")


def time_case(form, m, k, n, parallel, warmup, repeats, threads):
    torch.set_num_threads(threads if parallel else 1)
    g = torch.Generator().manual_seed(42)
    # Store operands exactly as the C# side does, and let torch.mm see the transposed view (no copy).
    a = torch.rand((k, m) if form == "AtB" else (m, k), generator=g) * 2 - 1
    b = torch.rand((n, k) if form == "ABt" else (k, n), generator=g) * 2 - 1
    a_op = a.t() if form == "AtB" else a
    b_op = b.t() if form == "ABt" else b
    out = torch.empty((m, n))
    inner = max(1, int(2e8 / (2.0 * m * k * n)))
    samples = []
    for r in range(-warmup, repeats):
        start = time.perf_counter()
        for _ in range(inner):
            torch.mm(a_op, b_op, out=out)
        elapsed = (time.perf_counter() - start) / inner
        if r >= 0:
            samples.append(elapsed)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--filter", default=None)
    parser.add_argument("--list", action="store_true", help="print the case names and exit")
    parser.add_argument("--serve", action="store_true",
                        help="read case names from stdin, answer each with a RESULT line (for eval/bench_gemm.sh)")
    args = parser.parse_args()
    if args.list:
        for case in CASES:
            print(name(*case))
        return
    if args.serve:
        by_name = {name(*case): case for case in CASES}
        for line in iter(sys.stdin.readline, ""):
            label = line.strip()
            if not label:
                break
            if label not in by_name:
                print(f"ERROR\tunknown case {label}", flush=True)
                continue
            form, m, k, n, parallel = by_name[label]
            seconds = time_case(form, m, k, n, parallel, args.warmup, args.repeats, args.threads)
            print(f"RESULT\t{label}\t{2.0 * m * k * n / seconds / 1e9:.2f}", flush=True)
        return
    print(f"# torch {torch.__version__} torch.mm, {args.threads} threads, warm-up {args.warmup}, median of {args.repeats}")
    print(f"{'form':<5} {'M':>6} {'K':>6} {'N':>6} {'threads':>7} {'ms':>9} {'GFLOP/s':>9}")
    for form, m, k, n, parallel in CASES:
        label = name(form, m, k, n, parallel)
        if args.filter and args.filter.lower() not in label.lower():
            continue
        seconds = time_case(form, m, k, n, parallel, args.warmup, args.repeats, args.threads)
        gflops = 2.0 * m * k * n / seconds / 1e9
        threads = str(args.threads) if parallel else "1"
        print(f"{form:<5} {m:>6} {k:>6} {n:>6} {threads:>7} {seconds * 1e3:>9.2f} {gflops:>9.1f}")
        print(f"RESULT\t{label}\t{gflops:.2f}", flush=True)


if __name__ == "__main__":
    main()
