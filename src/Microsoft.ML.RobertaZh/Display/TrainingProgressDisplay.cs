using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Display;

/// <summary>A training progress report in notebooks: step, epoch, loss, learning rate, speed, time, evaluation.</summary>
internal sealed class TrainingProgressDisplay : DisplaySource<TrainingProgress>
{
    /// <inheritdoc />
    public override string Html(TrainingProgress value)
    {
        var rows = new List<(string, string)>
        {
            ("step", $"{value.Step:N0} / {value.TotalSteps:N0}"),
            ("epoch", N(value.Epoch, "0.00")),
            ("loss", N(value.Loss, "0.0000")),
        };
        if (double.IsFinite(value.MaskedLmAccuracy)) rows.Add(("masked-LM accuracy", N(value.MaskedLmAccuracy, "0.000")));
        rows.Add(("learning rate", N(value.LearningRate, "0.###E+0")));
        rows.Add(("gradient norm", N(value.GradientNorm, "0.000")));
        rows.Add(("tokens / s", N(value.TokensPerSecond, "N0")));
        rows.Add(("elapsed", E(value.Elapsed.ToString(@"h\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture))));
        rows.Add(("remaining", E(value.Remaining.ToString(@"h\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture))));
        foreach (var (name, metric) in value.Evaluation ?? new Dictionary<string, double>())
            rows.Add(($"held-out {name}", N(metric, "0.0000")));
        return Table("robertazh-training-progress", "Training progress", rows);
    }
}
