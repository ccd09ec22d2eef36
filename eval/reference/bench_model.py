#!/usr/bin/python3
"""PyTorch side of the encoder benchmark: the same model, shapes, inputs and step as
`./build.sh bench model ...` (eval/Microsoft.ML.RobertaZh.Benchmarks/ModelBenchmark.cs).

A Hugging Face-equivalent BERT (post-LN, exact GELU, dropout 0.1 on embeddings, attention probabilities and
sub-layer outputs, tanh pooler, classification head with dropout) of a UER size. Modes:
  forward  inference under torch.no_grad() in eval mode, batch 32
  train    forward + cross-entropy + backward + clip_grad_norm_(1.0) + AdamW (decay 0.01, none on biases and
           LayerNorm), train mode (dropout 0.1), batch 16
Prints one JSON line: sequences/s (median, min, max over repeats) and the process's peak RSS in MiB.

Run it as eval/bench_model.sh does, for a fair comparison (docs: benchmarking.md):
    OPENBLAS_NUM_THREADS=2 MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000 OMP_WAIT_POLICY=PASSIVE \
        /usr/bin/python3 eval/reference/bench_model.py --size tiny --mode forward
Requires Debian's python3-torch and libopenblas0-pthread (apt-get install python3-torch libopenblas0-pthread).
"""
import argparse
import json
import math
import os
import resource
import statistics
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
        probs = self.drop(torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(h // self.heads) + additive, dim=-1))
        ctx = (probs @ v).permute(0, 2, 1, 3).reshape(b, t, h)
        a = self.ln1(self.drop(self.out(ctx)) + x)
        return self.ln2(self.drop(self.output(nn.functional.gelu(self.inter(a)))) + a)


class Bert(nn.Module):
    def __init__(self, layers, h, labels):
        super().__init__()
        self.word, self.pos, self.types = nn.Embedding(VOCAB, h), nn.Embedding(POSITIONS, h), nn.Embedding(TYPES, h)
        self.ln = nn.LayerNorm(h, eps=EPS)
        self.drop = nn.Dropout(DROP)
        self.layers = nn.ModuleList([Layer(h) for _ in range(layers)])
        self.pooler = nn.Linear(h, h)
        self.classifier = nn.Linear(h, labels) if labels else None

    def forward(self, ids, types, mask):
        additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.drop(self.ln(self.word(ids) + self.pos(pos) + self.types(types)))
        for layer in self.layers:
            x = layer(x, additive)
        pooled = torch.tanh(self.pooler(x[:, 0]))
        return x, pooled, (self.classifier(self.drop(pooled)) if self.classifier is not None else None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="tiny", choices=SIZES)
    ap.add_argument("--mode", default="forward", choices=["forward", "train"])
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--batch", type=int)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    batch = a.batch or (16 if a.mode == "train" else 32)
    layers, h = SIZES[a.size]
    model = Bert(layers, h, 2 if a.mode == "train" else 0)
    for name, p in model.named_parameters():
        nn.init.normal_(p, std=0.02) if p.dim() > 1 else nn.init.zeros_(p)
    # benchmarking.md: random ids in [1000, 21128), first token 101, full attention mask.
    ids = torch.randint(1000, VOCAB, (batch, a.seq))
    ids[:, 0] = 101
    types, mask = torch.zeros_like(ids), torch.ones_like(ids)
    labels = torch.arange(batch) % 2

    if a.mode == "forward":
        model.eval()

        def step():
            with torch.no_grad():
                model(ids, types, mask)
    else:
        model.train()
        decay = [p for n, p in model.named_parameters() if p.dim() > 1]
        no_decay = [p for n, p in model.named_parameters() if p.dim() == 1]
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-5, eps=1e-6)
        loss_fn = nn.CrossEntropyLoss()

        def step():
            opt.zero_grad()
            _, _, logits = model(ids, types, mask)
            loss_fn(logits, labels).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()

    for _ in range(a.warmup):
        step()
    rates = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        step()
        rates.append(batch / (time.perf_counter() - t0))
    rates.sort()
    print(json.dumps({"side": "pytorch", "size": a.size, "mode": a.mode, "batch": batch, "seq": a.seq,
                      "median": statistics.median(rates), "min": rates[0], "max": rates[-1],
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
