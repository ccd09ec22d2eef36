using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Tests.Estimators;

/// <summary>A toy sentiment task (one telling character among filler) and a tiny model directory to fine-tune from.</summary>
internal static class ClassifierFixtures
{
    public const string Positive = "好喜欢爱棒赞美妙";
    public const string Negative = "坏讨厌恨差烂糟糕";
    public const string Neutral = "我你他的是在有了这个人天";

    public static BertTokenizer Tokenizer() =>
        new(new Vocabulary(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "。", .. (Positive + Negative + Neutral).Select(c => c.ToString())]));

    /// <summary>Reviews whose sentiment is carried by one character among filler; label 1 is positive.</summary>
    public static List<(string Text, int Label)> Reviews(int count, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            int label = i % 2;
            string words = label == 1 ? Positive : Negative;
            var chars = Enumerable.Range(0, rng.Next(4, 10)).Select(_ => Neutral[rng.Next(Neutral.Length)]).ToList();
            chars.Insert(rng.Next(chars.Count), words[rng.Next(words.Length)]);
            return (string.Concat(chars) + "。", label);
        })];
    }

    /// <summary>A tiny masked language model (hidden 32, 2 layers, no pooler), as pretraining leaves it.</summary>
    public static RobertaEncoderTransformer Pretrained(int seed = 3)
    {
        var tokenizer = Tokenizer();
        var model = BertModel.Create(new BertConfig
        {
            VocabSize = tokenizer.Vocabulary.Count, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 2, IntermediateSize = 64,
            MaxPositionEmbeddings = 64,
        }, new BertHeads(Pooler: false, MaskedLm: true), seed);
        return new RobertaEncoderTransformer(model, tokenizer);
    }

    /// <summary>Writes <see cref="Pretrained"/> as a model directory (config.json, model.safetensors, vocab.txt).</summary>
    public static string ModelDirectory(string root)
    {
        string dir = Path.Combine(root, "start");
        Pretrained().Save(dir);
        return dir;
    }
}

/// <summary>A row of the toy task with a Boolean label (binary classification).</summary>
public sealed class BinaryReview
{
    /// <summary>The text.</summary>
    public string Sentence1 { get; set; } = "";

    /// <summary>True for a positive review.</summary>
    public bool Label { get; set; }
}

/// <summary>A row with a text label (multiclass, through MapValueToKey).</summary>
public sealed class NamedReview
{
    /// <summary>The text.</summary>
    public string Sentence1 { get; set; } = "";

    /// <summary>The class name.</summary>
    public string Label { get; set; } = "";
}

/// <summary>A sentence-pair row.</summary>
public sealed class PairRow
{
    /// <summary>The first text.</summary>
    public string Sentence1 { get; set; } = "";

    /// <summary>The second text.</summary>
    public string Sentence2 { get; set; } = "";

    /// <summary>The label.</summary>
    public bool Label { get; set; }
}

/// <summary>Rows of the toy task for LoadFromEnumerable.</summary>
internal static class ToyRows
{
    public static List<BinaryReview> Binary(int count, int seed) =>
        [.. ClassifierFixtures.Reviews(count, seed).Select(r => new BinaryReview { Sentence1 = r.Text, Label = r.Label == 1 })];

    /// <summary>Three classes: 好 reviews "正面", 坏 reviews "负面", and neutral texts "中性".</summary>
    public static List<NamedReview> Named(int count, int seed)
    {
        var rng = new Random(seed);
        return [.. ClassifierFixtures.Reviews(count, seed).Select((r, i) => i % 3 == 2
            ? new NamedReview { Sentence1 = string.Concat(Enumerable.Range(0, 6).Select(_ => ClassifierFixtures.Neutral[rng.Next(ClassifierFixtures.Neutral.Length)])) + "。", Label = "中性" }
            : new NamedReview { Sentence1 = r.Text, Label = r.Label == 1 ? "正面" : "负面" })];
    }
}
