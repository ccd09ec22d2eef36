namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>One candidate for one <c>[MASK]</c>, as Hugging Face's fill-mask pipeline reports it.</summary>
/// <param name="Sequence">The input with this candidate in place of the mask (decoded text).</param>
/// <param name="Score">Probability of the candidate (softmax over the vocabulary).</param>
/// <param name="Token">The candidate's token id.</param>
/// <param name="TokenStr">The candidate's token text.</param>
[Display.TypeFormatterSource(typeof(Display.FillMaskResultDisplay), PreferredMimeTypes = ["text/html"])]
public sealed record FillMaskResult(string Sequence, float Score, int Token, string TokenStr);

/// <summary>How <see cref="RobertaEncoderTransformer.Embed"/> turns token states into one vector per text.</summary>
public enum EmbeddingPooling
{
    /// <summary>The final hidden state of <c>[CLS]</c>.</summary>
    Cls,

    /// <summary>The mean of the final hidden states of all real (non-padding) tokens, specials included (sentence-transformers' mean pooling).</summary>
    Mean,
}
