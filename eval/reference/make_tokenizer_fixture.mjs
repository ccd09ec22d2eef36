// Picks a compact, deterministic sample of the reference outputs written by make_tokenizer_cases.mjs as the unit-test
// fixture test/Microsoft.ML.RobertaZh.Tests/Fixtures/tokenization/reference_cases.jsonl: short inputs only (at most
// 40 UTF-16 units per text), every synthetic category, a few real lines, and truncation cases of every strategy.
//   node eval/reference/make_tokenizer_fixture.mjs [eval/out/tokenizer] [FIXTURE.jsonl]
import fs from 'node:fs';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const repo = path.resolve(here, '..', '..');
const dir = process.argv[2] ?? path.join(repo, 'eval', 'out', 'tokenizer');
const target = process.argv[3] ?? path.join(repo, 'test', 'Microsoft.ML.RobertaZh.Tests', 'Fixtures', 'tokenization', 'reference_cases.jsonl');
const read = f => { const l = fs.readFileSync(path.join(dir, f), 'utf8').split('\n'); l.pop(); return l; };
const extE = s => [...s].some(c => { const cp = c.codePointAt(0); return cp >= 0x2B820 && cp <= 0x2B91F; });
const split = line => { const t = line.indexOf('\t'); return t < 0 ? [line, null] : [line.slice(0, t), line.slice(t + 1)]; };
const short = ([a, b]) => a.length <= 40 && (b === null || b.length <= 40);
const quota = { 'book_review': 8, 'chnsenticorp': 8, 'news-sentence': 8, 'ocnli-pair': 10, 'review-pair': 0, 'news-document': 0 };
const rows = [];
const cases = read('cases.txt'), tags = read('cases.tags.txt'), expected = read('expected.jsonl');
const taken = {};
cases.forEach((line, i) => {
  const tag = tags[i], pair = split(line);
  if (extE(line) || !short(pair)) return;
  const limit = quota[tag] ?? (tag === 'codepoint' ? 30 : 14);
  if ((taken[tag] = (taken[tag] ?? 0) + 1) > limit) return;
  const e = JSON.parse(expected[i]);
  rows.push({ tag, text: pair[0], pair: pair[1], input_ids: e.input_ids, token_type_ids: e.token_type_ids, offsets: e.offsets });
});
for (const f of fs.readdirSync(dir).filter(f => /^trunc-.*\.txt$/.test(f)).sort()) {
  const [, strategy, max] = f.replace('.txt', '').split('-');
  const lines = read(f), results = read(f.replace('.txt', '.jsonl'));
  let n = 0, errors = 0;
  lines.forEach((line, i) => {
    const pair = split(line), e = JSON.parse(results[i]);
    if (extE(line) || !short(pair)) return;
    if (e.error) { if (errors++ < 2) rows.push({ tag: 'truncation-error', text: pair[0], pair: pair[1], max_length: +max, truncation: strategy, error: true }); return; }
    if (n++ >= 5) return;
    rows.push({ tag: 'truncation', text: pair[0], pair: pair[1], max_length: +max, truncation: strategy, input_ids: e.input_ids, token_type_ids: e.token_type_ids, offsets: e.offsets });
  });
}
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, rows.map(r => JSON.stringify(r)).join('\n') + '\n');
console.error(`${rows.length} cases, ${fs.statSync(target).size} bytes -> ${target}`);
