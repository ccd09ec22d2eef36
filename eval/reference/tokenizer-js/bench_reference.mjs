// Times the reference tokenizers on a file of lines (TAB separates a pair), side by side with
// `Microsoft.ML.RobertaZh.Benchmarks tokenizer` on the same file. Prints one JSON line per implementation and mode:
// transformers.js (pure JS, single-threaded) and HF tokenizers' Node binding (Rust: one awaited call per line, and all
// calls at once, which run on libuv's thread pool).
// usage: node bench_reference.mjs TOKENIZER_DIR LINES.txt [--repeats N]
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import tk from 'tokenizers';
import { AutoTokenizer, env } from '@huggingface/transformers';

const [dir, input] = process.argv.slice(2);
const ri = process.argv.indexOf('--repeats');
const repeats = ri > 0 ? +process.argv[ri + 1] : 3;
const lines = fs.readFileSync(input, 'utf8').split('\n').filter((l, i, a) => i < a.length - 1 || l !== '');
const pairs = lines.map(l => { const t = l.indexOf('\t'); return t < 0 ? [l, null] : [l.slice(0, t), l.slice(t + 1)]; });
const chars = lines.reduce((n, l) => n + l.length, 0);
const report = (impl, mode, seconds) => console.log(JSON.stringify({ impl, mode, lines: lines.length, seconds: +seconds.toFixed(4),
  lines_per_s: Math.round(lines.length / seconds), chars_per_s: Math.round(chars / seconds) }));
const best = async f => { await f(); let b = Infinity; for (let r = 0; r < repeats; r++) { const t = process.hrtime.bigint(); await f(); b = Math.min(b, Number(process.hrtime.bigint() - t) / 1e9); } return b; };

env.allowRemoteModels = false;
env.localModelPath = path.dirname(path.resolve(dir)) + path.sep;
const js = await AutoTokenizer.from_pretrained(path.basename(path.resolve(dir)));
report('transformers.js 4.3.1', 'single-thread', await best(async () => { for (const [a, b] of pairs) js(a, { text_pair: b ?? undefined, return_tensor: false }); }));

const rust = tk.Tokenizer.fromFile(path.join(dir, 'tokenizer.json'));
report('HF tokenizers 0.23.2 (Rust, Node binding)', 'one call per line', await best(async () => { for (const [a, b] of pairs) await rust.encode(a, b ?? undefined); }));
// Its encodeBatch takes no pairs here; concurrent async calls run on libuv's thread pool instead.
report('HF tokenizers 0.23.2 (Rust, Node binding)', `concurrent calls, ${os.cpus().length} cores`, await best(async () => { await Promise.all(pairs.map(([a, b]) => rust.encode(a, b ?? undefined))); }));
