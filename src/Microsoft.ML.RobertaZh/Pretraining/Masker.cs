using System.Buffers;

namespace Microsoft.ML.RobertaZh.Pretraining;

/// <summary>
/// Chooses the positions a masked language model predicts and corrupts them (Google BERT
/// <c>create_masked_lm_predictions</c> and UER <c>mask_seq</c>, see docs/specs.md §1.1 and §2.3).
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>num_to_predict = min(cap, max(1, round(length × probability))), rounding half to even as Python 3's round; the length
/// counts [CLS] and [SEP].</item>
/// <item>Candidates are all positions except [CLS], [SEP] and [PAD]. They are grouped into tokens, whole words (a word runs
/// from a position whose word-start flag is set up to the next one) or spans (walking left to right, each uncovered
/// candidate starts a span whose length is drawn from a geometric distribution truncated at the maximum, clipped at
/// non-candidates), as UER does.</item>
/// <item>Groups are shuffled; each is taken whole if it still fits under num_to_predict, otherwise skipped.</item>
/// <item>For each chosen position (for span masking: once per span) one uniform draw u decides: u &lt; 0.8 → [MASK],
/// u &lt; 0.9 → a random token drawn uniformly from the non-special ids, otherwise unchanged (UER's single draw). The label
/// is the original id; −100 elsewhere.</item>
/// </list>
/// Thread-safe: a masker holds no mutable state; randomness comes from the <see cref="MaskRandom"/> passed in.
/// </remarks>
public sealed class Masker
{
    /// <summary>The label of positions that are not predicted (PyTorch's ignore_index).</summary>
    public const int IgnoreLabel = -100;

    private readonly bool[] _unpredictable;
    private readonly int[] _randomIds;
    private readonly double[] _spanCumulative;

