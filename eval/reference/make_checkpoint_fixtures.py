#!/usr/bin/python3
"""Writes the small checkpoint fixtures used by the Checkpoints tests.

Requirements: the Debian PyTorch package (CPU), installed with
    apt-get install python3-torch
and run with the system interpreter (/usr/bin/python3), not a pyenv/venv one:
    /usr/bin/python3 eval/reference/make_checkpoint_fixtures.py

Output (all a few KB) goes to test/Microsoft.ML.RobertaZh.Tests/Fixtures/checkpoints/:
    tiny.safetensors            mixed dtypes (F32, F16, BF16, F64, I64, I32, BOOL, scalar), written by the
                                minimal safetensors writer below (the `safetensors` package is not used)
    tiny_zip.bin                the same state dict saved with torch.save (zip format), including a transposed
                                (non-contiguous) view, a view with a storage offset and a tied (shared storage) pair
    tiny_legacy.bin             the same with _use_new_zipfile_serialization=False (legacy pre-1.6 format)
    tiny_zip_p4.bin             the same, zip format with pickle protocol 4 (FRAME, MEMOIZE, STACK_GLOBAL)
    tiny_expected.json          expected names/dtypes/shapes/values (row-major) for the three files above
    wrapped_state_dict.bin      {"epoch": 3, "state_dict": {...}} as saved by training scripts
    uer.bin                     a UER-py named checkpoint (torch.save zip)
    uer_expected.json           expected tensors after name normalization, plus ignored/unrecognized names
    hf_noprefix.bin             BertModel-style names (no `bert.` prefix) and old gamma/beta names (legacy format)
    hf_noprefix_expected.json   expected tensors after name normalization, plus ignored/unrecognized names
    malicious_os_system.bin     zip whose data.pkl calls os.system (hand-crafted bytes, never unpickled here)
    malicious_stack_global.bin  zip whose data.pkl calls builtins.eval through STACK_GLOBAL (protocol 4)
Both malicious payloads would create MARKER if they were ever executed.
Every file except the legacy ones is byte-for-byte reproducible (legacy storage keys are memory addresses).
"""
import collections
import json
import os
import struct
import zipfile

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "test", "Microsoft.ML.RobertaZh.Tests", "Fixtures", "checkpoints")
MARKER = "/tmp/robertazh_ckpt_pwned_marker"

