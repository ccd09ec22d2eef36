// Builds the tokenizer comparison set and its expected outputs from the Hugging Face reference tokenizers.
//
//   node eval/reference/make_tokenizer_cases.mjs [--data ../shared/data] [--out eval/out/tokenizer]
//
// Writes to OUT:
//   tokenizer/            tokenizer.json + tokenizer_config.json built for the vocab (make_tokenizer_json.mjs)
//   cases.txt             one case per line, TAB between the two texts of a pair (real lines + systematic variants)
//   expected.jsonl        HF tokenizers (Rust, the engine of BertTokenizerFast) output for cases.txt, no truncation:
//                         {"input_ids","token_type_ids","tokens","offsets"}, offsets in UTF-16 units of each text
//   trunc-<strategy>-<N>.txt / .jsonl   pair and single subsets with truncation; lines HF rejects have {"error"}
//   trunc-longest_first-hard-<N>.txt / .jsonl   pairs of lines rich in multi-piece words and typed special tokens
//   transformers-js.jsonl transformers.js (@huggingface/transformers) ids and type ids for cases.txt
// Cases are deterministic (seeded). Reads the real data from ../shared/data; nothing of it is committed.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';

const here = path.dirname(new URL(import.meta.url).pathname);
const jsDir = path.join(here, 'tokenizer-js');
const require = createRequire(path.join(jsDir, 'package.json'));
const tk = require('tokenizers');

const arg = (name, fallback) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : fallback; };
const repo = path.resolve(here, '..', '..');
const data = path.resolve(arg('--data', path.join(repo, '..', 'shared', 'data')));
const out = path.resolve(arg('--out', path.join(repo, 'eval', 'out', 'tokenizer')));
fs.mkdirSync(out, { recursive: true });
const vocabPath = path.join(data, 'vocab', 'google_zh_vocab.txt');
execFileSync('node', [path.join(jsDir, 'make_tokenizer_json.mjs'), vocabPath, path.join(out, 'tokenizer')], { stdio: 'inherit' });

// ---- deterministic randomness (mulberry32) ----
let seed = 20240611;
const rand = () => { seed |= 0; seed = seed + 0x6D2B79F5 | 0; let t = Math.imul(seed ^ seed >>> 15, 1 | seed); t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t; return ((t ^ t >>> 14) >>> 0) / 4294967296; };
const pick = a => a[Math.floor(rand() * a.length)];
const sample = (a, n) => { const c = [...a]; for (let i = c.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [c[i], c[j]] = [c[j], c[i]]; } return c.slice(0, n); };
const clean = s => s.replace(/[\t\r\n]/g, ' ');   // cases are lines; TAB is the pair separator

// ---- real lines ----
const tsv = f => fs.readFileSync(path.join(data, 'datasets', f), 'utf8').split('\n').slice(1).filter(Boolean).map(l => clean(l.slice(l.indexOf('\t') + 1)));
const books = tsv('book_review/train.tsv'), hotels = tsv('chnsenticorp/train.tsv');
const ocnli = fs.readFileSync(path.join(data, 'datasets', 'ocnli', 'train.10k.json'), 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l));
const docs = fs.readFileSync(path.join(data, 'corpora', 'CLUECorpusSmall_sampled.txt'), 'utf8').split('\n').filter(Boolean).map(clean);
const sentences = docs.flatMap(d => d.split(/(?<=[。！？])/)).map(s => s.trim()).filter(s => s.length >= 4);

const cases = [];                       // each: [a, b|null, tag]
const add = (a, b, tag) => cases.push([clean(a), b === null ? null : clean(b), tag]);
sample(books, 2500).forEach(t => add(t, null, 'book_review'));
sample(hotels, 2000).forEach(t => add(t, null, 'chnsenticorp'));
sample(sentences, 2500).forEach(t => add(t, null, 'news-sentence'));
sample(docs, 150).forEach(t => add(t, null, 'news-document'));
sample(ocnli, 2000).forEach(o => add(o.sentence1, o.sentence2, 'ocnli-pair'));
for (let i = 0; i < 400; i++) add(pick(books), pick(hotels), 'review-pair');

