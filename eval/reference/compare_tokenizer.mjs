// Compares JSON lines of the C# tokenizer (roberta-zh tokenize) with the reference's, field by field.
//   node compare_tokenizer.mjs CASES.txt EXPECTED.jsonl OURS.jsonl [TAGS.txt] [--fields input_ids,token_type_ids] [--ext-e-known]
// With --ext-e-known (ours run with --cjk-ranges google), a mismatch on a line holding a code point in U+2B820..U+2B91F
// is counted apart as the Ext-E range difference (Google's range starts Ext-E there; HF's Rust code at U+2B920).
// Prints a summary and up to 10 examples; exits 1 when there is any other mismatch.
import fs from 'node:fs';

const [casesPath, expectedPath, oursPath, tagsPath] = process.argv.slice(2).filter(a => !a.startsWith('--'));
const fi = process.argv.indexOf('--fields');
const fields = fi > 0 ? process.argv[fi + 1].split(',') : ['input_ids', 'token_type_ids', 'tokens', 'offsets'];
const read = p => { const l = fs.readFileSync(p, 'utf8').split('\n'); if (l[l.length - 1] === '') l.pop(); return l; };
const cases = read(casesPath), expected = read(expectedPath), ours = read(oursPath), tags = tagsPath ? read(tagsPath) : null;
if (cases.length !== expected.length) throw new Error(`${casesPath}: ${cases.length} lines, ${expectedPath}: ${expected.length}`);
const extEKnown = process.argv.includes('--ext-e-known');
const extE = s => [...s].some(c => { const cp = c.codePointAt(0); return cp >= 0x2B820 && cp <= 0x2B91F; });
let compared = 0, known = 0, skipped = 0;
const bad = [], byTag = {};
for (let i = 0; i < cases.length; i++) {
  const e = JSON.parse(expected[i]);
  if (e.error) { skipped++; continue; }
  compared++;
  const o = i < ours.length ? JSON.parse(ours[i]) : {};
  const diff = fields.filter(f => JSON.stringify(e[f]) !== JSON.stringify(o[f]));
  if (diff.length === 0) continue;
  if (extEKnown && extE(cases[i])) { known++; continue; }
  bad.push({ line: i + 1, tag: tags?.[i], fields: diff, text: cases[i].slice(0, 120), expected: diff.map(f => JSON.stringify(e[f]).slice(0, 300)), ours: diff.map(f => JSON.stringify(o[f]).slice(0, 300)) });
  byTag[tags?.[i] ?? '-'] = (byTag[tags?.[i] ?? '-'] ?? 0) + 1;
}
if (ours.length !== compared + skipped && ours.length !== compared) console.log(`warning: ${ours.length} output lines for ${cases.length} cases`);
console.log(`${expectedPath.split('/').pop()}: compared ${compared} lines on [${fields}], mismatches ${bad.length}` + (extEKnown ? `, Ext-E range differences ${known}` : '') + (skipped ? `, ${skipped} lines the reference rejects (not run)` : ''));
if (bad.length) console.log('  by tag:', JSON.stringify(byTag));
for (const b of bad.slice(0, 10)) console.log('  ' + JSON.stringify(b));
process.exit(bad.length ? 1 : 0);
