#!/usr/bin/python3
"""Writes the golden fixtures the engine's tests compare against.

A tiny random BERT (vocab 120, 2 layers, hidden 64, 4 heads, feed-forward 128, random LayerNorm weights and biases,
pooler, masked-LM head, 3-way classification head) is built in PyTorch with Hugging Face's parameter names and
numerics (BertModel / BertForMaskedLM / BertForSequenceClassification: exact-erf GELU, post-LN, eps 1e-12,
additive mask (1 - mask) * finfo.min, tied decoder). It is run on a padded batch and trained for 5 AdamW steps
with linear warm-up/decay and gradient clipping. Everything is written to
test/Microsoft.ML.RobertaZh.Tests/Fixtures/model/:

  config.json, vocab.txt      a Hugging Face-style model directory ...
  model.safetensors           ... with the weights as HF saves them (tied decoder de-duplicated)
  pytorch_model.bin           torch.save zip format (decoder.weight shares the word-embedding storage)
  pytorch_model_legacy.bin    torch.save legacy (pre-1.6) format
  uer_model.bin               the same weights under UER-py's key names (segment table with its pad row 0)
  reference.safetensors       inputs, outputs, losses, every gradient, weights after 5 AdamW steps

Requires Debian's PyTorch (never needed by the library or the default tests):
    apt-get install python3-torch
    /usr/bin/python3 eval/reference/make_model_fixtures.py
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn

torch.manual_seed(20261122)
torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "Microsoft.ML.RobertaZh.Tests", "Fixtures", "model")

CONFIG = {
    "architectures": ["BertForMaskedLM"],
    "attention_probs_dropout_prob": 0.0,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.0,
    "hidden_size": 64,
    "initializer_range": 0.02,
    "intermediate_size": 128,
    "layer_norm_eps": 1e-12,
    "max_position_embeddings": 32,
    "model_type": "bert",
    "num_attention_heads": 4,
    "num_hidden_layers": 2,
    "pad_token_id": 0,
    "type_vocab_size": 2,
    "vocab_size": 120,
    "id2label": {"0": "negative", "1": "neutral", "2": "positive"},
    "label2id": {"negative": 0, "neutral": 1, "positive": 2},
}
H, V, L = CONFIG["hidden_size"], CONFIG["vocab_size"], CONFIG["num_hidden_layers"]
NH, FF, EPS = CONFIG["num_attention_heads"], CONFIG["intermediate_size"], CONFIG["layer_norm_eps"]


# ---- the model, written from the math with HF's module names so state_dict keys match ------------------------
class Embeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.word_embeddings = nn.Embedding(V, H)
        self.position_embeddings = nn.Embedding(CONFIG["max_position_embeddings"], H)
        self.token_type_embeddings = nn.Embedding(CONFIG["type_vocab_size"], H)
        self.LayerNorm = nn.LayerNorm(H, eps=EPS)

    def forward(self, ids, types):
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        return self.LayerNorm(self.word_embeddings(ids) + self.position_embeddings(pos) + self.token_type_embeddings(types))


class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.query, self.key, self.value = nn.Linear(H, H), nn.Linear(H, H), nn.Linear(H, H)

    def forward(self, x, additive):
        b, t, _ = x.shape
        split = lambda y: y.view(b, t, NH, H // NH).permute(0, 2, 1, 3)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(H // NH) + additive
        probs = torch.softmax(scores, dim=-1)
        return (probs @ v).permute(0, 2, 1, 3).reshape(b, t, H)


class DenseNorm(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.dense = nn.Linear(n_in, H)
        self.LayerNorm = nn.LayerNorm(H, eps=EPS)

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class AttentionBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.self = SelfAttention()
        self.output = DenseNorm(H)

    def forward(self, x, additive):
        return self.output(self.self(x, additive), x)


class Intermediate(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(H, FF)

    def forward(self, x):
        return nn.functional.gelu(self.dense(x))  # exact erf form, HF "gelu"


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = AttentionBlock()
        self.intermediate = Intermediate()
        self.output = DenseNorm(FF)

    def forward(self, x, additive):
        a = self.attention(x, additive)
        return self.output(self.intermediate(a), a)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.ModuleList([Layer() for _ in range(L)])


class Pooler(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(H, H)


class Bert(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = Embeddings()
        self.encoder = Encoder()
        self.pooler = Pooler()


class Transform(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(H, H)
        self.LayerNorm = nn.LayerNorm(H, eps=EPS)


class Predictions(nn.Module):
    def __init__(self):
        super().__init__()
        self.transform = Transform()
        self.bias = nn.Parameter(torch.zeros(V))


class Cls(nn.Module):
    def __init__(self):
        super().__init__()
        self.predictions = Predictions()


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.bert = Bert()
        self.cls = Cls()
        self.classifier = nn.Linear(H, len(CONFIG["id2label"]))

    def forward(self, ids, types, mask):
        additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        x = self.bert.embeddings(ids, types)
        for layer in self.bert.encoder.layer:
            x = layer(x, additive)
        pooled = torch.tanh(self.bert.pooler.dense(x[:, 0]))
        t = self.cls.predictions.transform
        h = t.LayerNorm(nn.functional.gelu(t.dense(x)))
        mlm_logits = h @ self.bert.embeddings.word_embeddings.weight.T + self.cls.predictions.bias  # tied decoder
        return x, pooled, mlm_logits, self.classifier(pooled)


def randomize(model):
    """Random weights everywhere, LayerNorm weights around 1 and non-zero biases, so every path is exercised."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm.weight" in name:
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
            elif p.dim() == 1:
                p.copy_(0.1 * torch.randn_like(p))
            else:
                p.copy_(0.08 * torch.randn_like(p))


