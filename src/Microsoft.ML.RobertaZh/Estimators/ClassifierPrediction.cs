namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>The prediction of a classifier for one text (or pair).</summary>
/// <param name="PredictedLabel">The most probable class as a value of the training label's type (string, float, int, long, uint, bool; a key as its uint).</param>
/// <param name="PredictedLabelName">The same class as it is named in config.json's id2label.</param>
/// <param name="Score">Class probabilities (softmax; averaged over windows for long texts), in the order of <paramref name="Classes"/>.</param>
/// <param name="Classes">Class names in class order.</param>
public sealed record ClassifierPrediction(object PredictedLabel, string PredictedLabelName, IReadOnlyList<float> Score, IReadOnlyList<string> Classes)
{
    /// <summary>The probability of the positive class (the second class: label 1, "1" or true) for two classes; NaN otherwise.</summary>
    public float Probability => Score.Count == 2 ? Score[1] : float.NaN;
}
