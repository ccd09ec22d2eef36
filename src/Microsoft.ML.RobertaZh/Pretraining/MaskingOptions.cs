using System.Globalization;

namespace Microsoft.ML.RobertaZh.Pretraining;

/// <summary>Which tokens are chosen together for masked-language-model prediction.</summary>
public enum MaskingStrategy
{
    /// <summary>Each token on its own (Google BERT, UER default).</summary>
    Token,

    /// <summary>Every character or word piece of a jieba word together (Chinese whole-word masking).</summary>
    WholeWord,

    /// <summary>Contiguous spans of geometric length (SpanBERT; UER's <c>--span_masking</c>).</summary>
    Span,
}

/// <summary>Masked-language-model masking: how many tokens are predicted, which ones, and what the model sees there.</summary>
public sealed record MaskingOptions
{
    /// <summary>Fraction of the sequence (with [CLS] and [SEP]) to predict; 0.15 as in BERT and UER (roberta_zh used 0.10).</summary>
    public double Probability { get; init; } = 0.15;

    /// <summary>Cap on predictions per sequence (Google's max_predictions_per_seq; roberta_zh used 23); 0 for no cap (UER).</summary>
    public int MaxPredictions { get; init; } = 20;

    /// <summary>How prediction positions are grouped.</summary>
    public MaskingStrategy Strategy { get; init; } = MaskingStrategy.WholeWord;

    /// <summary>Parameter p of the geometric span length distribution (span masking).</summary>
    public double SpanGeometricP { get; init; } = 0.2;

    /// <summary>Longest span (span masking); the geometric distribution is truncated here.</summary>
    public int SpanMaxLength { get; init; } = 10;

    /// <summary>Fraction of predicted tokens replaced by [MASK] (the rest of the 80/10/10 rule splits between random and kept).</summary>
    public double MaskTokenRate { get; init; } = 0.8;

    /// <summary>Fraction of predicted tokens replaced by a random non-special token.</summary>
    public double RandomTokenRate { get; init; } = 0.1;

    /// <summary>Fresh masks every epoch (RoBERTa); false stores <see cref="DuplicationFactor"/> masked copies in the shards.</summary>
    public bool Dynamic { get; init; } = true;

    /// <summary>Static masking only: number of differently masked copies stored (Google's dupe_factor); epoch e uses copy e mod this.</summary>
    public int DuplicationFactor { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (!(Probability is > 0 and <= 1)) throw new ArgumentException($"Masking probability must be in (0, 1]; got {Probability}.");
        if (MaxPredictions < 0) throw new ArgumentException($"MaxPredictions must be >= 0 (0 = no cap); got {MaxPredictions}.");
        if (!Enum.IsDefined(Strategy)) throw new ArgumentException($"Unknown masking strategy {Strategy}.");
        if (!(SpanGeometricP is > 0 and <= 1)) throw new ArgumentException($"SpanGeometricP must be in (0, 1]; got {SpanGeometricP}.");
        if (SpanMaxLength < 1) throw new ArgumentException($"SpanMaxLength must be >= 1; got {SpanMaxLength}.");
        if (!(MaskTokenRate >= 0 && RandomTokenRate >= 0 && MaskTokenRate + RandomTokenRate <= 1))
            throw new ArgumentException($"MaskTokenRate ({MaskTokenRate}) and RandomTokenRate ({RandomTokenRate}) must be >= 0 with a sum <= 1.");
        if (DuplicationFactor < 1) throw new ArgumentException($"DuplicationFactor must be >= 1; got {DuplicationFactor}.");
        if (Dynamic && DuplicationFactor != 1) throw new ArgumentException("DuplicationFactor applies to static masking only (Dynamic = false).");
    }

    /// <summary>A canonical description, used in the dataset settings hash.</summary>
    internal string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"p={Probability:R};cap={MaxPredictions};strategy={Strategy};geo={SpanGeometricP:R};spanmax={SpanMaxLength};mask={MaskTokenRate:R};random={RandomTokenRate:R};dynamic={Dynamic};dupe={DuplicationFactor}");
}
