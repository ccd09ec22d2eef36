// Picks a compact, deterministic sample of the reference outputs written by make_tokenizer_cases.mjs as the unit-test
// fixture test/Microsoft.ML.RobertaZh.Tests/Fixtures/tokenization/reference_cases.jsonl: short inputs only (at most
// 40 UTF-16 units per text), every synthetic category, a few real lines, and truncation cases of every strategy, plus
// every longest_first pair (up to 80 units per text, at most 12 per set) where cutting each side to max_length tokens
// before choosing the longer side would give a different result from the fast tokenizer's own rule.
//   node eval/reference/make_tokenizer_fixture.mjs [eval/out/tokenizer] [FIXTURE.jsonl]
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const here = path.dirname(new URL(import.meta.url).pathname);
const repo = path.resolve(here, '..', '..');
const dir = process.argv[2] ?? path.join(repo, 'eval', 'out', 'tokenizer');
const target = process.argv[3] ?? path.join(repo, 'test', 'Microsoft.ML.RobertaZh.Tests', 'Fixtures', 'tokenization', 'reference_cases.jsonl');
const require = createRequire(path.join(here, 'tokenizer-js', 'package.json'));
const tokenizer = require('tokenizers').Tokenizer.fromFile(path.join(dir, 'tokenizer', 'tokenizer.json'));
const read = f => { const l = fs.readFileSync(path.join(dir, f), 'utf8').split('\n'); l.pop(); return l; };
const split = line => { const t = line.indexOf('\t'); return t < 0 ? [line, null] : [line.slice(0, t), line.slice(t + 1)]; };
const short = ([a, b]) => a.length <= 40 && (b === null || b.length <= 40);
const quota = { 'book_review': 8, 'chnsenticorp': 8, 'news-sentence': 8, 'ocnli-pair': 10, 'review-pair': 0, 'news-document': 0 };
const rows = [];
const cases = read('cases.txt'), tags = read('cases.tags.txt'), expected = read('expected.jsonl');
const taken = {};
cases.forEach((line, i) => {
  const tag = tags[i], pair = split(line);
  if (!short(pair)) return;
  const limit = quota[tag] ?? (tag === 'codepoint' ? 30 : 14);
  if ((taken[tag] = (taken[tag] ?? 0) + 1) > limit) return;
  const e = JSON.parse(expected[i]);
  rows.push({ tag, text: pair[0], pair: pair[1], input_ids: e.input_ids, token_type_ids: e.token_type_ids, offsets: e.offsets });
});
// Kept lengths if each side were first cut to max_length tokens (the rule this fixture guards against).
const naiveKeep = (la, lb, max) => {
  const budget = max - 3; la = Math.min(la, max); lb = Math.min(lb, max);
  if (la + lb <= budget) return [la, lb];
  const swap = la > lb; let n1 = swap ? lb : la, n2 = n1 > budget ? n1 : Math.max(n1, budget - n1);
  if (n1 + n2 > budget) { n1 = Math.floor(budget / 2); n2 = n1 + budget % 2; }
  return swap ? [n2, n1] : [n1, n2];
};
tokenizer.disableTruncation();
const length = async text => (await tokenizer.encode(text, undefined, { addSpecialTokens: false })).getIds().length;
for (const f of fs.readdirSync(dir).filter(f => /^trunc-.*\.txt$/.test(f)).sort()) {
  const parts = f.replace('.txt', '').split('-'), strategy = parts[1], max = +parts[parts.length - 1];
  const lines = read(f), results = read(f.replace('.txt', '.jsonl'));
  let n = 0, errors = 0, rule = 0;
  for (let i = 0; i < lines.length; i++) {
    const pair = split(lines[i]), e = JSON.parse(results[i]);
    const row = { text: pair[0], pair: pair[1], max_length: max, truncation: strategy };
    if (strategy === 'longest_first' && pair[1] !== null && !e.error && rule < 12 && pair[0].length <= 80 && pair[1].length <= 80) {
      const kept = [e.token_type_ids.filter(t => t === 0).length - 2, e.token_type_ids.filter(t => t === 1).length - 1];
      const naive = naiveKeep(await length(pair[0]), await length(pair[1]), max);
      if (naive[0] !== kept[0] || naive[1] !== kept[1]) {
        rule++;
        rows.push({ tag: 'truncation-rule', ...row, input_ids: e.input_ids, token_type_ids: e.token_type_ids, offsets: e.offsets });
        continue;
      }
    }
    if (!short(pair)) continue;
    if (e.error) { if (errors++ < 2) rows.push({ tag: 'truncation-error', ...row, error: true }); continue; }
    if (n++ >= 5) continue;
    rows.push({ tag: 'truncation', ...row, input_ids: e.input_ids, token_type_ids: e.token_type_ids, offsets: e.offsets });
  }
}
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, rows.map(r => JSON.stringify(r)).join('\n') + '\n');
console.error(`${rows.length} cases, ${fs.statSync(target).size} bytes -> ${target}`);