ST_DTYPE = {
    torch.float32: ("F32", 4), torch.float16: ("F16", 2), torch.bfloat16: ("BF16", 2),
    torch.float64: ("F64", 8), torch.int64: ("I64", 8), torch.int32: ("I32", 4),
    torch.bool: ("BOOL", 1), torch.uint8: ("U8", 1), torch.int8: ("I8", 1), torch.int16: ("I16", 2),
}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        # numpy has no bfloat16: reinterpret the bits as int16
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def write_safetensors(path, tensors, metadata=None):
    """Minimal safetensors writer: sorted by dtype descending then name, header padded to 8."""
    items = sorted(tensors.items(), key=lambda kv: (-ST_DTYPE[kv[1].dtype][1], kv[0]))
    header = {}
    blobs = []
    offset = 0
    for name, t in items:
        data = tensor_bytes(t)
        header[name] = {"dtype": ST_DTYPE[t.dtype][0], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def expected_entry(t):
    return {"dtype": ST_DTYPE[t.dtype][0], "shape": list(t.shape),
            "data": [float(v) for v in t.contiguous().reshape(-1).to(torch.float64).tolist()]}


def write_expected(path, tensors, ignored=None, unrecognized=None):
    doc = {"tensors": collections.OrderedDict((k, expected_entry(v)) for k, v in tensors.items())}
    if ignored is not None:
        doc["ignored"] = ignored
    if unrecognized is not None:
        doc["unrecognized"] = unrecognized
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def rnd(g, *shape):
    # values with few mantissa bits so they are exact in every float type used
    return (torch.randint(-64, 64, shape, generator=g).to(torch.float32) / 16)


def tiny_state_dict():
    g = torch.Generator().manual_seed(1234)
    sd = collections.OrderedDict()
    word = rnd(g, 5, 4)
    sd["bert.embeddings.word_embeddings.weight"] = word
    sd["bert.embeddings.position_embeddings.weight"] = rnd(g, 3, 4).to(torch.float16)
    sd["bert.embeddings.token_type_embeddings.weight"] = rnd(g, 2, 4).to(torch.float64)
    sd["bert.embeddings.LayerNorm.weight"] = rnd(g, 4).to(torch.bfloat16)
    sd["bert.embeddings.position_ids"] = torch.arange(3, dtype=torch.int64).unsqueeze(0)
    base = rnd(g, 4, 4)
    sd["bert.encoder.layer.0.attention.self.query.weight"] = base.t()          # non-contiguous view
    two = rnd(g, 2, 4)
    sd["bert.pooler.dense.bias"] = two[1]                                        # storage offset 4
    sd["bert.pooler.dense.weight"] = rnd(g, 3, 4)[:, 1:3]                        # offset 1, strides (4, 1)
    sd["cls.predictions.decoder.weight"] = word                                  # tied: same storage
    sd["misc.int32"] = torch.tensor([-7, 0, 123456], dtype=torch.int32)
    sd["misc.mask"] = torch.tensor([True, False, True])
    sd["misc.scalar"] = torch.tensor(2.5)
    return sd


def uer_state_dict():
    g = torch.Generator().manual_seed(99)
    h, ff, vocab, pos = 4, 8, 5, 3
    sd = collections.OrderedDict()
    word = rnd(g, vocab, h)
    sd["embedding.word.embedding.weight"] = word
    sd["embedding.pos.embedding.weight"] = rnd(g, pos, h)
    sd["embedding.seg.embedding.weight"] = rnd(g, 3, h)
    sd["embedding.layer_norm.gamma"] = rnd(g, h)
    sd["embedding.layer_norm.beta"] = rnd(g, h)
    p = "encoder.transformer.0."
    for i in range(3):
        sd[p + "self_attn.linear_layers.%d.weight" % i] = rnd(g, h, h)
        sd[p + "self_attn.linear_layers.%d.bias" % i] = rnd(g, h)
    sd[p + "self_attn.final_linear.weight"] = rnd(g, h, h)
    sd[p + "self_attn.final_linear.bias"] = rnd(g, h)
    sd[p + "layer_norm_1.gamma"] = rnd(g, h)
    sd[p + "layer_norm_1.beta"] = rnd(g, h)
    sd[p + "feed_forward.linear_1.weight"] = rnd(g, ff, h)
    sd[p + "feed_forward.linear_1.bias"] = rnd(g, ff)
    sd[p + "feed_forward.linear_2.weight"] = rnd(g, h, ff)
    sd[p + "feed_forward.linear_2.bias"] = rnd(g, h)
    sd[p + "layer_norm_2.weight"] = rnd(g, h)      # newer UER spelling
    sd[p + "layer_norm_2.bias"] = rnd(g, h)
    sd["target.sp.linear_1.weight"] = rnd(g, h, h)
    sd["target.sp.linear_1.bias"] = rnd(g, h)
    sd["target.sp.linear_2.weight"] = rnd(g, 2, h)
    sd["target.sp.linear_2.bias"] = rnd(g, 2)
    sd["target.mlm.linear_1.weight"] = rnd(g, h, h)
    sd["target.mlm.linear_1.bias"] = rnd(g, h)
    sd["target.mlm.layer_norm.gamma"] = rnd(g, h)
    sd["target.mlm.layer_norm.beta"] = rnd(g, h)
    sd["target.mlm.linear_2.weight"] = word
    sd["target.mlm.linear_2.bias"] = rnd(g, vocab)
    sd["embedding.extra.weight"] = rnd(g, 2)        # not mappable
    return sd


def uer_expected(sd):
    """Independent restatement of UER's convert_bert_from_uer_to_huggingface mapping."""
    out = collections.OrderedDict()
    ignored = []
    unrecognized = []
    fixed = {
        "embedding.word.embedding.weight": "bert.embeddings.word_embeddings.weight",
        "embedding.pos.embedding.weight": "bert.embeddings.position_embeddings.weight",
        "embedding.layer_norm.gamma": "bert.embeddings.LayerNorm.weight",
        "embedding.layer_norm.beta": "bert.embeddings.LayerNorm.bias",
        "target.sp.linear_1.weight": "bert.pooler.dense.weight",
        "target.sp.linear_1.bias": "bert.pooler.dense.bias",
        "target.mlm.linear_1.weight": "cls.predictions.transform.dense.weight",
        "target.mlm.linear_1.bias": "cls.predictions.transform.dense.bias",
        "target.mlm.layer_norm.gamma": "cls.predictions.transform.LayerNorm.weight",
        "target.mlm.layer_norm.beta": "cls.predictions.transform.LayerNorm.bias",
        "target.mlm.linear_2.weight": "cls.predictions.decoder.weight",
        "target.mlm.linear_2.bias": "cls.predictions.bias",
    }
    layer = {
        "self_attn.linear_layers.0": "attention.self.query",
        "self_attn.linear_layers.1": "attention.self.key",
        "self_attn.linear_layers.2": "attention.self.value",
        "self_attn.final_linear": "attention.output.dense",
        "layer_norm_1": "attention.output.LayerNorm",
        "feed_forward.linear_1": "intermediate.dense",
        "feed_forward.linear_2": "output.dense",
        "layer_norm_2": "output.LayerNorm",
    }
    for k, v in sd.items():
        if k in fixed:
            out[fixed[k]] = v
        elif k == "embedding.seg.embedding.weight":
            out["bert.embeddings.token_type_embeddings.weight"] = v[1:, :]
        elif k.startswith("encoder.transformer."):
            rest = k[len("encoder.transformer."):]
            i, rest = rest.split(".", 1)
            mod, leaf = rest.rsplit(".", 1)
            leaf = {"gamma": "weight", "beta": "bias"}.get(leaf, leaf)
            out["bert.encoder.layer.%s.%s.%s" % (i, layer[mod], leaf)] = v
        elif k.startswith("target.sp.linear_2."):
            ignored.append(k)
        else:
            unrecognized.append(k)
    return out, ignored, unrecognized


def hf_noprefix_state_dict():
    g = torch.Generator().manual_seed(7)
    h = 4
    sd = collections.OrderedDict()
    sd["embeddings.position_ids"] = torch.arange(3, dtype=torch.int64).unsqueeze(0)
    sd["embeddings.token_type_ids"] = torch.zeros(1, 3, dtype=torch.int64)
    sd["embeddings.word_embeddings.weight"] = rnd(g, 5, h)
    sd["embeddings.LayerNorm.gamma"] = rnd(g, h)
    sd["embeddings.LayerNorm.beta"] = rnd(g, h)
    sd["encoder.layer.0.attention.self.key.weight"] = rnd(g, h, h)
    sd["encoder.layer.0.attention.output.LayerNorm.gamma"] = rnd(g, h)
    sd["encoder.layer.0.attention.output.LayerNorm.beta"] = rnd(g, h)
    sd["encoder.layer.0.output.dense.weight"] = rnd(g, h, 8)
    sd["pooler.dense.weight"] = rnd(g, h, h)
    sd["pooler.dense.bias"] = rnd(g, h)
    sd["cls.predictions.transform.LayerNorm.gamma"] = rnd(g, h)
    sd["cls.predictions.bias"] = rnd(g, 5)
    sd["cls.seq_relationship.weight"] = rnd(g, 2, h)
    sd["cls.seq_relationship.bias"] = rnd(g, 2)
    sd["classifier.weight"] = rnd(g, 3, h)
    sd["classifier.bias"] = rnd(g, 3)
    sd["encoder.layer.0.attention.self.rotary.weight"] = rnd(g, 2)   # not a BERT parameter
    sd["lm_head.dense.weight"] = rnd(g, 2)                            # not a BERT parameter
    return sd


def hf_noprefix_expected(sd):
    out = collections.OrderedDict()
    ignored = []
    unrecognized = []
    for k, v in sd.items():
        if k.endswith(".position_ids") or k == "embeddings.token_type_ids" or k.startswith("cls.seq_relationship."):
            ignored.append(k)
            continue
        if k.endswith("rotary.weight") or k.startswith("lm_head."):
            unrecognized.append(k)
            continue
        name = k
        if name.split(".")[0] in ("embeddings", "encoder", "pooler"):
            name = "bert." + name
        if name.endswith(".gamma"):
            name = name[:-len("gamma")] + "weight"
        elif name.endswith(".beta"):
            name = name[:-len("beta")] + "bias"
        out[name] = v
    return out, ignored, unrecognized


def write_malicious_zip(path, pkl):
    stem = os.path.splitext(os.path.basename(path))[0]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for name, data in ((stem + "/data.pkl", pkl), (stem + "/version", b"3\n")):
            z.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data)   # reproducible bytes


