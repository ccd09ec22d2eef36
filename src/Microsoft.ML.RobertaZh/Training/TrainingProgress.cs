namespace Microsoft.ML.RobertaZh.Training;

/// <summary>What <see cref="TrainingLoop"/> reports after each logged update (values averaged since the previous report).</summary>
[Display.TypeFormatterSource(typeof(Display.TrainingProgressDisplay), PreferredMimeTypes = ["text/html"])]
public sealed record TrainingProgress
{
    /// <summary>Updates completed.</summary>
    public long Step { get; init; }

    /// <summary>Updates the run will make in total.</summary>
    public long TotalSteps { get; init; }

    /// <summary>Epochs of data consumed.</summary>
    public double Epoch { get; init; }

    /// <summary>Mean total loss.</summary>
    public double Loss { get; init; }

    /// <summary>Masked-LM accuracy (correct / predicted tokens), or NaN without MLM labels.</summary>
    public double MaskedLmAccuracy { get; init; } = double.NaN;

    /// <summary>Learning rate of the last update.</summary>
    public double LearningRate { get; init; }

    /// <summary>Global gradient norm before clipping, of the last update.</summary>
    public double GradientNorm { get; init; }

    /// <summary>Non-padding tokens per second since the previous report.</summary>
    public double TokensPerSecond { get; init; }

    /// <summary>Wall-clock time spent training (across resumes).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Estimated time to the last update.</summary>
    public TimeSpan Remaining { get; init; }

    /// <summary>Evaluation metrics, when this report follows an evaluation.</summary>
    public IReadOnlyDictionary<string, double>? Evaluation { get; init; }
}
