using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Transforms;

/// <summary>
/// Settings of <c>mlContext.Transforms.Text.TokenizeForRoberta</c>: which text column(s) to read, which tokenizer, how
/// long the id vectors are, and the names of the columns written (Hugging Face's input names by default, which are the
/// input names of graphs exported by <c>roberta-zh export-onnx</c>, so <c>ApplyOnnxModel</c> can follow directly).
/// </summary>
public sealed class TokenizeForRobertaOptions
{
    /// <summary>The text column (String). Default "Text".</summary>
    public string InputColumnName { get; set; } = "Text";

    /// <summary>The second text of sentence pairs (String), or null for single texts (the default).</summary>
    public string? PairColumnName { get; set; }

    /// <summary>
    /// Where the tokenizer comes from: a <c>vocab.txt</c> file, or a model directory holding one (with its
    /// <c>tokenizer_config.json</c>, when present, for the settings). Ignored when <see cref="Tokenizer"/> is set.
    /// </summary>
    public string? TokenizerPath { get; set; }

    /// <summary>A tokenizer to use as is (for example a classifier transformer's <c>Tokenizer</c>). Takes precedence over <see cref="TokenizerPath"/>.</summary>
    public BertTokenizer? Tokenizer { get; set; }

    /// <summary>Longest encoding in tokens, [CLS] and [SEP] included; longer texts are truncated. Default 128.</summary>
    public int MaxLength { get; set; } = 128;

    /// <summary>
    /// True (the default): every row is padded to <see cref="MaxLength"/> (pad id, type 0, mask 0) and the columns are
    /// vectors of known size <see cref="MaxLength"/>. False: each row keeps its own length (variable-size vectors; no
    /// compute spent on padding; <c>ApplyOnnxModel</c> accepts them too, as the graphs' sequence axis is dynamic).
    /// </summary>
    public bool FixedLength { get; set; } = true;

    /// <summary>Which side of a pair loses tokens when it is too long (Hugging Face's <c>truncation=</c>). Default longest first.</summary>
    public TruncationStrategy Truncation { get; set; } = TruncationStrategy.LongestFirst;

    /// <summary>The token id column written (Vector&lt;Int64&gt;). Default "input_ids".</summary>
    public string InputIdsColumnName { get; set; } = "input_ids";

    /// <summary>The attention mask column written (Vector&lt;Int64&gt;, 1 for tokens, 0 for padding). Default "attention_mask".</summary>
    public string AttentionMaskColumnName { get; set; } = "attention_mask";

    /// <summary>The token type column written (Vector&lt;Int64&gt;, 0 for the first text, 1 for the second), or null to leave it out. Default "token_type_ids".</summary>
    public string? TokenTypeIdsColumnName { get; set; } = "token_type_ids";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(InputColumnName, nameof(InputColumnName));
        if (PairColumnName is { Length: 0 }) throw new ArgumentException("PairColumnName must be null (single texts) or a column name.", nameof(PairColumnName));
        if (Tokenizer is null && string.IsNullOrEmpty(TokenizerPath))
            throw new ArgumentException("Give TokenizerPath (a vocab.txt or a model directory) or Tokenizer.", nameof(TokenizerPath));
        int minimum = PairColumnName is null ? 2 : 3;
        if (MaxLength < minimum)
            throw new ArgumentException($"MaxLength {MaxLength} leaves no room for text: it must be at least {minimum} ([CLS] and [SEP]{(PairColumnName is null ? "" : " twice")}).", nameof(MaxLength));
        ArgumentException.ThrowIfNullOrEmpty(InputIdsColumnName, nameof(InputIdsColumnName));
        ArgumentException.ThrowIfNullOrEmpty(AttentionMaskColumnName, nameof(AttentionMaskColumnName));
        if (TokenTypeIdsColumnName is { Length: 0 }) throw new ArgumentException("TokenTypeIdsColumnName must be null (no column) or a column name.", nameof(TokenTypeIdsColumnName));
        var outputs = new[] { InputIdsColumnName, AttentionMaskColumnName, TokenTypeIdsColumnName }.OfType<string>().ToList();
        if (outputs.Distinct(StringComparer.Ordinal).Count() != outputs.Count)
            throw new ArgumentException($"The output columns need distinct names; got {string.Join(", ", outputs)}.", nameof(InputIdsColumnName));
    }

    /// <summary>The tokenizer these options name: <see cref="Tokenizer"/>, or the one loaded from <see cref="TokenizerPath"/>.</summary>
    /// <exception cref="FileNotFoundException">The path is neither a vocab.txt nor a directory holding one.</exception>
    internal BertTokenizer ResolveTokenizer()
    {
        if (Tokenizer is not null) return Tokenizer;
        string path = TokenizerPath!;
        if (Directory.Exists(path))
        {
            string vocab = Path.Combine(path, "vocab.txt");
            if (!File.Exists(vocab)) throw new FileNotFoundException($"TokenizeForRoberta: the directory {path} has no vocab.txt.", vocab);
            return BertTokenizer.Load(vocab);
        }
        if (!File.Exists(path)) throw new FileNotFoundException($"TokenizeForRoberta: {path} is neither a vocab.txt file nor a model directory.", path);
        return BertTokenizer.Load(path);
    }
}
