using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Evaluation;

namespace Microsoft.ML.RobertaZh.Display;

/// <summary>How one type renders in notebooks, as HTML and as plain text.</summary>
/// <param name="Type">The type (or interface) the display applies to, including subclasses and implementations.</param>
/// <param name="Html">The HTML of a value of <paramref name="Type"/>.</param>
/// <param name="Plain">The plain text of a value of <paramref name="Type"/>.</param>
internal sealed record TypeDisplay(Type Type, Func<object, string> Html, Func<object, string> Plain);

/// <summary>
/// Displays for types that cannot carry <see cref="TypeFormatterSourceAttribute"/>: ML.NET's own metric objects, and
/// sequences of our records (a list's items would otherwise render one by one inside the kernel's generic list
/// table). <see cref="NotebookFormatters"/> registers them with the kernel.
/// </summary>
internal static class RegisteredDisplays
{
    /// <summary>Every registered display.</summary>
    public static IReadOnlyList<TypeDisplay> All { get; } =
    [
        // ML.NET's metrics: CalibratedBinaryClassificationMetrics is matched through its base type.
        new(typeof(BinaryClassificationMetrics), o => ((BinaryClassificationMetrics)o).ToHtml(), o => ((BinaryClassificationMetrics)o).ToTable()),
        new(typeof(MulticlassClassificationMetrics), o => ((MulticlassClassificationMetrics)o).ToHtml(), o => ((MulticlassClassificationMetrics)o).ToTable()),
        new(typeof(ConfusionMatrix), o => ((ConfusionMatrix)o).ToHtml(), o => ((ConfusionMatrix)o).ToTable()),
        // A fine-tuning run's history (RobertaClassifierTransformer.TrainingHistory).
        new(typeof(IEnumerable<EpochMetrics>), o => EpochMetricsDisplay.HistoryHtml((IEnumerable<EpochMetrics>)o), o => EpochMetricsDisplay.HistoryPlain((IEnumerable<EpochMetrics>)o)),
        // Predict(texts).
        new(typeof(IEnumerable<ClassifierPrediction>), o => ClassifierPredictionDisplay.ListHtml((IEnumerable<ClassifierPrediction>)o), o => ClassifierPredictionDisplay.ListPlain((IEnumerable<ClassifierPrediction>)o)),
        // FillMask(text)[i]: one mask's candidates; FillMask(text): every mask's.
        new(typeof(IEnumerable<FillMaskResult>), o => FillMaskResultDisplay.CandidatesHtml((IEnumerable<FillMaskResult>)o), o => FillMaskResultDisplay.CandidatesPlain((IEnumerable<FillMaskResult>)o)),
        new(typeof(IEnumerable<IEnumerable<FillMaskResult>>), o => FillMaskResultDisplay.MasksHtml((IEnumerable<IEnumerable<FillMaskResult>>)o), o => FillMaskResultDisplay.MasksPlain((IEnumerable<IEnumerable<FillMaskResult>>)o)),
    ];
}
