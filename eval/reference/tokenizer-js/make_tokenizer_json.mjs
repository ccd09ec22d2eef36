// Builds a Hugging Face tokenizer.json + tokenizer_config.json for a BERT WordPiece vocab.txt, so that the
// reference tokenizers (HF tokenizers' Node binding and transformers.js) load it offline.
// usage: node make_tokenizer_json.mjs VOCAB_TXT OUT_DIR [--no-lower]
import fs from 'node:fs';
import path from 'node:path';

const [vocabPath, outDir, ...flags] = process.argv.slice(2);
if (!vocabPath || !outDir) {
  console.error('usage: node make_tokenizer_json.mjs VOCAB_TXT OUT_DIR [--no-lower]');
  process.exit(2);
}
const lowercase = !flags.includes('--no-lower');
const lines = fs.readFileSync(vocabPath, 'utf8').split('\n');
if (lines.length && lines[lines.length - 1] === '') lines.pop();
const vocab = {};
lines.forEach((line, id) => {
  const token = line.replace(/\r$/, '');
  if (!(token in vocab)) vocab[token] = id;   // first occurrence wins, as in HF load_vocab
});
const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const added = specials.map(t => {
  if (!(t in vocab)) throw new Error(`special token ${t} missing from the vocab`);
  return { id: vocab[t], content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}).sort((x, y) => x.id - y.id);
const seq = (id, typeId) => ({ Sequence: { id, type_id: typeId } });
const special = (id, typeId) => ({ SpecialToken: { id, type_id: typeId } });
const tokenizer = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: added,
  normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase },
  pre_tokenizer: { type: 'BertPreTokenizer' },
  post_processor: {
    type: 'TemplateProcessing',
    single: [special('[CLS]', 0), seq('A', 0), special('[SEP]', 0)],
    pair: [special('[CLS]', 0), seq('A', 0), special('[SEP]', 0), seq('B', 1), special('[SEP]', 1)],
    special_tokens: {
      '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] },
      '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] },
    },
  },
  decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
};
const config = {
  tokenizer_class: 'BertTokenizer',
  do_lower_case: lowercase,
  tokenize_chinese_chars: true,
  strip_accents: null,
  model_max_length: 512,
  unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]',
};
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'tokenizer.json'), JSON.stringify(tokenizer));
fs.writeFileSync(path.join(outDir, 'tokenizer_config.json'), JSON.stringify(config, null, 2));
fs.writeFileSync(path.join(outDir, 'config.json'), JSON.stringify({ model_type: 'bert' }));
console.error(`wrote ${outDir}/tokenizer.json (${Object.keys(vocab).length} entries, lowercase=${lowercase})`);
