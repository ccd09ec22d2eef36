#!/usr/bin/python3
"""Writes jieba 0.42.1's segmentation of real and systematic lines, the reference the C# segmenter is compared with.

Inputs come from ../shared/data (never copied into the repository): sentences of the CLUE corpus sample, Douban book
reviews, ChnSentiCorp reviews and OCNLI sentences, plus systematic variants (mixed Latin/digits, every Python \\s
whitespace, \\r, full-width characters, emoji, CJK Extension B, control characters, quotes, han-range edges, HMM-only
runs, empty lines) and random mutations of real lines.

Outputs (under eval/out/segmentation/, git-ignored):
  lines.txt               one input per line (UTF-8, '\\n'-terminated; no line ends with '\\r')
  expected.<mode>.jsonl   json.dumps(words, ensure_ascii=False) per line, for the modes
                          default, no_hmm, cut_all, search, search_no_hmm, and with user_dict.txt loaded
                          (load_userdict) user_default and user_search
With --fixtures, also the committed compact samples under test/Microsoft.ML.RobertaZh.Tests/Fixtures/segmentation/:
  jieba_cases.jsonl       {"text", "default", "no_hmm", "cut_all", "search", "search_offsets"} per case (texts may hold \\r\\n)
  user_dict.txt           a hand-written user dictionary (not jieba data)
  user_dict_cases.jsonl   {"text", "default", "no_hmm", "search"} with user_dict.txt loaded, plus one {"total", "freq"} line

Requires Debian's python3-jieba 0.42.1 (never needed by the library or the default tests):
    apt-get install python3-jieba
    /usr/bin/python3 eval/reference/make_segmentation_cases.py [--fixtures]
"""
import json
import os
import random
import sys

import jieba

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.normpath(os.path.join(ROOT, '..', 'shared', 'data'))
OUT = os.path.join(ROOT, 'eval', 'out', 'segmentation')
FIXTURES = os.path.join(ROOT, 'test', 'Microsoft.ML.RobertaZh.Tests', 'Fixtures', 'segmentation')
MODES = ['default', 'no_hmm', 'cut_all', 'search', 'search_no_hmm']

# Python 3's \s for str, and a few look-alikes that are not \s.
PY_WHITESPACE = ['\t', '\x0b', '\x0c', '\r', '\x1c', '\x1d', '\x1e', '\x1f', ' ', '\x85', '\xa0', '\u1680',
                 *[chr(c) for c in range(0x2000, 0x200b)], '\u2028', '\u2029', '\u202f', '\u205f', '\u3000']
NOT_WHITESPACE = ['\u200b', '\ufeff', '\u180e', '\u2060', '\x00', '\x01', '\x1b', '\x7f']
EMOJI = ['😀', '👍🏻', '👨\u200d👩\u200d👧', '🇨🇳', '❤️', '🀄', '🎉']
EXT_B = ['𠀀', '𠮷', '𪚥', '𡈽', '𤆵', '𬌗']
PIECES = ['iPhone12', '5999', '3.5%', 'C++', 'c#', 'AT&T', 'a_b', 'x-1', '.', '..', '%', '+', '#', '&', '_', '-',
          'ABC', 'abc', '12', '1.5', '1.', '.5', '3.5.6', '100%', 'v2.0', '，', '。', '！', '“', '”', '（', '）', '…',
          'ＡＢＣ', '１２３', '\\', '"', "'", '/', 'か', 'ア', '한', 'é', 'ß', 'Ω', '\u3400', '\u9fd5', '\u9fd6', '\u4e00',
          '\uf900', '龘', *EMOJI, *EXT_B, *PY_WHITESPACE, *NOT_WHITESPACE]

