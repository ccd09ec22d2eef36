using Microsoft.ML.RobertaZh.Tokenization;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>How texts longer than the maximum sequence length are handled.</summary>
public enum LongTextStrategy
{
    /// <summary>Cut to the maximum length (longest_first for pairs, as Hugging Face's tokenizer does).</summary>
    Truncate,

    /// <summary>
    /// Single texts: overlapping windows of the maximum length, <c>Stride</c> tokens apart; training uses every window
    /// with the text's label and prediction averages the windows' class probabilities. Pairs are truncated.
    /// </summary>
    SlidingWindow,
}

/// <summary>Turns (text, optional second text, label) rows into model inputs, tokenizing each row once.</summary>
internal sealed class ClassificationEncoder(BertTokenizer tokenizer, int maxSequenceLength, LongTextStrategy strategy, int stride)
{
    public BertTokenizer Tokenizer => tokenizer;

    /// <summary>The inputs of one row: one example, or several windows of a long single text.</summary>
    public ClassificationExample[] Encode(string text, string? pair, int label)
    {
        if (strategy == LongTextStrategy.Truncate || pair is not null)
        {
            var e = tokenizer.Encode(text, pair, new EncodeOptions { MaxLength = maxSequenceLength });
            return [new ClassificationExample([.. e.Ids], [.. e.TypeIds], label)];
        }
        var full = tokenizer.Encode(text, options: new EncodeOptions { AddSpecialTokens = false });
        int body = maxSequenceLength - 2;
        var ids = full.Ids;
        int cls = tokenizer.Vocabulary.GetId(tokenizer.Options.ClassifierToken)!.Value, sep = tokenizer.Vocabulary.GetId(tokenizer.Options.SeparatorToken)!.Value;
        var windows = new List<ClassificationExample>();
        for (int start = 0; ; start += stride)
        {
            int length = Math.Min(body, ids.Count - start);
            var window = new int[length + 2];
            window[0] = cls;
            for (int i = 0; i < length; i++) window[i + 1] = ids[start + i];
            window[^1] = sep;
            windows.Add(new ClassificationExample(window, new int[window.Length], label));
            if (start + length >= ids.Count) break;
        }
        return [.. windows];
    }
}
