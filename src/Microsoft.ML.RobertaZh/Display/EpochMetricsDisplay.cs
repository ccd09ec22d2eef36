using System.Globalization;
using Microsoft.ML.RobertaZh.Estimators;

namespace Microsoft.ML.RobertaZh.Display;

/// <summary>
/// A fine-tuning epoch's validation metrics in notebooks, and a whole training history
/// (<see cref="RobertaClassifierTransformer.TrainingHistory"/>) as one table with the best epoch highlighted.
/// </summary>
internal sealed class EpochMetricsDisplay : DisplaySource<EpochMetrics>
{
    private static readonly string[] Header = ["epoch", "step", "validation accuracy", "validation log-loss", "seconds"];

    /// <inheritdoc />
    public override string Html(EpochMetrics value) => HistoryHtml([value]);

    /// <inheritdoc />
    public override string Plain(EpochMetrics value) => Line(value);

    /// <summary>The epochs as a table; the caption names the best validation accuracy (the epoch whose weights the model keeps).</summary>
    public static string HistoryHtml(IEnumerable<EpochMetrics> history)
    {
        var epochs = history.ToList();
        int best = Best(epochs);
        return HtmlText.Grid("robertazh-training-history", Caption(epochs, best), Header,
            epochs.Select((e, i) => new[]
            {
                e.Epoch.ToString(CultureInfo.InvariantCulture) + (i == best ? " ★" : ""), e.Step.ToString(CultureInfo.InvariantCulture),
                HtmlText.N(e.Accuracy, "0.000"), HtmlText.N(e.LogLoss, "0.000"), HtmlText.N(e.Seconds, "0.0"),
            }), i => i == best);
    }

    /// <summary>The epochs as lines of text, after the same caption.</summary>
    public static string HistoryPlain(IEnumerable<EpochMetrics> history)
    {
        var epochs = history.ToList();
        return string.Join('\n', [Caption(epochs, Best(epochs)), .. epochs.Select(Line)]);
    }

    private static string Line(EpochMetrics e) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {e.Epoch} (step {e.Step}): validation accuracy {HtmlText.N(e.Accuracy, "0.000")}, log-loss {HtmlText.N(e.LogLoss, "0.000")}, {HtmlText.N(e.Seconds, "0.0")} s");

    // The first epoch of highest accuracy, as the trainer chooses it; -1 when none has one.
    private static int Best(List<EpochMetrics> epochs)
    {
        int best = -1;
        for (int i = 0; i < epochs.Count; i++)
            if (double.IsFinite(epochs[i].Accuracy) && (best < 0 || epochs[i].Accuracy > epochs[best].Accuracy)) best = i;
        return best;
    }

    private static string Caption(List<EpochMetrics> epochs, int best) => (epochs.Count, best) switch
    {
        (1, _) => FormattableString.Invariant($"Validation after epoch {epochs[0].Epoch}"),
        (_, < 0) => FormattableString.Invariant($"Validation after each epoch ({epochs.Count} epochs)"),
        _ => FormattableString.Invariant($"Validation after each epoch: best accuracy {epochs[best].Accuracy:0.000} at epoch {epochs[best].Epoch} of {epochs.Count}"),
    };
}