SYSTEMATIC = [
    '我来到北京清华大学', '他来到了网易杭研大厦', '小明硕士毕业于中国科学院计算所，后在日本京都大学深造',
    '我来到北京清华大学，他来到了网易杭研大厦', 'iPhone12售价5999元，折扣3.5%', 'C++和c#都是编程语言',
    'C++和c#', '我爱Python和Java编程', 'abc中文def', 'AT&T公司的股价上涨了3.5%', 'a_b-c.d#e+f%中文',
    'v1.2.3版本发布', '100%纯天然', '2.5.6', '.5', '5.', '3.5.%', 'abc.12%x', 'ab12.34%cd', 'x-1和y+2',
    '１２３４５６７８９０', 'ＡＢＣ公司和ｘｙｚ', '全角：“你好”！（测试）', '中国🇨🇳加油👍🏻', '笑😀哭😭', '𠮷野家的牛肉饭',
    '𠀀𠀁𠀂', '这是𪚥字', '\u3400\u3401中文', '\u9fd5\u9fd6\u9fff', '\u4e00\u4e00', '\uf900\uf901',
    '  前后空格  ', '\t制表\t符\t', '全角\u3000空格', '不换行\xa0空格', '行\u2028分隔\u2029段落', '\x1c\x1d\x1e\x1f',
    '回车\r在中间', '\r开头的回车', '中文\x85下一行', '零宽\u200b空格', 'BOM\ufeff字符', '控制\x01字符\x7f',
    '他说"你好"\\n然后走了', "单引号'和反斜杠\\\\", '', ' ', '  ', '\t', '\u3000', '...', '---', '+++', '###',
    '韩玉赏鉴', '韩玉鉴赏', '永和服装饰品有限公司', '结婚的和尚未结婚的', '工信处女干事每月经过下属科室都要亲口交代24口交换机等技术性器件的安装工作',
    '我们中出了一个叛徒', '南京市长江大桥', '研究生命起源', '他说的确实在理', '乒乓球拍卖完了', '龘靐齉爩', '䶮䶮䶮',
    '鳯鳯鳯鳯鳯鳯鳯鳯', '的的的的的的的的', '一一一一', '了了了了了', '氵氵氵氵', '丨丨丨',
    '上海浦东新区张江高科技园区', '中华人民共和国万岁', '北京大学生前来应聘', '中国科学技术大学', '长春市长春节讲话',
    'Ｈｅｌｌｏ　Ｗｏｒｌｄ', 'hello world', 'Hello, World!', 'e-mail: test@example.com', 'http://www.example.com/a_b?c=1&d=2',
    '2020年12月31日23:59:59', '￥5999.00元', '$100和€200', '第1.5版', '1,000,000人', '-5℃到+10℃', '50%~60%',
    'ＱＱ号码是１２３４５６', '微信号abc_123', '#话题#讨论', '@某人 你好', '【广告】打折促销', '《红楼梦》第一回',
]

CRLF_CASES = ['第一行\r\n第二行', '\r\n', '甲\r\n\r\n乙', 'abc\r\ndef', '\r\r\n', '中\n文', '\n', '结尾\r\n', ' \r\n ']


def read_lines(path):
    with open(path, 'rb') as f:
        return [clean(raw.decode('utf-8')) for raw in f.read().split(b'\n')]


def clean(s):
    return s.rstrip('\r')


def real_lines(rng):
    corpus = [l for l in read_lines(os.path.join(DATA, 'corpora', 'CLUECorpusSmall_bert_sampled.txt')) if l]
    lines = rng.sample(corpus, 5000)
    for name, count in (('book_review', 1500), ('chnsenticorp', 1500)):
        rows = read_lines(os.path.join(DATA, 'datasets', name, 'train.tsv'))[1:]
        texts = [r.split('\t', 1)[1] for r in rows if '\t' in r]
        lines += rng.sample(texts, count)
    ocnli = []
    for raw in read_lines(os.path.join(DATA, 'datasets', 'ocnli', 'train.10k.json')):
        if raw:
            row = json.loads(raw)
            ocnli += [row['sentence1'], row['sentence2']]
    lines += rng.sample(ocnli, 2000)
    return [l for l in lines if '\n' not in l]


def mutate(rng, line):
    chars = list(line[:rng.randint(1, 60)])
    for _ in range(rng.randint(1, 6)):
        piece = rng.choice(PIECES)
        if rng.random() < 0.3:
            piece = piece * rng.randint(2, 4)
        chars.insert(rng.randint(0, len(chars)), piece)
    return ''.join(chars)


def fullwidth(line):
    return ''.join(chr(ord(c) + 0xfee0) if '!' <= c <= '~' else ('\u3000' if c == ' ' else c) for c in line)


def segment(tk, text):
    return {
        'default': tk.lcut(text),
        'no_hmm': tk.lcut(text, HMM=False),
        'cut_all': tk.lcut(text, cut_all=True),
        'search': tk.lcut_for_search(text),
        'search_no_hmm': tk.lcut_for_search(text, HMM=False),
    }


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False)


