namespace Microsoft.ML.RobertaZh.Tokenization;

/// <summary>How <see cref="BertTokenizer.Encode"/> truncates a pair that is too long (HF <c>truncation=</c>).</summary>
public enum TruncationStrategy
{
    /// <summary>
    /// Remove tokens from the longer side; for a pair with both sides cut, the budget is split in half and an odd token
    /// goes to the originally longer side (the second on ties), as HF's fast tokenizer does.
    /// </summary>
    LongestFirst,

    /// <summary>Remove tokens from the first text only; an error if it is too short.</summary>
    OnlyFirst,

    /// <summary>Remove tokens from the second text only; an error if there is none or it is too short.</summary>
    OnlySecond,
}

/// <summary>Padding of encodings (HF <c>padding=</c>); padding goes on the right with the pad id, type id 0 and mask 0.</summary>
public enum PaddingStrategy
{
    /// <summary>No padding.</summary>
    None,

    /// <summary>Pad every encoding of a batch to the longest one.</summary>
    Longest,

    /// <summary>Pad to <see cref="EncodeOptions.MaxLength"/>.</summary>
    MaxLength,
}

/// <summary>Per-call settings of <see cref="BertTokenizer.Encode"/> and <see cref="BertTokenizer.EncodeBatch"/>.</summary>
public sealed class EncodeOptions
{
    /// <summary>The defaults: special tokens added, no truncation, no padding.</summary>
    public static EncodeOptions Default { get; } = new();

    /// <summary>Longest result in tokens, special tokens included; null means no truncation.</summary>
    public int? MaxLength { get; init; }

    /// <summary>Which side loses tokens when <see cref="MaxLength"/> is exceeded. Default <see cref="TruncationStrategy.LongestFirst"/>.</summary>
    public TruncationStrategy Truncation { get; init; } = TruncationStrategy.LongestFirst;

    /// <summary>Padding. Default <see cref="PaddingStrategy.None"/>.</summary>
    public PaddingStrategy Padding { get; init; } = PaddingStrategy.None;

    /// <summary>When set, padded lengths are rounded up to a multiple of this (HF <c>pad_to_multiple_of</c>).</summary>
    public int? PadToMultipleOf { get; init; }

    /// <summary>Add [CLS] and [SEP] around the text(s). Default true.</summary>
    public bool AddSpecialTokens { get; init; } = true;
}