// ---- systematic variants (synthesized around real lines and characters) ----
const real = () => pick(rand() < 0.5 ? sentences : books).slice(0, 60);
const emoji = ['😀', '😂', '👍', '🔥', '❤️', '👨‍👩‍👧‍👦', '👍🏽', '🇨🇳', '🫠', '🥰', '☺', '✨', '🀄', '🈶', '㊗️', '1️⃣', '#️⃣'];
for (let i = 0; i < 300; i++) {
  const s = real(); const k = Math.floor(rand() * (s.length + 1));
  add(s.slice(0, k) + pick(emoji) + (rand() < 0.3 ? pick(emoji) : '') + s.slice(k), null, 'emoji');
}
// classical-poem style lines: 5- and 7-character verses of real characters from the reviews
const hanzi = [...new Set(books.join('').match(/[\u4e00-\u9fff]/g))];
for (let i = 0; i < 200; i++) {
  const n = rand() < 0.5 ? 5 : 7, verse = () => Array.from({ length: n }, () => pick(hanzi)).join('');
  add(`${verse()}，${verse()}。${verse()}，${verse()}。`, null, 'poem');
}
const latin = ['iPhone', 'iPad Pro', 'MacBook', 'Windows 10', 'NBA', 'CEO', 'WiFi', 'GDP增长6.5%', 'Python3.11', 'COVID-19', 'probability', 'unbelievable', 'tokenization', 'Hello World', "don't", 'e-mail', 'U.S.A.', '3.1415926', '12306', '2015年', '1,000,000', '50%', 'A4纸', 'H5页面', 'K线图'];
const urls = ['https://www.example.com/path?q=1&x=2', 'http://t.cn/RaBc12', 'www.baidu.com', 'user.name+tag@mail.example.org', 'ftp://10.0.0.1:21/a_b-c', '#话题#', '@某用户', 'C:\\Users\\admin\\文档'];
for (let i = 0; i < 500; i++) {
  const parts = [real().slice(0, 20), pick(latin), pick(urls), String(Math.floor(rand() * 1e6)), real().slice(0, 15)];
  add(sample(parts, 3 + Math.floor(rand() * 3)).join(pick(['', ' ', '，', '  '])), null, 'mixed');
}
const toFull = s => [...s].map(c => c >= '!' && c <= '~' ? String.fromCharCode(c.charCodeAt(0) + 0xFEE0) : c === ' ' ? '\u3000' : c).join('');
for (let i = 0; i < 200; i++) add(toFull(pick(latin) + ' ' + pick(urls)) + real().slice(0, 20) + toFull('(2024)'), null, 'fullwidth');
const accented = ['Café', 'naïve', 'résumé', 'Ångström', 'Straße', 'İstanbul', 'ΣΊΣΥΦΟΣ', 'Ελληνικά', 'ΟΔΟΣ', 'Привет, мир', 'ǅemal', 'ﬁnance', 'ĳsselmeer', 'Crème Brûlée', 'São Paulo', 'Zürich', 'Ærø', 'Dvořák', 'e\u0301te\u0301', 'A\u030A', 'ḱ\u0323', 'Ⅻ', 'K\u212A', 'ﾊﾝｶｸ', 'ｶﾞｷﾞ', '한국어 텍스트', 'カタカナとひらがな', 'العربية\u064B', 'हिन्दी'];
for (let i = 0; i < 300; i++) add(real().slice(0, 20) + pick(accented) + ' ' + pick(accented) + real().slice(0, 10), null, 'accents-scripts');
const invisible = ['\u200B', '\u200C', '\u200D', '\uFEFF', '\u00AD', '\u0000', '\u0001', '\u007F', '\u0085', '\uFFFD', '\u2028', '\u2029', '\u000B', '\u000C', '\u00A0', '\u3000', '\u202F', '\u2002', '\uE000', '\uF8FF', '\u{F0000}', '\u001C', '\u001F', '\u061C', '\u2060', '\u180E', '\u0378', '\uFFFF', '\u{E0001}', '\u{1D173}'];
for (let i = 0; i < 400; i++) {
  let s = real();
  for (let j = 0; j < 3; j++) { const k = Math.floor(rand() * (s.length + 1)); s = s.slice(0, k) + pick(invisible) + s.slice(k); }
  add(s, rand() < 0.2 ? real() : null, 'control-zero-width');
}
const traditional = ['這是一個繁體中文的句子。', '臺灣與香港的書寫系統', '電腦軟體與網路', '歡迎光臨！請問您需要什麼服務？', '龍鳳呈祥，萬事如意', '學習機器學習的經驗'];
for (let i = 0; i < 150; i++) add(pick(traditional) + real().slice(0, 20), rand() < 0.3 ? pick(traditional) : null, 'traditional');
const extB = ['𠀀', '𠮷', '𡃁', '𪚥', '𤭢', '𠜎', '𡈽', '𩸽', '𫝀', '𬺰', '𮯠', '丽', '𰀀'];
for (let i = 0; i < 200; i++) {
  const s = real(); const k = Math.floor(rand() * (s.length + 1));
  add(s.slice(0, k) + pick(extB) + (rand() < 0.5 ? 'abc' : '') + pick(extB) + s.slice(k), null, 'cjk-ext');
}
for (const n of [1, 50, 98, 99, 100, 101, 102, 150, 250]) {
  add('a'.repeat(n), null, 'long-word');
  add('中文' + 'x'.repeat(n) + '中文', null, 'long-word');
  add('ab'.repeat(Math.ceil(n / 2)).slice(0, n) + ' ok', null, 'long-word');
  add('𠮷'.repeat(n), null, 'long-word');
  add('é'.repeat(n), null, 'long-word');
  add('1'.repeat(n) + ' 2'.repeat(3), null, 'long-word');
  add('q'.repeat(n - 1) + '\u0301', null, 'long-word');
  add('\u200B'.repeat(3) + 'z'.repeat(n) + '\u200B', null, 'long-word');
}
for (const [a, b] of [['', ''], ['', '你好'], ['你好', ''], ['   ', 'x'], ['\u200B', ''], ['', '\u0000'], ['[SEP]', ''], ['', '[MASK]']]) add(a, b, 'empty-sides');
add('', null, 'empty'); add(' ', null, 'empty'); add('\u00AD', null, 'empty');
const specials = ['[MASK]', '[CLS]', '[SEP]', '[PAD]', '[UNK]', '[mask]', '[MASK][MASK]', '[[MASK]]', '[MASK', 'MASK]', '[ MASK ]', '[unused1]', '<S>', '[MASK]s'];
for (let i = 0; i < 300; i++) {
  const s = real(); const k = Math.floor(rand() * (s.length + 1));
  add(s.slice(0, k) + pick(specials) + s.slice(k), rand() < 0.3 ? pick(specials) + real().slice(0, 10) : null, 'special-in-text');
}
// every CJK range boundary (Google's ranges, plus HF Rust's Ext-E start at 2B920): first-1, first, last, last+1
const ranges = [[0x4E00, 0x9FFF], [0x3400, 0x4DBF], [0x20000, 0x2A6DF], [0x2A700, 0x2B73F], [0x2B740, 0x2B81F], [0x2B820, 0x2CEAF], [0xF900, 0xFAFF], [0x2F800, 0x2FA1F], [0x2B920, 0x2CEAF]];
for (const [first, last] of ranges) {
  for (const cp of [first - 1, first, first + 1, last - 1, last, last + 1]) {
    const c = String.fromCodePoint(cp);
    add(`a${c}b`, null, 'cjk-boundary'); add(`${c}${c}中`, null, 'cjk-boundary'); add(`x ${c} 1`, `${c}y`, 'cjk-boundary');
  }
}
// punctuation classes: every ASCII symbol, Unicode P* samples and symbols that are not punctuation
const ascii = [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'];
for (const c of ascii) { add(`ab${c}cd`, null, 'punct-ascii'); add(`中${c}${c}文`, null, 'punct-ascii'); }
const unicodePunct = [...'，。、；：？！…—·「」『』（）《》〈〉【】〔〕“”‘’¡¿§¶«»‐‑‒–―‖†‡•‰′″‹›※‼‽⁂⁇、〜〰゠・･｡｢｣､︰︱﹏﹐﹑＿－﹣＃＆＊＠'];
for (const c of unicodePunct) add(`ab${c}cd中${c}`, null, 'punct-unicode');
const notPunct = [...'￥¥$°©®™℃±×÷＋＜＝＞｜～＄￡¢€£^`+<=>|~№★☆♀♂→←↑↓∞√∑∏∫≈≠≤≥'];
for (const c of notPunct) add(`ab${c}cd 1${c}2`, null, 'symbols');
// random code points from every plane, in and around words
for (let i = 0; i < 1500; i++) {
  let cp;
  do { cp = rand() < 0.6 ? Math.floor(rand() * 0x10000) : Math.floor(rand() * 0x40000); } while ((cp >= 0xD800 && cp <= 0xDFFF) || cp === 9 || cp === 10 || cp === 13);
  const c = String.fromCodePoint(cp);
  add(pick([`x${c}y`, `${c}`, `中${c}文 ${c}a`, `ab${c}${c}cd`]), null, 'codepoint');
}

fs.writeFileSync(path.join(out, 'cases.txt'), cases.map(([a, b]) => b === null ? a : `${a}\t${b}`).join('\n') + '\n');
fs.writeFileSync(path.join(out, 'cases.tags.txt'), cases.map(c => c[2]).join('\n') + '\n');

// ---- reference runs ----
const utf16 = text => { const map = [0]; let u = 0; for (const ch of text) { u += ch.length; map.push(u); } return map; };
const toJson = (encoding, a, b) => {
  const ids = encoding.getIds(), typeIds = encoding.getTypeIds(), offsets = encoding.getOffsets();
  const seq = encoding.getSequenceIds();
  const ma = utf16(a), mb = b === null ? null : utf16(b);
  return {
    input_ids: ids, token_type_ids: typeIds, tokens: encoding.getTokens(),
    offsets: offsets.map(([s, e], i) => { if (seq[i] === null || seq[i] === undefined) return [0, 0]; const m = seq[i] === 0 ? ma : mb; return [m[s], m[e]]; }),
  };
};
const tokenizer = tk.Tokenizer.fromFile(path.join(out, 'tokenizer', 'tokenizer.json'));
async function run(list, truncation) {
  if (truncation) tokenizer.setTruncation(truncation.max, { strategy: truncation.strategy }); else tokenizer.disableTruncation();
  const lines = [];
  for (const [a, b] of list) {
    try { lines.push(JSON.stringify(toJson(await tokenizer.encode(a, b ?? undefined, { addSpecialTokens: true }), a, b))); }
    catch (e) { lines.push(JSON.stringify({ error: String(e.message || e) })); }
  }
  return lines.join('\n') + '\n';
}
fs.writeFileSync(path.join(out, 'expected.jsonl'), await run(cases, null));
const pairs = cases.filter(c => c[1] !== null), singles = cases.filter(c => c[1] === null);
const truncSet = [...sample(pairs, 1200), ...sample(singles, 300)];
const configs = [['longest_first', 5], ['longest_first', 8], ['longest_first', 9], ['longest_first', 16], ['longest_first', 17], ['longest_first', 33],
                 ['only_first', 12], ['only_first', 30], ['only_second', 12], ['only_second', 30],
                 ['longest_first', 4], ['longest_first', 6], ['longest_first', 7], ['longest_first', 10], ['longest_first', 12],
                 ['longest_first', 24], ['longest_first', 64]];
const strategies = { longest_first: 'LongestFirst', only_first: 'OnlyFirst', only_second: 'OnlySecond' };
for (const [strategy, max] of configs) {
  const name = `trunc-${strategy}-${max}`;
  fs.writeFileSync(path.join(out, `${name}.txt`), truncSet.map(([a, b]) => b === null ? a : `${a}\t${b}`).join('\n') + '\n');
  fs.writeFileSync(path.join(out, `${name}.jsonl`), await run(truncSet, { max, strategy: strategies[strategy] }));
}
// Hard pairs for longest_first: both sides drawn from the lines rich in multi-piece words and special tokens typed in
// the text (mixed Latin/digits/URLs, special-in-text, scripts, full-width, long words), where which side is "longer"
// depends on how far the fast tokenizer tokenizes before it stops (whole words, special tokens never stopping it).
const hardTags = new Set(['mixed', 'special-in-text', 'accents-scripts', 'fullwidth', 'long-word', 'emoji', 'control-zero-width']);
const hard = cases.filter(c => c[1] === null && hardTags.has(c[2])).map(c => c[0]);
const hardSet = Array.from({ length: 1500 }, () => [pick(hard), rand() < 0.7 ? pick(hard) : pick(sentences)]);
for (const max of [5, 8, 9, 12, 16, 17, 24, 33]) {
  const name = `trunc-longest_first-hard-${max}`;
  fs.writeFileSync(path.join(out, `${name}.txt`), hardSet.map(([a, b]) => `${a}\t${b}`).join('\n') + '\n');
  fs.writeFileSync(path.join(out, `${name}.jsonl`), await run(hardSet, { max, strategy: 'LongestFirst' }));
}

// transformers.js (pure JS) on the same cases: ids and type ids only (it has no offsets)
const { AutoTokenizer, env } = await import(require.resolve('@huggingface/transformers'));
env.allowRemoteModels = false;
env.localModelPath = out + path.sep;
const js = await AutoTokenizer.from_pretrained('tokenizer');
const jsLines = cases.map(([a, b]) => {
  const r = js(a, { text_pair: b ?? undefined, return_tensor: false });
  return JSON.stringify({ input_ids: r.input_ids, token_type_ids: r.token_type_ids });
});
fs.writeFileSync(path.join(out, 'transformers-js.jsonl'), jsLines.join('\n') + '\n');
console.error(`${cases.length} cases (${pairs.length} pairs) written to ${out}; ${configs.length} truncation sets of ${truncSet.length}`);
