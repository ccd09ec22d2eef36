namespace Microsoft.ML.RobertaZh.Model;

/// <summary>
/// A padded batch of token sequences: (batch, seqLen) row-major arrays of input ids, token type ids and
/// attention mask (1 = real token, 0 = padding), plus optional training labels.
/// </summary>
public sealed class BertBatch
{
    /// <summary>Number of sequences.</summary>
    public int Batch { get; }

    /// <summary>Padded length of every sequence.</summary>
    public int SeqLen { get; }

    /// <summary>(batch, seqLen) token ids.</summary>
    public int[] InputIds { get; }

    /// <summary>(batch, seqLen) token type (segment) ids.</summary>
    public int[] TokenTypeIds { get; }

    /// <summary>(batch, seqLen): 1 for tokens to attend to, 0 for padding.</summary>
    public int[] AttentionMask { get; }

    /// <summary>(batch, seqLen) masked-LM targets, -100 where no prediction is made; null when not training the MLM head.</summary>
    public int[]? MaskedLmLabels { get; init; }

    /// <summary>(batch) class indexes; null when not training a classification head.</summary>
    public int[]? ClassLabels { get; init; }

    /// <summary>Wraps already padded (batch, seqLen) arrays; <paramref name="tokenTypeIds"/> and <paramref name="attentionMask"/> default to zeros and ones.</summary>
    public BertBatch(int batch, int seqLen, int[] inputIds, int[]? tokenTypeIds = null, int[]? attentionMask = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seqLen);
        ArgumentNullException.ThrowIfNull(inputIds);
        int n = batch * seqLen;
        if (inputIds.Length != n) throw new ArgumentException($"inputIds has {inputIds.Length} elements; batch × seqLen = {n}.", nameof(inputIds));
        if (tokenTypeIds is not null && tokenTypeIds.Length != n) throw new ArgumentException($"tokenTypeIds has {tokenTypeIds.Length} elements; batch × seqLen = {n}.", nameof(tokenTypeIds));
        if (attentionMask is not null && attentionMask.Length != n) throw new ArgumentException($"attentionMask has {attentionMask.Length} elements; batch × seqLen = {n}.", nameof(attentionMask));
        Batch = batch;
        SeqLen = seqLen;
        InputIds = inputIds;
        TokenTypeIds = tokenTypeIds ?? new int[n];
        AttentionMask = attentionMask ?? Enumerable.Repeat(1, n).ToArray();
    }

    /// <summary>
    /// Pads sequences of different lengths on the right to the longest one (HF's default padding side), with
    /// <paramref name="padTokenId"/>, token type 0 and attention mask 0. Per-sequence token types and masks are optional.
    /// </summary>
    public static BertBatch Pad(IReadOnlyList<IReadOnlyList<int>> inputIds, IReadOnlyList<IReadOnlyList<int>?>? tokenTypeIds = null,
        IReadOnlyList<IReadOnlyList<int>?>? attentionMasks = null, int padTokenId = 0)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.Count == 0) throw new ArgumentException("The batch is empty.", nameof(inputIds));
        int seqLen = inputIds.Max(s => s.Count);
        if (seqLen == 0) throw new ArgumentException("Every sequence is empty.", nameof(inputIds));
        int batch = inputIds.Count, n = batch * seqLen;
        var ids = new int[n]; var types = new int[n]; var mask = new int[n];
        Array.Fill(ids, padTokenId);
        for (int b = 0; b < batch; b++)
        {
            var seq = inputIds[b];
            var tt = tokenTypeIds?[b];
            var am = attentionMasks?[b];
            if (tt is not null && tt.Count != seq.Count) throw new ArgumentException($"Sequence {b}: token_type_ids has {tt.Count} entries, input_ids {seq.Count}.", nameof(tokenTypeIds));
            if (am is not null && am.Count != seq.Count) throw new ArgumentException($"Sequence {b}: attention_mask has {am.Count} entries, input_ids {seq.Count}.", nameof(attentionMasks));
            for (int t = 0; t < seq.Count; t++)
            {
                ids[b * seqLen + t] = seq[t];
                types[b * seqLen + t] = tt?[t] ?? 0;
                mask[b * seqLen + t] = am?[t] ?? 1;
            }
        }
        return new BertBatch(batch, seqLen, ids, types, mask);
    }

    /// <summary>Checks ids against the model's tables; throws <see cref="ArgumentException"/> naming the sequence and position.</summary>
    public void Validate(BertConfig config)
    {
        if (SeqLen > config.MaxPositionEmbeddings)
            throw new ArgumentException($"Sequences of length {SeqLen} exceed the model's max_position_embeddings ({config.MaxPositionEmbeddings}).");
        for (int i = 0; i < InputIds.Length; i++)
        {
            if ((uint)InputIds[i] >= (uint)config.VocabSize)
                throw new ArgumentException($"Sequence {i / SeqLen}, position {i % SeqLen}: input id {InputIds[i]} is outside the vocabulary (size {config.VocabSize}).");
            if ((uint)TokenTypeIds[i] >= (uint)config.TypeVocabSize)
                throw new ArgumentException($"Sequence {i / SeqLen}, position {i % SeqLen}: token type id {TokenTypeIds[i]} is outside [0, {config.TypeVocabSize}).");
            if (AttentionMask[i] is not (0 or 1))
                throw new ArgumentException($"Sequence {i / SeqLen}, position {i % SeqLen}: attention mask value {AttentionMask[i]} is not 0 or 1.");
            if (MaskedLmLabels is { } l && l[i] != -100 && (uint)l[i] >= (uint)config.VocabSize)
                throw new ArgumentException($"Sequence {i / SeqLen}, position {i % SeqLen}: masked-LM label {l[i]} is outside the vocabulary and is not -100.");
        }
        if (MaskedLmLabels is not null && MaskedLmLabels.Length != InputIds.Length)
            throw new ArgumentException($"MaskedLmLabels has {MaskedLmLabels.Length} entries; batch × seqLen = {InputIds.Length}.");
        if (ClassLabels is not null && ClassLabels.Length != Batch)
            throw new ArgumentException($"ClassLabels has {ClassLabels.Length} entries; the batch has {Batch} sequences.");
    }
}
