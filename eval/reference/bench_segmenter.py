#!/usr/bin/python3
"""Times jieba 0.42.1 (single thread, pure Python) on the lines the C# segmenter benchmark uses.

Prints one JSON object: dictionary load times (gen_pfdict from dict.txt; initialize() from jieba's marshal cache) and,
per mode, the best lines/s and chars/s (chars = Python code points) over --repeats passes. Run by
`Microsoft.ML.RobertaZh.Benchmarks segmenter`; needs Debian's python3-jieba, never the library or the tests.
    /usr/bin/python3 eval/reference/bench_segmenter.py --dict DICT --lines FILE [--repeats N]
"""
import argparse
import json
import logging
import time

import jieba

parser = argparse.ArgumentParser()
parser.add_argument('--dict', required=True)
parser.add_argument('--lines', required=True)
parser.add_argument('--repeats', type=int, default=2)
parser.add_argument('--modes', default='default,no_hmm,cut_all,search')
args = parser.parse_args()
jieba.setLogLevel(logging.WARNING)

with open(args.lines, 'rb') as f:
    lines = [l.decode('utf-8').rstrip('\r') for l in f.read().split(b'\n')]
lines = [l for l in lines if l]
chars = sum(len(l) for l in lines)

tk = jieba.Tokenizer(dictionary=args.dict)
loads = []
for _ in range(args.repeats):
    start = time.perf_counter()
    with open(args.dict, 'rb') as f:
        tk.gen_pfdict(f)
    loads.append(time.perf_counter() - start)
tk.initialize()  # writes jieba's marshal cache on the first run
start = time.perf_counter()
cached = jieba.Tokenizer(dictionary=args.dict)
cached.initialize()
cached_load = time.perf_counter() - start

run = {
    'default': lambda s: tk.lcut(s),
    'no_hmm': lambda s: tk.lcut(s, HMM=False),
    'cut_all': lambda s: tk.lcut(s, cut_all=True),
    'search': lambda s: tk.lcut_for_search(s),
    'search_no_hmm': lambda s: tk.lcut_for_search(s, HMM=False),
}
result = {'lines': len(lines), 'chars': chars, 'load_s': min(loads), 'load_cached_s': cached_load, 'modes': {}}
for mode in args.modes.split(','):
    cut = run[mode]
    best = float('inf')
    for _ in range(args.repeats):
        start = time.perf_counter()
        for line in lines:
            cut(line)
        best = min(best, time.perf_counter() - start)
    result['modes'][mode] = {'lines_per_s': len(lines) / best, 'chars_per_s': chars / best}
print(json.dumps(result))
