using Microsoft.ML.RobertaZh.Segmentation;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Pretraining;

/// <summary>One packed pretraining sequence: [CLS] tokens [SEP] and a word-start flag per token.</summary>
internal readonly record struct PackedInstance(int[] Ids, byte[] WordStarts);

/// <summary>
/// Packs the sentences of one document into instances (roberta_zh's DOC-SENTENCES without NSP, UER's MlmDataset) and
/// marks where words start for whole-word masking. Thread-safe.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Each instance gets a target of max_seq_length − 2 tokens, or, with the short-sequence probability, a target drawn
/// uniformly from [2, max_seq_length − 2]. The target is drawn for every instance (Google draws once per document), from a
/// counter-based stream keyed by (seed, document index), so packing depends on neither thread count nor batching.</item>
/// <item>Whole sentences are added in order while they fit the target; then the instance is emitted and a new one starts.</item>
/// <item>A sentence that does not fit into an empty instance is cut into pieces of the target's length (the rest goes on in
/// the next instance); roberta_zh drops such sentences instead.</item>
/// <item>The last, possibly short, instance of a document is always kept (roberta_zh keeps it only above half the budget;
/// UER keeps it). Instances never mix documents; a document without tokens gives none.</item>
/// <item>Word starts: a token starts a word unless it is a ## continuation or lies in the same jieba word (accurate mode,
/// HMM on, run on each sentence) as the previous token; [CLS] and [SEP] are words of their own. Without a segmenter only the
/// ## rule applies (Google's whole-word masking).</item>
/// </list>
/// </remarks>
internal sealed class InstancePacker
{
    private static readonly EncodeOptions NoSpecials = new() { AddSpecialTokens = false };

    private readonly BertTokenizer _tokenizer;
    private readonly JiebaSegmenter? _segmenter;
    private readonly bool[] _continuation;
    private readonly int _budget, _clsId, _sepId;
    private readonly double _shortSeqProbability;
    private readonly ulong _seed;

    public InstancePacker(BertTokenizer tokenizer, JiebaSegmenter? segmenter, int maxSeqLength, double shortSeqProbability, ulong seed)
    {
        _tokenizer = tokenizer;
        _segmenter = segmenter;
        _budget = maxSeqLength - 2;
        _shortSeqProbability = shortSeqProbability;
        _seed = seed;
        var vocab = tokenizer.Vocabulary;
        string prefix = vocab.ContinuingSubwordPrefix;
        _continuation = [.. vocab.Tokens.Select(t => t.Length > prefix.Length && t.StartsWith(prefix, StringComparison.Ordinal))];
        _clsId = vocab.GetId(tokenizer.Options.ClassifierToken)!.Value;
        _sepId = vocab.GetId(tokenizer.Options.SeparatorToken)!.Value;
    }

    /// <summary>Adds the instances of <paramref name="document"/> to <paramref name="output"/>; returns the number of text tokens.</summary>
    public long Pack(CorpusDocument document, List<PackedInstance> output)
    {
        var random = MaskRandom.ForDocument(_seed, document.Index);
        var ids = new List<int>(_budget);
        var starts = new List<byte>(_budget);
        int target = DrawTarget(random);
        long tokens = 0;
        foreach (string sentence in document.Sentences)
        {
            var (sentenceIds, sentenceStarts) = Tokenize(sentence);
            tokens += sentenceIds.Length;
            for (int pos = 0; pos < sentenceIds.Length;)
            {
                int remaining = sentenceIds.Length - pos;
                if (ids.Count + remaining <= target)
                {
                    ids.AddRange(sentenceIds.AsSpan(pos));
                    starts.AddRange(sentenceStarts.AsSpan(pos));
                    pos += remaining;
                    continue;
                }
                if (ids.Count == 0)
                {
                    ids.AddRange(sentenceIds.AsSpan(pos, target));
                    starts.AddRange(sentenceStarts.AsSpan(pos, target));
                    pos += target;
                }
                Emit(ids, starts, output);
                target = DrawTarget(random);
            }
        }
        if (ids.Count > 0) Emit(ids, starts, output);
        return tokens;
    }

    /// <summary>The ids of one sentence and their word-start flags.</summary>
    internal (int[] Ids, byte[] WordStarts) Tokenize(string sentence)
    {
        var encoding = _tokenizer.Encode(sentence, options: NoSpecials);
        var ids = encoding.IdsSpan.ToArray();
        var flags = new byte[ids.Length];
        var offsets = encoding.Offsets;
        var words = _segmenter?.Tokenize(sentence);
        int word = 0, previousWord = -1;
        for (int t = 0; t < ids.Length; t++)
        {
            bool start = !_continuation[ids[t]];
            if (words is not null)
            {
                int at = offsets[t].Start;
                while (word < words.Count - 1 && words[word].End <= at) word++;
                if (word == previousWord) start = false;
                previousWord = word;
            }
            flags[t] = start ? (byte)1 : (byte)0;
        }
        return (ids, flags);
    }

    private int DrawTarget(MaskRandom random)
    {
        if (_budget < 2 || random.NextDouble() >= _shortSeqProbability) return _budget;
        return 2 + random.NextInt(_budget - 1);
    }

    private void Emit(List<int> ids, List<byte> starts, List<PackedInstance> output)
    {
        var instanceIds = new int[ids.Count + 2];
        var instanceStarts = new byte[ids.Count + 2];
        instanceIds[0] = _clsId;
        instanceIds[^1] = _sepId;
        instanceStarts[0] = instanceStarts[^1] = 1;
        ids.CopyTo(instanceIds, 1);
        starts.CopyTo(instanceStarts, 1);
        output.Add(new PackedInstance(instanceIds, instanceStarts));
        ids.Clear();
        starts.Clear();
    }
}
