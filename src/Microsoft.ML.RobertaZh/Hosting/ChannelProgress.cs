using System.Globalization;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Hosting;

/// <summary>
/// Forwards training progress to the user's callback and to an ML.NET channel, so it appears in <c>MLContext.Log</c>
/// (ML.NET's progress channel never reaches MLContext users): every logged update as a Trace message, every evaluation
/// as an Info message.
/// </summary>
internal sealed class ChannelProgress(IChannel channel, IProgress<TrainingProgress>? user) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress p)
    {
        channel.Trace(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
            $"step {p.Step}/{p.TotalSteps} epoch {p.Epoch:F2} loss {p.Loss:F4} lr {p.LearningRate:E2} {p.TokensPerSecond:F0} tokens/s"));
        if (p.Evaluation is { } e)
            channel.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture, $"evaluation at step {p.Step}: ")
                + string.Join(", ", e.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:G5}"))));
        user?.Report(p);
    }
}
