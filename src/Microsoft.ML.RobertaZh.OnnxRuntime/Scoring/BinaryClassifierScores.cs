using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Scoring;

/// <summary>The <c>logits</c> column of an exported binary classifier, as ApplyOnnxModel writes it.</summary>
public sealed class BinaryClassifierLogits
{
    /// <summary>logit₀ (false) and logit₁ (true).</summary>
    [ColumnName("logits")]
    public float[] Logits { get; set; } = [];
}

/// <summary>What ML.NET's binary evaluators read.</summary>
public sealed class BinaryClassifierScoreColumns
{
    /// <summary>The margin logit₁ − logit₀ (the evaluators threshold it at 0).</summary>
    public float Score { get; set; }

    /// <summary>sigmoid(Score) = softmax probability of the true class.</summary>
    public float Probability { get; set; }

    /// <summary>Score &gt; 0.</summary>
    public bool PredictedLabel { get; set; }
}

/// <summary>
/// Turns the <c>logits</c> of a binary classifier exported by <c>ExportOnnx</c> / <c>roberta-zh export-onnx</c> (scored by
/// <c>ApplyOnnxModel</c>) into the columns <c>mlContext.BinaryClassification.Evaluate</c> reads: <c>Score</c> (margin),
/// <c>Probability</c>, <c>PredictedLabel</c> — as this library's classifier transformer writes them. Use it as
/// <c>mlContext.Transforms.CustomMapping(new BinaryClassifierScores().GetMapping(), BinaryClassifierScores.Contract)</c>:
/// it has no state, so ML.NET's <c>Model.Save</c> stores it by contract name and <c>Model.Load</c> finds it again.
/// </summary>
[CustomMappingFactoryAttribute(Contract)]
public sealed class BinaryClassifierScores : CustomMappingFactory<BinaryClassifierLogits, BinaryClassifierScoreColumns>
{
    /// <summary>The contract name saved in model zips.</summary>
    public const string Contract = "Microsoft.ML.RobertaZh.BinaryClassifierScores.v1";

    /// <inheritdoc/>
    public override Action<BinaryClassifierLogits, BinaryClassifierScoreColumns> GetMapping() => (input, output) =>
    {
        if (input.Logits is not { Length: 2 } logits)
            throw new InvalidOperationException($"BinaryClassifierScores expects 2 logits per row (a binary classifier); got {input.Logits?.Length ?? 0}.");
        float margin = logits[1] - logits[0];
        output.Score = margin;
        output.Probability = 1f / (1f + MathF.Exp(-margin));
        output.PredictedLabel = margin > 0;
    };
}
