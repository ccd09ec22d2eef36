namespace Microsoft.ML.RobertaZh.Training;

/// <summary>
/// Linear warm-up from 0 to the peak rate, then linear decay to 0 at <see cref="TotalSteps"/>
/// (Hugging Face's get_linear_schedule_with_warmup; UER-py's and Google BERT's schedule).
/// </summary>
/// <param name="PeakLearningRate">The rate reached at the end of warm-up.</param>
/// <param name="WarmupSteps">Steps of linear warm-up.</param>
/// <param name="TotalSteps">Steps after which the rate is 0.</param>
public sealed record LearningRateSchedule(float PeakLearningRate, long WarmupSteps, long TotalSteps)
{
    /// <summary>A schedule whose warm-up is <paramref name="warmupProportion"/> of <paramref name="totalSteps"/> (truncated, as UER does).</summary>
    public static LearningRateSchedule WithWarmupProportion(float peakLearningRate, double warmupProportion, long totalSteps) =>
        new(peakLearningRate, (long)(warmupProportion * totalSteps), totalSteps);

    /// <summary>The rate for the update made after <paramref name="step"/> earlier updates (0-based, torch LambdaLR's count).</summary>
    public float At(long step)
    {
        double factor = step < WarmupSteps
            ? (double)step / Math.Max(1, WarmupSteps)
            : Math.Max(0.0, (double)(TotalSteps - step) / Math.Max(1, TotalSteps - WarmupSteps));
        return (float)(PeakLearningRate * factor);
    }
}
