using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Transforms;

/// <summary><c>mlContext.Transforms.Text.TokenizeForRoberta(...)</c>: text to the id columns of a BERT graph.</summary>
public static class TokenizeForRobertaCatalog
{
    /// <summary>
    /// Tokenizes <paramref name="inputColumnName"/> (and <paramref name="pairColumnName"/> for sentence pairs) with the
    /// vocabulary at <paramref name="tokenizerPath"/> (a <c>vocab.txt</c>, or a model directory, whose
    /// <c>tokenizer_config.json</c> gives the settings) into <c>input_ids</c>, <c>attention_mask</c> and
    /// <c>token_type_ids</c> (Vector&lt;Int64&gt;): padded to <paramref name="maxLength"/> when
    /// <paramref name="fixedLength"/>, else each row at its own length. <c>ApplyOnnxModel</c> over a graph exported by
    /// <c>roberta-zh export-onnx</c> can follow directly.
    /// </summary>
    public static TokenizeForRobertaEstimator TokenizeForRoberta(this TransformsCatalog.TextTransforms catalog, string tokenizerPath,
        string inputColumnName = "Text", string? pairColumnName = null, int maxLength = 128, bool fixedLength = true,
        TruncationStrategy truncation = TruncationStrategy.LongestFirst)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(tokenizerPath);
        return new TokenizeForRobertaEstimator(new TokenizeForRobertaOptions
        {
            TokenizerPath = tokenizerPath, InputColumnName = inputColumnName, PairColumnName = pairColumnName, MaxLength = maxLength,
            FixedLength = fixedLength, Truncation = truncation,
        });
    }

    /// <summary>As the other overload, with an existing tokenizer (for example a fitted classifier's <c>Tokenizer</c>).</summary>
    public static TokenizeForRobertaEstimator TokenizeForRoberta(this TransformsCatalog.TextTransforms catalog, BertTokenizer tokenizer,
        string inputColumnName = "Text", string? pairColumnName = null, int maxLength = 128, bool fixedLength = true,
        TruncationStrategy truncation = TruncationStrategy.LongestFirst)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(tokenizer);
        return new TokenizeForRobertaEstimator(new TokenizeForRobertaOptions
        {
            Tokenizer = tokenizer, InputColumnName = inputColumnName, PairColumnName = pairColumnName, MaxLength = maxLength,
            FixedLength = fixedLength, Truncation = truncation,
        });
    }

    /// <summary>With every setting, including the output column names.</summary>
    public static TokenizeForRobertaEstimator TokenizeForRoberta(this TransformsCatalog.TextTransforms catalog, TokenizeForRobertaOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TokenizeForRobertaEstimator(options);
    }
}