def binunicode(s):
    b = s.encode("utf-8")
    return b"X" + struct.pack("<I", len(b)) + b


def short_binunicode(s):
    b = s.encode("utf-8")
    return b"\x8c" + bytes([len(b)]) + b


def main():
    os.makedirs(OUT, exist_ok=True)
    out = lambda name: os.path.join(OUT, name)

    tiny = tiny_state_dict()
    write_expected(out("tiny_expected.json"), tiny)
    write_safetensors(out("tiny.safetensors"), tiny, {"format": "pt"})
    torch.save(tiny, out("tiny_zip.bin"))
    torch.save(tiny, out("tiny_legacy.bin"), _use_new_zipfile_serialization=False)
    torch.save(tiny, out("tiny_zip_p4.bin"), pickle_protocol=4)

    # a training checkpoint wrapping the state dict
    torch.save({"epoch": 3, "state_dict": collections.OrderedDict(
        [("classifier.weight", torch.tensor([[1.0, -2.0]])), ("classifier.bias", torch.nn.Parameter(torch.tensor([0.5])))])},   # pickled via _rebuild_parameter
        out("wrapped_state_dict.bin"))

    uer = uer_state_dict()
    torch.save(uer, out("uer.bin"))
    write_expected(out("uer_expected.json"), *uer_expected(uer))

    hf = hf_noprefix_state_dict()
    torch.save(hf, out("hf_noprefix.bin"), _use_new_zipfile_serialization=False)
    write_expected(out("hf_noprefix_expected.json"), *hf_noprefix_expected(hf))

    # Hand-crafted hostile pickles. They are only written as bytes, never loaded.
    cmd = "touch " + MARKER
    os_system = (b"\x80\x02" + b"cos\nsystem\n" + b"q\x00" + binunicode(cmd) + b"\x85" + b"R" + b".")
    write_malicious_zip(out("malicious_os_system.bin"), os_system)
    expr = "__import__('os').system('%s')" % cmd
    stack_global = (b"\x80\x04" + short_binunicode("builtins") + b"\x94" + short_binunicode("eval") + b"\x94"
                    + b"\x93" + b"\x94" + binunicode(expr) + b"\x94" + b"\x85" + b"R" + b".")
    write_malicious_zip(out("malicious_stack_global.bin"), stack_global)

    for name in sorted(os.listdir(OUT)):
        print("%8d  %s" % (os.path.getsize(out(name)), name))


if __name__ == "__main__":
    main()