    /// <summary>Creates a masker.</summary>
    /// <param name="options">The masking options (validated).</param>
    /// <param name="vocabSize">Number of ids.</param>
    /// <param name="maskId">Id of [MASK].</param>
    /// <param name="unpredictableIds">Ids never chosen for prediction: [CLS], [SEP], [PAD].</param>
    /// <param name="specialIds">Ids never used as random replacements: every special token.</param>
    public Masker(MaskingOptions options, int vocabSize, int maskId, IEnumerable<int> unpredictableIds, IEnumerable<int> specialIds)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(unpredictableIds);
        ArgumentNullException.ThrowIfNull(specialIds);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        if ((uint)maskId >= (uint)vocabSize) throw new ArgumentOutOfRangeException(nameof(maskId), maskId, "The [MASK] id is outside the vocabulary.");
        Options = options;
        MaskId = maskId;
        _unpredictable = new bool[vocabSize];
        foreach (int id in unpredictableIds) _unpredictable[CheckId(id, vocabSize, nameof(unpredictableIds))] = true;
        var special = new bool[vocabSize];
        special[maskId] = true;
        foreach (int id in specialIds) special[CheckId(id, vocabSize, nameof(specialIds))] = true;
        _randomIds = [.. Enumerable.Range(0, vocabSize).Where(id => !special[id])];
        if (_randomIds.Length == 0 && options.RandomTokenRate > 0) throw new ArgumentException("Every id is special; there is no random replacement to draw.", nameof(specialIds));
        // Span lengths 1..max with weights p(1-p)^(k-1), as UER's get_span_len (its distribution is renormalized the same way).
        _spanCumulative = new double[options.SpanMaxLength];
        double total = 0, weight = options.SpanGeometricP;
        for (int k = 0; k < _spanCumulative.Length; k++, weight *= 1 - options.SpanGeometricP) _spanCumulative[k] = total += weight;
    }

    /// <summary>The options.</summary>
    public MaskingOptions Options { get; }

    /// <summary>Id of [MASK].</summary>
    public int MaskId { get; }

    /// <summary>The ids random replacements are drawn from (every non-special id), ascending.</summary>
    public IReadOnlyList<int> RandomReplacementIds => _randomIds;

    /// <summary>num_to_predict for a sequence of <paramref name="length"/> tokens ([CLS] and [SEP] included).</summary>
    public int PredictionCount(int length)
    {
        int count = Math.Max(1, (int)Math.Round(length * Options.Probability, MidpointRounding.ToEven));
        return Options.MaxPredictions > 0 ? Math.Min(Options.MaxPredictions, count) : count;
    }

    /// <summary>Masks one sequence.</summary>
    /// <param name="ids">The original token ids, [CLS] … [SEP], no padding.</param>
    /// <param name="wordStarts">One flag per token: nonzero where a word starts (used by whole-word masking).</param>
    /// <param name="inputIds">Receives the corrupted ids; same length as <paramref name="ids"/>.</param>
    /// <param name="labels">Receives the original ids at predicted positions and <see cref="IgnoreLabel"/> elsewhere.</param>
    /// <param name="random">The random stream; it advances.</param>
    /// <returns>The number of predicted positions.</returns>
    public int Mask(ReadOnlySpan<int> ids, ReadOnlySpan<byte> wordStarts, Span<int> inputIds, Span<int> labels, MaskRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        int n = ids.Length;
        if (wordStarts.Length != n) throw new ArgumentException($"wordStarts has {wordStarts.Length} flags for {n} ids.", nameof(wordStarts));
        if (inputIds.Length != n) throw new ArgumentException($"inputIds has length {inputIds.Length}; ids has {n}.", nameof(inputIds));
        if (labels.Length != n) throw new ArgumentException($"labels has length {labels.Length}; ids has {n}.", nameof(labels));
        ids.CopyTo(inputIds);
        labels.Fill(IgnoreLabel);
        if (n == 0) return 0;
        int target = PredictionCount(n);
        int[] starts = ArrayPool<int>.Shared.Rent(n), lengths = ArrayPool<int>.Shared.Rent(n);
        try
        {
            int groups = BuildGroups(ids, wordStarts, starts, lengths, random);
            for (int k = groups - 1; k > 0; k--)
            {
                int j = random.NextInt(k + 1);
                (starts[k], starts[j]) = (starts[j], starts[k]);
                (lengths[k], lengths[j]) = (lengths[j], lengths[k]);
            }
            int count = 0;
            bool perSpan = Options.Strategy == MaskingStrategy.Span;
            for (int g = 0; g < groups && count < target; g++)
            {
                if (count + lengths[g] > target) continue;
                double u = perSpan ? random.NextDouble() : 0;
                for (int p = starts[g]; p < starts[g] + lengths[g]; p++)
                {
                    if (!perSpan) u = random.NextDouble();
                    labels[p] = ids[p];
                    if (u < Options.MaskTokenRate) inputIds[p] = MaskId;
                    else if (u < Options.MaskTokenRate + Options.RandomTokenRate) inputIds[p] = _randomIds[random.NextInt(_randomIds.Length)];
                }
                count += lengths[g];
            }
            return count;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(starts);
            ArrayPool<int>.Shared.Return(lengths);
        }
    }

    private int BuildGroups(ReadOnlySpan<int> ids, ReadOnlySpan<byte> wordStarts, int[] starts, int[] lengths, MaskRandom random)
    {
        int groups = 0, n = ids.Length;
        for (int i = 0; i < n;)
        {
            if (!IsCandidate(ids[i])) { i++; continue; }
            int end = i + 1;
            switch (Options.Strategy)
            {
                case MaskingStrategy.WholeWord:
                    while (end < n && wordStarts[end] == 0 && IsCandidate(ids[end])) end++;
                    break;
                case MaskingStrategy.Span:
                    int length = SpanLength(random);
                    while (end < n && end - i < length && IsCandidate(ids[end])) end++;
                    break;
            }
            starts[groups] = i;
            lengths[groups++] = end - i;
            i = end;
        }
        return groups;
    }

    private bool IsCandidate(int id) => (uint)id >= (uint)_unpredictable.Length || !_unpredictable[id];

    private int SpanLength(MaskRandom random)
    {
        double u = random.NextDouble() * _spanCumulative[^1];
        for (int k = 0; k < _spanCumulative.Length - 1; k++)
            if (u < _spanCumulative[k]) return k + 1;
        return _spanCumulative.Length;
    }

    private static int CheckId(int id, int vocabSize, string name) =>
        (uint)id < (uint)vocabSize ? id : throw new ArgumentOutOfRangeException(name, id, "Id outside the vocabulary.");
}