def main():
    rng = random.Random(20250601)
    real = real_lines(rng)
    variants = [v for v in SYSTEMATIC]
    variants += [mutate(rng, rng.choice(real)) for _ in range(1500)]
    variants += [fullwidth(l) for l in rng.sample(real, 100)]
    variants += [''.join(rng.choice(PIECES) for _ in range(rng.randint(1, 12))) for _ in range(300)]
    # Runs of CJK characters in random order: mostly unknown to the dictionary, so the HMM decides.
    variants += [''.join(chr(rng.randint(0x4e00, 0x9fd5)) for _ in range(rng.randint(2, 30))) for _ in range(300)]
    lines = [l.rstrip('\r') for l in real + variants if '\n' not in l]

    tk = jieba.Tokenizer(dictionary=os.path.join(DATA, 'jieba', 'dict.txt'))
    tk.initialize()
    assert tk.total == 60101967, tk.total
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'lines.txt'), 'w', encoding='utf-8', newline='\n') as f:
        f.writelines(l + '\n' for l in lines)
    outputs = {m: open(os.path.join(OUT, 'expected.%s.jsonl' % m), 'w', encoding='utf-8', newline='\n') for m in MODES}
    for line in lines:
        for mode, words in segment(tk, line).items():
            outputs[mode].write(dumps(words) + '\n')
    for f in outputs.values():
        f.close()
    write_user_dict_outputs(lines)
    print('%d lines (%d real, %d variants) -> %s' % (len(lines), len(real), len(lines) - len(real), OUT))
    if '--fixtures' in sys.argv:
        write_fixtures(tk, rng, real, variants)


# A user dictionary of our own: explicit frequencies, suggested ones (no freq), tags, a word with a space, frequency-0
# words (force-split by the HMM), a new prefix chain and words the main dictionary already has.
USER_DICT = ['\ufeff杭研 5', '云计算', '创新办 3 i', '凯特琳 nz', '台中', '石墨烯 1000', '蓝翔学校 0', '大厦 0',
             '韩玉赏鉴 2 n', '自定义词', 'Hello World 8', 'new york', '八一双鹿 20 nz', '   ', '李小福 2 nr']


def user_tokenizer(path):
    """A fresh Tokenizer with USER_DICT (written to path) loaded."""
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.writelines(l + '\n' for l in USER_DICT)
    ut = jieba.Tokenizer(dictionary=os.path.join(DATA, 'jieba', 'dict.txt'))
    ut.initialize()
    ut.load_userdict(path)
    return ut


def write_user_dict_outputs(lines):
    ut = user_tokenizer(os.path.join(OUT, 'user_dict.txt'))
    with open(os.path.join(OUT, 'expected.user_default.jsonl'), 'w', encoding='utf-8', newline='\n') as f:
        f.writelines(dumps(ut.lcut(l)) + '\n' for l in lines)
    with open(os.path.join(OUT, 'expected.user_search.jsonl'), 'w', encoding='utf-8', newline='\n') as f:
        f.writelines(dumps(ut.lcut_for_search(l)) + '\n' for l in lines)
    # finalseg's force-split set is global in jieba: forget the user dictionary's frequency-0 words again.
    jieba.finalseg.Force_Split_Words.clear()


def write_fixtures(tk, rng, real, variants):
    os.makedirs(FIXTURES, exist_ok=True)
    short = [l for l in real if 4 <= len(l) <= 36]
    cases = SYSTEMATIC + CRLF_CASES + rng.sample(short, 120) + rng.sample(variants[len(SYSTEMATIC):], 60)
    with open(os.path.join(FIXTURES, 'jieba_cases.jsonl'), 'w', encoding='utf-8', newline='\n') as f:
        for text in cases:
            row = {'text': text}
            row.update((m, w) for m, w in segment(tk, text).items() if m != 'search_no_hmm')
            row['search_offsets'] = [[s, e] for _, s, e in tk.tokenize(text, mode='search')]
            f.write(dumps(row) + '\n')
    path = os.path.join(FIXTURES, 'user_dict.txt')
    ut = user_tokenizer(path)
    texts = ['他来到了网易杭研大厦', '李小福是创新办主任也是云计算方面的专家', '台中的凯特琳在蓝翔学校学习石墨烯',
             '韩玉赏鉴自定义词很好', '八一双鹿更名为八一南昌篮球队', 'Hello World和new york', '大厦和大厦',
             '我们在自定义词典里加入了新词', '云计算和石墨烯都是热门技术', '蓝翔学校在山东']
    with open(os.path.join(FIXTURES, 'user_dict_cases.jsonl'), 'w', encoding='utf-8', newline='\n') as f:
        f.write(dumps({'total': ut.total, 'freq': {w: ut.FREQ.get(w) for w in
                       ['杭研', '云计算', '创新办', '凯特琳', '台中', '石墨烯', '蓝翔学校', '大厦', '自定义词', 'Hello World',
                        'new', 'york', '八一双鹿', '李小福', '蓝翔', '自定义']}}) + '\n')
        for text in texts:
            f.write(dumps({'text': text, 'default': ut.lcut(text), 'no_hmm': ut.lcut(text, HMM=False),
                           'search': ut.lcut_for_search(text)}) + '\n')
    jieba.finalseg.Force_Split_Words.clear()
    print('fixtures -> %s' % FIXTURES)


if __name__ == '__main__':
    main()