def losses(model, ids, types, mask, mlm_labels, cls_labels):
    hidden, pooled, mlm_logits, logits = model(ids, types, mask)
    ce = nn.CrossEntropyLoss()  # mean over non-ignored (-100) targets, as HF's heads
    mlm = ce(mlm_logits.view(-1, V), mlm_labels.view(-1))
    cls = ce(logits, cls_labels)
    return hidden, pooled, mlm_logits, logits, mlm, cls


# ---- writers ------------------------------------------------------------------------------------------------
DTYPES = {torch.float32: ("F32", "<f"), torch.int64: ("I64", "<q")}


def write_safetensors(path, tensors, metadata=None):
    """Minimal safetensors writer: u64 header size, JSON header padded with spaces to 8 bytes, raw little-endian data."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        dtype, _ = DTYPES[t.dtype]
        data = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def hf_state_dict(model):
    sd = dict(model.state_dict())
    # As HF saves BertForMaskedLM: the decoder weight is the word-embedding tensor and the decoder bias is cls.predictions.bias.
    sd["cls.predictions.decoder.weight"] = model.bert.embeddings.word_embeddings.weight
    sd["cls.predictions.decoder.bias"] = model.cls.predictions.bias
    sd["bert.embeddings.position_ids"] = torch.arange(CONFIG["max_position_embeddings"]).unsqueeze(0)
    return sd


def uer_state_dict(model):
    g = lambda n: model.state_dict()[n].clone()
    sd = {
        "embedding.word.embedding.weight": g("bert.embeddings.word_embeddings.weight"),
        "embedding.pos.embedding.weight": g("bert.embeddings.position_embeddings.weight"),
        # UER's segment table has a padding row 0; HF type 0/1 are UER segments 1/2.
        "embedding.seg.embedding.weight": torch.cat([torch.randn(1, H), g("bert.embeddings.token_type_embeddings.weight")]),
        "embedding.layer_norm.gamma": g("bert.embeddings.LayerNorm.weight"),
        "embedding.layer_norm.beta": g("bert.embeddings.LayerNorm.bias"),
    }
    for i in range(L):
        hf, uer = f"bert.encoder.layer.{i}.", f"encoder.transformer.{i}."
        pairs = [("attention.self.query", "self_attn.linear_layers.0"), ("attention.self.key", "self_attn.linear_layers.1"),
                 ("attention.self.value", "self_attn.linear_layers.2"), ("attention.output.dense", "self_attn.final_linear"),
                 ("intermediate.dense", "feed_forward.linear_1"), ("output.dense", "feed_forward.linear_2")]
        for a, b in pairs:
            sd[uer + b + ".weight"] = g(hf + a + ".weight")
            sd[uer + b + ".bias"] = g(hf + a + ".bias")
        sd[uer + "layer_norm_1.gamma"] = g(hf + "attention.output.LayerNorm.weight")
        sd[uer + "layer_norm_1.beta"] = g(hf + "attention.output.LayerNorm.bias")
        sd[uer + "layer_norm_2.gamma"] = g(hf + "output.LayerNorm.weight")
        sd[uer + "layer_norm_2.beta"] = g(hf + "output.LayerNorm.bias")
    sd["target.sp.linear_1.weight"] = g("bert.pooler.dense.weight")
    sd["target.sp.linear_1.bias"] = g("bert.pooler.dense.bias")
    sd["target.mlm.linear_1.weight"] = g("cls.predictions.transform.dense.weight")
    sd["target.mlm.linear_1.bias"] = g("cls.predictions.transform.dense.bias")
    sd["target.mlm.layer_norm.gamma"] = g("cls.predictions.transform.LayerNorm.weight")
    sd["target.mlm.layer_norm.beta"] = g("cls.predictions.transform.LayerNorm.bias")
    sd["target.mlm.linear_2.weight"] = sd["embedding.word.embedding.weight"]  # tied, one storage
    sd["target.mlm.linear_2.bias"] = g("cls.predictions.bias")
    return sd


def main():
    os.makedirs(OUT, exist_ok=True)
    model = Model()
    randomize(model)

    # A padded batch: lengths 10, 6 and 3; a pair (token types 0/1) in the first sequence.
    lengths = [10, 6, 3]
    b, t = len(lengths), max(lengths)
    ids = torch.zeros(b, t, dtype=torch.long)
    types = torch.zeros(b, t, dtype=torch.long)
    mask = torch.zeros(b, t, dtype=torch.long)
    for i, n in enumerate(lengths):
        ids[i, :n] = torch.randint(5, V, (n,))
        ids[i, 0], ids[i, n - 1] = 2, 3  # stand-ins for [CLS] and [SEP]
        mask[i, :n] = 1
    types[0, 5:10] = 1
    mlm_labels = torch.full((b, t), -100, dtype=torch.long)
    for i, j in [(0, 1), (0, 4), (0, 7), (1, 2), (1, 3), (2, 1)]:
        mlm_labels[i, j] = int(torch.randint(5, V, (1,)))
    cls_labels = torch.tensor([0, 2, 1])

    ref = {"input_ids": ids, "token_type_ids": types, "attention_mask": mask, "mlm_labels": mlm_labels, "class_labels": cls_labels}
    for name, p in model.state_dict().items():
        ref["initial." + name] = p.clone()

    hidden, pooled, mlm_logits, logits, mlm, cls = losses(model, ids, types, mask, mlm_labels, cls_labels)
    total = mlm + cls
    total.backward()
    ref["last_hidden_state"] = hidden.detach()
    ref["pooler_output"] = pooled.detach()
    ref["logits"] = logits.detach()
    ref["mlm_log_probs"] = torch.log_softmax(mlm_logits, dim=-1).detach()
    ref["loss"] = torch.stack([total, mlm, cls]).detach()
    for name, p in model.named_parameters():
        ref["grad." + name] = p.grad.detach().clone()
    grad_norm = torch.sqrt(sum((p.grad ** 2).sum() for p in model.parameters())).item()

    # 5 AdamW steps: torch.optim.AdamW, decay 0.01 except biases and LayerNorm weights, warm-up 2 then linear decay to 0
    # at step 5 (get_linear_schedule_with_warmup), gradients clipped to a global norm of 1.0.
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "LayerNorm" in n)]
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=2e-3, betas=(0.9, 0.999), eps=1e-6)
    warmup, total_steps = 2, 5
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: s / max(1, warmup) if s < warmup else max(0.0, (total_steps - s) / max(1, total_steps - warmup)))
    step_losses, norms, lrs = [], [], []
    for step in range(5):
        opt.zero_grad()
        *_, mlm, cls = losses(model, ids, types, mask, mlm_labels, cls_labels)
        (mlm + cls).backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)))
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
        step_losses.append(float(mlm + cls))
    for name, p in model.state_dict().items():
        ref["step5." + name] = p.clone()
    ref["step_losses"] = torch.tensor(step_losses)
    ref["step_grad_norms"] = torch.tensor(norms)
    ref["step_learning_rates"] = torch.tensor(lrs)

    # The model directory holds the *initial* weights in every format.
    final = {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict({k[len("initial."):]: v for k, v in ref.items() if k.startswith("initial.")})
    sd = hf_state_dict(model)
    write_safetensors(os.path.join(OUT, "reference.safetensors"), ref, {"format": "pt", "made_by": "eval/reference/make_model_fixtures.py"})
    st = {k: v for k, v in sd.items() if not k.startswith("cls.predictions.decoder.") and k != "bert.embeddings.position_ids"}
    write_safetensors(os.path.join(OUT, "model.safetensors"), st, {"format": "pt"})
    torch.save(sd, os.path.join(OUT, "pytorch_model.bin"))
    torch.save(sd, os.path.join(OUT, "pytorch_model_legacy.bin"), _use_new_zipfile_serialization=False)
    torch.save(uer_state_dict(model), os.path.join(OUT, "uer_model.bin"))
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
    specials = ["[PAD]"] + [f"[unused{i}]" for i in range(1, 5)]
    with open(os.path.join(OUT, "vocab.txt"), "w") as f:
        f.write("\n".join(specials + [f"tok{i}" for i in range(len(specials), V)]) + "\n")
    del final
    print(f"wrote {OUT}: loss {float(total):.6f}, grad norm {grad_norm:.4f}, step losses {step_losses}, clip norms {norms}")


if __name__ == "__main__":
    sys.exit(main())
