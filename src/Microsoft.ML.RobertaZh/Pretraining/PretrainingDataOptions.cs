using System.Globalization;

namespace Microsoft.ML.RobertaZh.Pretraining;

/// <summary>Settings of <see cref="PretrainingDataset.Preprocess"/>. Every one but the thread count is part of the settings hash.</summary>
public sealed record PretrainingDataOptions
{
    /// <summary>Sequence length with [CLS] and [SEP] (128 in BERT phase 1 and UER's miniatures; roberta_zh used 256).</summary>
    public int MaxSeqLength { get; init; } = 128;

    /// <summary>Probability that an instance's target length is drawn uniformly from [2, MaxSeqLength − 2] (Google's short_seq_prob).</summary>
    public double ShortSeqProbability { get; init; } = 0.1;

    /// <summary>Layout of the corpus file.</summary>
    public CorpusFormat Format { get; init; } = CorpusFormat.Auto;

    /// <summary>Masking options; with <see cref="MaskingOptions.Dynamic"/> off the masks are computed here and stored.</summary>
    public MaskingOptions Masking { get; init; } = new();

    /// <summary>Seed of packing, static masks and (by default) of the batch order and dynamic masks.</summary>
    public ulong Seed { get; init; } = 12345;

    /// <summary>
    /// Number of documents held out for evaluation, spread evenly over the corpus (document d is held out when
    /// ⌊(d+1)·N/D⌋ &gt; ⌊d·N/D⌋); they form <see cref="PretrainingDataset.HeldOut"/>. Needs one extra pass to count documents.
    /// </summary>
    public int HoldOutDocuments { get; init; }

    /// <summary>Longest accepted corpus line in UTF-16 code units.</summary>
    public int MaxLineLength { get; init; } = CorpusReader.DefaultMaxLineLength;

    /// <summary>A shard is closed once it holds this many tokens (it ends at an instance boundary).</summary>
    public int MaxShardTokens { get; init; } = 1 << 23;

    /// <summary>Worker threads; null or 0 for all cores. The output does not depend on it.</summary>
    public int? DegreeOfParallelism { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (MaxSeqLength < 3) throw new ArgumentException($"MaxSeqLength must be at least 3 ([CLS], one token, [SEP]); got {MaxSeqLength}.");
        if (!(ShortSeqProbability is >= 0 and <= 1)) throw new ArgumentException($"ShortSeqProbability must be in [0, 1]; got {ShortSeqProbability}.");
        if (!Enum.IsDefined(Format)) throw new ArgumentException($"Unknown corpus format {Format}.");
        ArgumentNullException.ThrowIfNull(Masking);
        Masking.Validate();
        if (HoldOutDocuments < 0) throw new ArgumentException($"HoldOutDocuments must be >= 0; got {HoldOutDocuments}.");
        if (MaxLineLength < 1) throw new ArgumentException($"MaxLineLength must be positive; got {MaxLineLength}.");
        if (MaxShardTokens < MaxSeqLength) throw new ArgumentException($"MaxShardTokens ({MaxShardTokens}) must be at least MaxSeqLength ({MaxSeqLength}).");
        if (DegreeOfParallelism < 0) throw new ArgumentException($"DegreeOfParallelism must be >= 0; got {DegreeOfParallelism}.");
    }

    /// <summary>A canonical description of everything that changes the shards.</summary>
    internal string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"seq={MaxSeqLength};short={ShortSeqProbability:R};format={Format};seed={Seed};holdout={HoldOutDocuments};maxline={MaxLineLength};shard={MaxShardTokens};masking={(Masking.Dynamic ? "dynamic" : Masking.Describe())}");
}

/// <summary>Progress of <see cref="PretrainingDataset.Preprocess"/>, reported after each batch of documents.</summary>
/// <param name="Documents">Documents processed (training and held out).</param>
/// <param name="Instances">Instances written.</param>
/// <param name="Tokens">Text tokens (without [CLS]/[SEP]).</param>
/// <param name="BytesRead">Corpus bytes consumed.</param>
/// <param name="TotalBytes">Corpus size in bytes.</param>
/// <param name="Elapsed">Time since the start.</param>
public readonly record struct PreprocessProgress(long Documents, long Instances, long Tokens, long BytesRead, long TotalBytes, TimeSpan Elapsed)
{
    /// <summary>Documents per second.</summary>
    public double DocumentsPerSecond => Elapsed.TotalSeconds > 0 ? Documents / Elapsed.TotalSeconds : 0;

    /// <summary>Tokens per second.</summary>
    public double TokensPerSecond => Elapsed.TotalSeconds > 0 ? Tokens / Elapsed.TotalSeconds : 0;

    /// <summary>Fraction of the corpus consumed, in [0, 1].</summary>
    public double Fraction => TotalBytes > 0 ? Math.Min(1, (double)BytesRead / TotalBytes) : 1;
}
