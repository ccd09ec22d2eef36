namespace Microsoft.ML.RobertaZh.Plotting;

/// <summary>Writes a run's figures as PNG and SVG beside the files they are drawn from.</summary>
public static class RunPlots
{
    /// <summary>Base names of the files written (each as <c>.png</c> and <c>.svg</c>).</summary>
    public const string LearningCurve = "learning_curve", ValidationMetrics = "validation_metrics", Sweep = "sweep";

    /// <summary>
    /// Null when Skia finds a font; otherwise why the figures would have no text at all (no title, labels or legend)
    /// and how to fix it. Skia's Linux build used here reads fonts from /usr/share/fonts without fontconfig.
    /// </summary>
    public static string? FontWarning => HasGlyphs.Value
        ? null
        : "no font is installed, so the plots carry no text (titles, axis labels, legends); install one, e.g. " +
          "'apt-get install fonts-dejavu-core' on Debian or Ubuntu, or any TrueType font under /usr/share/fonts";

    private static readonly Lazy<bool> HasGlyphs = new(() => SkiaSharp.SKTypeface.Default.GlyphCount > 0
        || SkiaSharp.SKFontManager.Default.GetFontFamilies().Any(f => SkiaSharp.SKFontManager.Default.MatchFamily(f)?.GlyphCount > 0));

    /// <summary>
    /// Draws what <paramref name="directory"/> holds: from <c>metrics.jsonl</c> the learning curve and, for a
    /// fine-tuning run, the per-epoch validation metrics; from <c>sweep.json</c> the sweep's trials. Returns the paths
    /// written (none when neither file is there).
    /// </summary>
    /// <exception cref="InvalidDataException">A metrics or sweep file is malformed.</exception>
    public static IReadOnlyList<string> Write(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var written = new List<string>();
        string metrics = Path.Combine(directory, MetricsHistory.FileName);
        if (File.Exists(metrics))
        {
            var history = MetricsHistory.Load(metrics);
            Save(TrainingPlots.LearningCurve(history), directory, LearningCurve, written);
            if (TrainingPlots.ValidationMetrics(history) is { } validation) Save(validation, directory, ValidationMetrics, written);
        }
        string sweep = Path.Combine(directory, SweepSummary.FileName);
        if (File.Exists(sweep)) Save(TrainingPlots.Sweep(SweepSummary.Load(sweep)), directory, Sweep, written);
        return written;
    }

    private static void Save(Figure figure, string directory, string name, List<string> written)
    {
        // Written to a temporary name and moved, so that a viewer never sees half a file.
        foreach (var (extension, write) in new (string, Action<string>)[] { (".png", figure.SavePng), (".svg", figure.SaveSvg) })
        {
            string path = Path.Combine(directory, name + extension), temp = path + ".tmp";
            write(temp);
            File.Move(temp, path, overwrite: true);
            written.Add(path);
        }
    }
}
