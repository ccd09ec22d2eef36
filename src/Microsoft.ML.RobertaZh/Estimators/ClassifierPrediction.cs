namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>The prediction of a classifier for one text (or pair), from <see cref="RobertaClassifierTransformer.Predict(string, string?)"/>.</summary>
/// <param name="PredictedLabel">The most probable class's name (binary: "1" for true, "0" for false; multiclass: the label's key value).</param>
/// <param name="Probabilities">Class probabilities (softmax; averaged over windows for long texts), in the order of <paramref name="Classes"/>.</param>
/// <param name="Classes">Class names in class order.</param>
[Display.TypeFormatterSource(typeof(Display.ClassifierPredictionDisplay), PreferredMimeTypes = ["text/html"])]
public sealed record ClassifierPrediction(string PredictedLabel, IReadOnlyList<float> Probabilities, IReadOnlyList<string> Classes)
{
    /// <summary>The probability of the positive class (the second: true) for two classes; NaN otherwise.</summary>
    public float Probability => Probabilities.Count == 2 ? Probabilities[1] : float.NaN;
}
