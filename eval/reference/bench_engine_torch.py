#!/usr/bin/python3
"""PyTorch 1.13 side of eval/bench_engines.sh: the same model, shapes, inputs and steps as the C# engines
(eval/Microsoft.ML.RobertaZh.EngineBench), one JSON line per run.

  model  --size tiny|mini|small|medium|base --mode forward|train|mlm [--batch N] [--seq 128] [--warmup 2] [--repeats 5]
  matmul [--warmup 2] [--repeats 5]       torch.mm on 1024^3 and 4096x768x3072 (M x K x N), forms AB, ABt, AtB

forward = inference under no_grad, batch 32; train = classification head (2 classes), cross-entropy, backward,
clip_grad_norm_(1.0), AdamW (decay 0.01, none on biases and LayerNorm), dropout 0.1, batch 16; mlm = the same step with
the masked-LM head (transform + tied 21,128-way decoder) on 15% of positions, gathered before the decoder, batch 16.
Run it with the tuned environment eval/bench_engines.sh sets (benchmarking.md): OPENBLAS_NUM_THREADS=2,
OPENBLAS_CORETYPE for the CPU, MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000 OMP_WAIT_POLICY=PASSIVE.
Requires Debian's python3-torch and libopenblas0-pthread.
"""
import argparse
import json
import math
import os
import resource
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
import torch  # noqa: E402  (the thread variable must be set before torch loads OpenBLAS)
import torch.nn as nn  # noqa: E402

SIZES = {"tiny": (2, 128), "mini": (4, 256), "small": (4, 512), "medium": (8, 512), "base": (12, 768), "large": (24, 1024)}
VOCAB, POSITIONS, TYPES, DROP, EPS = 21128, 512, 2, 0.1, 1e-12


