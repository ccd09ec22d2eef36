using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Scoring;

/// <summary>The <c>probabilities</c> column of an exported classifier, as ApplyOnnxModel writes it.</summary>
public sealed class ClassifierProbabilities
{
    /// <summary>softmax(logits), one per class in logit order.</summary>
    [ColumnName("probabilities")]
    public float[] Probabilities { get; set; } = [];
}

/// <summary>The predicted class of a multiclass row.</summary>
public sealed class MulticlassPredictedLabel
{
    /// <summary>The most probable class, numbered from 1 in logit order (the raw value of ML.NET's key labels: key k is class k − 1).</summary>
    public uint PredictedLabel { get; set; }
}

/// <summary>
/// The <c>PredictedLabel</c> column (argmax + 1) that <c>mlContext.MulticlassClassification.Evaluate</c> binds, from the
/// <c>probabilities</c> output of an exported classifier (which, being a vector of known size, is the evaluator's score
/// column as it is: copy it to <c>Score</c> or pass <c>scoreColumnName: "probabilities"</c>). Stateless, so ML.NET's
/// <c>Model.Save</c>/<c>Model.Load</c> keep it: <c>mlContext.Transforms.CustomMapping(new MulticlassClassifierScores().GetMapping(),
/// MulticlassClassifierScores.Contract)</c>. The class names are the model's <c>labels</c> metadata.
/// </summary>
[CustomMappingFactoryAttribute(Contract)]
public sealed class MulticlassClassifierScores : CustomMappingFactory<ClassifierProbabilities, MulticlassPredictedLabel>
{
    /// <summary>The contract name saved in model zips.</summary>
    public const string Contract = "Microsoft.ML.RobertaZh.MulticlassClassifierScores.v1";

    /// <inheritdoc/>
    public override Action<ClassifierProbabilities, MulticlassPredictedLabel> GetMapping() => (input, output) =>
    {
        if (input.Probabilities is not { Length: > 0 } p)
            throw new InvalidOperationException("MulticlassClassifierScores expects the classifier's probabilities; the row has none.");
        output.PredictedLabel = (uint)System.Numerics.Tensors.TensorPrimitives.IndexOfMax(p) + 1;
    };
}
