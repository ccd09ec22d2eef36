using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Tests.Tokenization;

/// <summary>A hand-made vocabulary in the layout of google_zh_vocab (specials at 0 and 100–103), for exact-output tests.</summary>
internal static class TinyVocab
{
    public const int Pad = 0, Unk = 100, Cls = 101, Sep = 102, Mask = 103;

    public static readonly string[] Words =
    [
        "中", "国", "人", "##国", "##人", "你", "好", "a", "b", "c", "x", "y", "z", "1", "2", "3", ",", ".", "!", "?",
        "[", "]", "un", "##aff", "##able", "hello", "world", "##s", "e", "##e", "cafe", "naive", "pro", "##ba", "##bility",
        "iphone", "ok", "12306", "2015", "年", "σ", "##σ", "##ς", "𠮷", "##a", "##b", "丽", "(", ")", "$", "+", "~", "`",
        "don", "'", "t", "s", "i\u0307", "i",
    ];

    public static Vocabulary Create()
    {
        var tokens = new List<string> { "[PAD]" };
        for (int i = 1; i < 100; i++) tokens.Add($"[unused{i}]");
        tokens.AddRange(["[UNK]", "[CLS]", "[SEP]", "[MASK]"]);
        tokens.AddRange(Words);
        return new Vocabulary(tokens);
    }

    public static BertTokenizer Tokenizer(BertTokenizerOptions? options = null) => new(Create(), options);

    public static int Id(string token) => Create().GetId(token) ?? throw new ArgumentException(token);
}