class Layer(nn.Module):
    def __init__(self, h):
        super().__init__()
        self.heads = h // 64
        self.query, self.key, self.value, self.out = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.ln1, self.ln2 = nn.LayerNorm(h, eps=EPS), nn.LayerNorm(h, eps=EPS)
        self.inter, self.output = nn.Linear(h, 4 * h), nn.Linear(4 * h, h)
        self.drop = nn.Dropout(DROP)

    def forward(self, x, additive):
        b, t, h = x.shape
        split = lambda y: y.view(b, t, self.heads, h // self.heads).permute(0, 2, 1, 3)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(h // self.heads)
        if additive is not None:
            scores = scores + additive
        ctx = (self.drop(torch.softmax(scores, dim=-1)) @ v).permute(0, 2, 1, 3).reshape(b, t, h)
        a = self.ln1(self.drop(self.out(ctx)) + x)
        return self.ln2(self.drop(self.output(nn.functional.gelu(self.inter(a)))) + a)


class Bert(nn.Module):
    def __init__(self, layers, h, labels, mlm):
        super().__init__()
        self.word, self.pos, self.types = nn.Embedding(VOCAB, h), nn.Embedding(POSITIONS, h), nn.Embedding(TYPES, h)
        self.ln = nn.LayerNorm(h, eps=EPS)
        self.drop = nn.Dropout(DROP)
        self.layers = nn.ModuleList([Layer(h) for _ in range(layers)])
        self.pooler = nn.Linear(h, h) if not mlm else None
        self.classifier = nn.Linear(h, labels) if labels else None
        if mlm:
            self.transform, self.mlm_ln = nn.Linear(h, h), nn.LayerNorm(h, eps=EPS)
            self.mlm_bias = nn.Parameter(torch.zeros(VOCAB))

    def encode(self, ids, types, mask):
        # A full mask needs no additive term (as the C# engines skip it).
        additive = None if bool(mask.all()) else (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.drop(self.ln(self.word(ids) + self.pos(pos) + self.types(types)))
        for layer in self.layers:
            x = layer(x, additive)
        return x

    def classify(self, x):
        pooled = torch.tanh(self.pooler(x[:, 0]))
        return self.classifier(self.drop(pooled)) if self.classifier is not None else pooled

    def mlm_logits(self, x, rows):
        g = x.reshape(-1, x.shape[-1]).index_select(0, rows)
        return nn.functional.linear(self.mlm_ln(nn.functional.gelu(self.transform(g))), self.word.weight, self.mlm_bias)


def timed(step, warmup, repeats, batch):
    for _ in range(warmup):
        step()
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        rates.append(batch / (time.perf_counter() - t0))
    rates.sort()
    return rates


def model_run(a):
    batch = a.batch or (32 if a.mode == "forward" else 16)
    layers, h = SIZES[a.size]
    model = Bert(layers, h, 2 if a.mode == "train" else 0, a.mode == "mlm")
    for _, p in model.named_parameters():
        nn.init.normal_(p, std=0.02) if p.dim() > 1 else nn.init.zeros_(p)
    # benchmarking.md: random ids in [1000, 21128), first token 101, full attention mask.
    g = torch.Generator().manual_seed(7)
    ids = torch.randint(1000, VOCAB, (batch, a.seq), generator=g)
    ids[:, 0] = 101
    types, mask = torch.zeros_like(ids), torch.ones_like(ids)
    labels = torch.arange(batch) % 2
    chosen = (torch.rand(ids.shape, generator=g) < 0.15)
    chosen[:, 0] = False
    rows = chosen.reshape(-1).nonzero().squeeze(1)
    targets = ids.reshape(-1)[rows]

    if a.mode == "forward":
        model.eval()

        def step():
            with torch.no_grad():
                model.classify(model.encode(ids, types, mask))
    else:
        model.train()
        decay = [p for n, p in model.named_parameters() if p.dim() > 1]
        no_decay = [p for n, p in model.named_parameters() if p.dim() == 1]
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-5, eps=1e-6)
        loss_fn = nn.CrossEntropyLoss()

        def step():
            opt.zero_grad()
            x = model.encode(ids, types, mask)
            loss = loss_fn(model.mlm_logits(x, rows), targets) if a.mode == "mlm" else loss_fn(model.classify(x), labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()

    rates = timed(step, a.warmup, a.repeats, batch)
    print(json.dumps({"side": "pytorch", "size": a.size, "mode": a.mode, "batch": batch, "seq": a.seq,
                      "median": statistics.median(rates), "min": rates[0], "max": rates[-1],
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                      "threads": torch.get_num_threads(), "parameters": sum(p.numel() for p in model.parameters())}))


def matmul_run(a):
    for m, k, n in ((1024, 1024, 1024), (4096, 768, 3072)):
        for form in ("AB", "ABt", "AtB"):
            g = torch.Generator().manual_seed(42)
            # Operands stored as the C# side stores them; torch.mm sees transposed views (no copies).
            x = torch.rand((k, m) if form == "AtB" else (m, k), generator=g) * 2 - 1
            y = torch.rand((n, k) if form == "ABt" else (k, n), generator=g) * 2 - 1
            x_op = x.t() if form == "AtB" else x
            y_op = y.t() if form == "ABt" else y
            out = torch.empty((m, n))
            samples = []
            for r in range(-a.warmup, a.repeats):
                t0 = time.perf_counter()
                torch.mm(x_op, y_op, out=out)
                if r >= 0:
                    samples.append(time.perf_counter() - t0)
            print(json.dumps({"side": "pytorch", "form": form, "shape": f"{m}x{k}x{n}",
                              "gflops": 2.0 * m * k * n / statistics.median(samples) / 1e9, "threads": torch.get_num_threads()}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["model", "matmul"])
    ap.add_argument("--size", default="tiny", choices=SIZES)
    ap.add_argument("--mode", default="forward", choices=["forward", "train", "mlm"])
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--batch", type=int)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model_run(a) if a.command == "model" else matmul_run(a)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
