namespace Microsoft.ML.RobertaZh.Training;

/// <summary>Hyper-parameters of <see cref="AdamW"/>. Defaults are torch.optim.AdamW's, except weight decay (BERT's 0.01).</summary>
public sealed record AdamWOptions
{
    /// <summary>Exponential decay of the first moment. Default 0.9.</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>Exponential decay of the second moment. Default 0.999 (roberta_zh pretraining used 0.98).</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>Added to the denominator. torch's default is 1e-8; Google BERT and UER-py use 1e-6.</summary>
    public float Epsilon { get; init; } = 1e-8f;

    /// <summary>Decoupled weight decay, applied to tensors whose <see cref="Model.ParameterSlice.WeightDecay"/> is set. Default 0.01.</summary>
    public float WeightDecay { get; init; } = 0.01f;

    /// <summary>
    /// Divide the moments by (1 − βᵗ), as torch.optim.AdamW does. Google BERT's AdamWeightDecay and UER-py's AdamW
    /// (correct_bias=False) do not. Default true.
    /// </summary>
    public bool BiasCorrection { get; init; } = true;

    /// <summary>
    /// Apply the decay after the Adam update (p ← p − lr·wd·p with the updated p), as Hugging Face's old AdamW and
    /// UER-py do, instead of before it as torch.optim.AdamW does. Default false.
    /// </summary>
    public bool DecayAfterUpdate { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a value is outside its range.</summary>
    public void Validate()
    {
        if (Beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "must be in [0, 1).");
        if (Beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "must be in [0, 1).");
        if (!(Epsilon >= 0)) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "must be >= 0.");
        if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "must be >= 0.");
    }
}
