using System.Globalization;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

/// <summary>
/// Renders training progress on stderr: one line rewritten in place on a terminal, or a line every
/// <c>interval</c> seconds when stderr is redirected (logs, CI); evaluations always get a line of their own.
/// </summary>
internal sealed class ProgressPrinter(TimeSpan interval) : IProgress<TrainingProgress>
{
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private DateTime _lastLine = DateTime.MinValue;
    private bool _pending;

    public void Report(TrainingProgress p)
    {
        string line = string.Create(CultureInfo.InvariantCulture,
            $"step {p.Step}/{p.TotalSteps}  epoch {p.Epoch:F2}  loss {p.Loss:F4}{(double.IsNaN(p.MaskedLmAccuracy) ? "" : $"  mlm acc {p.MaskedLmAccuracy:F3}")}  lr {p.LearningRate:E2}  {p.TokensPerSecond:N0} tok/s  elapsed {Clock(p.Elapsed)}  eta {Clock(p.Remaining)}");
        if (p.Evaluation is { } e)
        {
            Flush();
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"eval @ step {p.Step}: ") +
                string.Join("  ", e.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:G5}"))));
        }
        if (_interactive)
        {
            Console.Error.Write("\r" + line.PadRight(Math.Min(Console.WindowWidth - 1, 150))[..Math.Min(line.Length, 150)] + "\u001b[K");
            _pending = true;
        }
        else if (DateTime.UtcNow - _lastLine >= interval || p.Step == p.TotalSteps)
        {
            Console.Error.WriteLine(line);
            _lastLine = DateTime.UtcNow;
        }
    }

    /// <summary>Ends the in-place line.</summary>
    public void Flush()
    {
        if (_pending) Console.Error.WriteLine();
        _pending = false;
    }

    private static string Clock(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:D2}:{t.Seconds:D2}")
        : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}:{t.Seconds:D2}");
}
