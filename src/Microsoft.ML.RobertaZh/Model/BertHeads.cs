namespace Microsoft.ML.RobertaZh.Model;

/// <summary>Which parts sit on top of the encoder.</summary>
/// <param name="Pooler">The tanh pooler over the first token (<c>bert.pooler.dense</c>).</param>
/// <param name="MaskedLm">The masked-LM head (<c>cls.predictions.*</c>; decoder tied to the word embeddings).</param>
/// <param name="NumLabels">Classes of the sequence-classification head on the pooler (<c>classifier.*</c>); 0 for none.</param>
public sealed record BertHeads(bool Pooler = true, bool MaskedLm = true, int NumLabels = 0)
{
    /// <summary>Encoder, pooler and masked-LM head: what pretraining needs.</summary>
    public static BertHeads Pretraining { get; } = new(Pooler: true, MaskedLm: true, NumLabels: 0);

    /// <summary>Encoder, pooler and a classification head over <paramref name="numLabels"/> classes.</summary>
    public static BertHeads Classification(int numLabels) => new(Pooler: true, MaskedLm: false, NumLabels: numLabels);
}
