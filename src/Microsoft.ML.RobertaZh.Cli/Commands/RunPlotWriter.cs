using Microsoft.ML.RobertaZh.Plotting;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

/// <summary>
/// Draws a run's figures (learning curve, per-epoch validation metrics, sweep) as PNG and SVG beside its metrics.jsonl /
/// sweep.json. A plot that cannot be drawn is a warning, never the end of a training run.
/// </summary>
internal static class RunPlotWriter
{
    private static bool s_warned;

    /// <summary>Writes the figures of <paramref name="directory"/>; when <paramref name="announce"/>, says which on stderr.</summary>
    public static IReadOnlyList<string> Write(string directory, bool announce = true)
    {
        try
        {
            if (RunPlots.FontWarning is { } warning && !s_warned)
            {
                Console.Error.WriteLine($"roberta-zh: warning: {warning}");
                s_warned = true;
            }
            var files = RunPlots.Write(directory);
            if (announce && files.Count > 0)
                Console.Error.WriteLine($"plots: {string.Join(", ", files.Select(Path.GetFileName))} in {directory}");
            return files;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or DllNotFoundException or TypeInitializationException)
        {
            Console.Error.WriteLine($"roberta-zh: warning: could not draw the plots of {directory}: {e.Message}");
            return [];
        }
    }
}
