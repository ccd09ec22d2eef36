using Microsoft.ML.RobertaZh.Estimators;

namespace Microsoft.ML.RobertaZh.Display;

/// <summary>A classifier's prediction in notebooks: the predicted class and every class's probability; a list as one table.</summary>
internal sealed class ClassifierPredictionDisplay : DisplaySource<ClassifierPrediction>
{
    /// <inheritdoc />
    public override string Html(ClassifierPrediction value) => ListHtml([value]);

    /// <inheritdoc />
    public override string Plain(ClassifierPrediction value) => PlainOf(value);

    private static string PlainOf(ClassifierPrediction value) =>
        $"{value.PredictedLabel}  (" + string.Join(", ", value.Classes.Select((c, i) => $"P({c}) = {HtmlText.N(value.Probabilities[i], "0.000")}")) + ")";

    /// <summary>Predictions as a table: one row each, the predicted class, then the probability of each class (of the first prediction's classes).</summary>
    public static string ListHtml(IEnumerable<ClassifierPrediction> predictions)
    {
        var list = predictions.ToList();
        var classes = list.Count > 0 ? list[0].Classes : [];
        return HtmlText.Grid("robertazh-predictions", list.Count == 1 ? "Prediction" : $"{list.Count} predictions",
            ["#", "predicted", .. classes.Select(c => $"P({c})")],
            list.Select((p, i) => (string[])[(i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), p.PredictedLabel,
                .. classes.Select((_, c) => c < p.Probabilities.Count ? HtmlText.N(p.Probabilities[c], "0.000") : "–")]));
    }

    /// <summary>Predictions as lines of text.</summary>
    public static string ListPlain(IEnumerable<ClassifierPrediction> predictions) =>
        string.Join('\n', predictions.Select(PlainOf));
}
