using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Xunit.Abstractions;

namespace Microsoft.ML.RobertaZh.Tests.Notebook;

/// <summary>
/// Every notebook in notebooks/ run by the real .NET Interactive C# kernel, hosted in its own process
/// (test/Microsoft.ML.RobertaZh.NotebookHost, which references nothing of this repository, so a notebook finds the
/// library only through its own #r lines, as in VS Code). Fails on any cell error; checks what the cells displayed,
/// as the kernel rendered it.
/// </summary>
public sealed partial class NotebookKernelTests(ITestOutputHelper output)
{
    /// <summary>The walkthrough's fine-tuning recipe (seed 7) reaches 0.90 here; chance on its 30 validation reviews is 0.50.</summary>
    private const double MinValidationAccuracy = 0.70;

    /// <summary>Its test accuracy is 0.79 on 57 reviews, where predicting the majority class scores 0.58.</summary>
    private const double MinTestAccuracy = 0.65;

    [Fact]
    public void EveryCellOfEveryNotebookRunsInTheRealKernel()
    {
        var (exitCode, results, log, seconds) = RunHost(Path.Combine(Fixtures.RepositoryRoot, "notebooks"));
        output.WriteLine($"kernel host: exit {exitCode} in {seconds:F1} s");
        output.WriteLine(log);
        var notebooks = results.GetProperty("notebooks").EnumerateArray().ToList();
        Assert.Equal(Directory.GetFiles(Path.Combine(Fixtures.RepositoryRoot, "notebooks"), "*.ipynb").Length, notebooks.Count);
        foreach (var notebook in notebooks)
        {
            string name = Path.GetFileName(notebook.GetProperty("path").GetString()!);
            output.WriteLine($"{name}: {notebook.GetProperty("seconds").GetDouble():F1} s, kernel ready in {notebook.GetProperty("kernel_startup_seconds").GetDouble():F1} s");
            foreach (var cell in notebook.GetProperty("cells").EnumerateArray())
            {
                output.WriteLine($"  cell {cell.GetProperty("index").GetInt32()}: {cell.GetProperty("status").GetString()} {cell.GetProperty("seconds").GetDouble():F1} s");
                Assert.True(cell.GetProperty("status").GetString() == "ok",
                    $"{name} cell {cell.GetProperty("index").GetInt32()}: {cell.GetProperty("error")}");
            }
            Assert.Equal(CodeCellCount(notebook.GetProperty("path").GetString()!), notebook.GetProperty("cells").GetArrayLength());
            Assert.DoesNotContain(Outputs(notebook), o => o.Kind == "diagnostic" && o.Value.StartsWith("Error", StringComparison.Ordinal));
        }
        Assert.Equal(0, exitCode);
        Assert.False(results.GetProperty("failed").GetBoolean());

        CheckWalkthrough(notebooks.Single(n => n.GetProperty("path").GetString()!.EndsWith("roberta-zh.ipynb", StringComparison.Ordinal)));
    }

    // The walkthrough's key displays: what a reader must see for the notebook to show a model that learns.
    private void CheckWalkthrough(JsonElement notebook)
    {
        var outputs = Outputs(notebook);
        string Html(string cssClass) => Assert.Single(outputs, o => o.Mime == "text/html" && o.Value.Contains($"class=\"{cssClass}\"", StringComparison.Ordinal)).Value;

        // Row counts, present in the first cell that shows them, against the sample file.
        var counts = outputs.Select(o => RowCounts().Match(o.Value)).Single(m => m.Success);
        long[] n = [.. Enumerable.Range(1, 4).Select(i => long.Parse(counts.Groups[i].Value, CultureInfo.InvariantCulture))];
        long reviews = File.ReadLines(Path.Combine(Fixtures.RepositoryRoot, "src", "Microsoft.ML.RobertaZh.Cli", "Samples", "reviews.tsv")).Skip(1).Count(l => l.Length > 0);
        Assert.Equal(reviews, n[0]);
        Assert.True(n[1] > 0 && n[2] > 0 && n[3] > 0 && n[1] + n[2] + n[3] == n[0], counts.Value);

        // The fine-tuning history: its caption names the best validation accuracy, which is the table's largest.
        string history = Html("robertazh-training-history");
        var best = BestAccuracy().Match(history);
        Assert.True(best.Success, history[..Math.Min(400, history.Length)]);
        double validation = double.Parse(best.Groups[1].Value, CultureInfo.InvariantCulture);
        var epochs = HistoryRow().Matches(history).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(int.Parse(best.Groups[3].Value, CultureInfo.InvariantCulture), epochs.Count);
        Assert.Equal(epochs.Max(), validation, 3);
        output.WriteLine($"displayed validation accuracy: best {validation:F3} at epoch {best.Groups[2].Value} of {epochs.Count}");
        Assert.True(validation >= MinValidationAccuracy, $"validation accuracy {validation} (chance 0.5): the notebook's model did not learn");

        // ML.NET's metric object, rendered by the library's formatter: metrics and a confusion matrix with the class names.
        string metrics = Html("robertazh-metrics");
        Assert.Contains("Binary classification metrics (57 examples)", metrics, StringComparison.Ordinal);
        Assert.Contains("AreaUnderRocCurve", metrics, StringComparison.Ordinal);
        Assert.Matches("<th[^>]*>positive</th><th[^>]*>negative</th>", metrics);
        double test = double.Parse(MetricCell().Match(metrics).Groups[1].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"displayed test accuracy: {test:F4}");
        Assert.True(test >= MinTestAccuracy, $"test accuracy {test}");

        // Predictions for a positive and a negative review, on either side of 0.5; the reloaded model agrees.
        var predictions = outputs.Where(o => o.Kind == "stdout").Select(o => Prediction().Match(o.Value)).Where(m => m.Success).ToList();
        Assert.Equal(2, predictions.Count);
        double positive = double.Parse(predictions[0].Groups[2].Value, CultureInfo.InvariantCulture), negative = double.Parse(predictions[1].Groups[2].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"displayed predictions: P(positive) = {positive:F3} and {negative:F3}");
        Assert.True(positive > 0.5 && negative < 0.5, $"P(positive) {positive} for the positive review, {negative} for the negative one");
        Assert.Contains(outputs, o => o.Kind == "stdout" && o.Value.Contains("the reloaded model gives the same probabilities: True", StringComparison.Ordinal));
        Assert.Contains(">P(1)</th>", Html("robertazh-predictions"), StringComparison.Ordinal);

        // Sweep, fill-mask answers and the plots (inline SVG drawn by the Plotting assembly).
        Assert.Contains("Sweep: 3 trials", Html("robertazh-sweep"), StringComparison.Ordinal);
        Assert.Contains("<th style=\"padding:1px 8px\">probability</th>", Html("robertazh-fill-mask-candidates"), StringComparison.Ordinal);
        var figures = outputs.Where(o => o.Mime == "text/html" && o.Value.Contains("class=\"roberta-zh-figure\"", StringComparison.Ordinal)).Select(o => o.Value).ToList();
        foreach (string title in (string[])["Loss against step", "Accuracy against step", "Learning rate against step", "Validation metrics per epoch", "Sweep: 3 trials, best #"])
            Assert.Contains(figures, f => f.Contains("<svg", StringComparison.Ordinal) && f.Contains(title, StringComparison.Ordinal));
    }

    [Fact]
    public void OurTypesAndMlNetMetricsRenderAsTheLibrarysHtmlInTheRealKernel()
    {
        // Fixtures/notebooks/displays.ipynb: each code cell ends with (or displays) a value the library renders.
        var (exitCode, results, log, _) = RunHost(Fixtures.Path("notebooks"));
        Assert.True(exitCode == 0, log);
        var notebook = results.GetProperty("notebooks").EnumerateArray().Single();
        var shown = notebook.GetProperty("cells").EnumerateArray().ToDictionary(
            c => c.GetProperty("index").GetInt32(),
            c => c.GetProperty("outputs").EnumerateArray().Where(o => o.GetProperty("kind").GetString() is "return" or "display")
                .Select(o => (Mime: o.GetProperty("mime").GetString()!, Value: o.GetProperty("value").GetString()!)).ToList());
        void Renders(int cell, string mime, params string[] fragments)
        {
            var value = Assert.Single(shown[cell], o => o.Mime == mime && o.Value.Contains(fragments[0], StringComparison.Ordinal)).Value;
            foreach (string fragment in fragments) Assert.True(value.Contains(fragment, StringComparison.Ordinal), $"cell {cell} lacks {fragment}: {value[..Math.Min(400, value.Length)]}");
        }
        const string html = "text/html";
        Renders(2, html, "<span class=\"robertazh-fill-mask\"><b>都</b> 12.3%", "北京是中国的首都。");                      // FillMaskResult
        Renders(3, html, "class=\"robertazh-fill-mask-candidates\"", ">rank</th>", ">3</td>");                            // one mask's candidates
        Renders(4, html, "class=\"robertazh-fill-mask-masks\"", "[MASK] 1", "[MASK] 2");                                 // every mask's
        Renders(5, html, "class=\"robertazh-load-report\"", "every model weight was in the checkpoint");                 // CheckpointLoadReport
        Renders(6, html, "class=\"robertazh-training-progress\"", "300 / 1,000", "held-out mlm_accuracy");                // TrainingProgress
        Renders(7, html, "class=\"roberta-zh-figure\"", "<svg", "Loss against step", "held-out MLM accuracy");            // Plotting's Figure
        Renders(8, html, "class=\"robertazh-sweep\"", "Sweep: 2 trials", "★");                                            // SweepResult
        Renders(9, html, "Multiclass classification metrics (30 examples)", "MicroAccuracy", "Per class",               // ML.NET's multiclass metrics
            ">正面</th><th style=\"text-align:left;padding:2px 8px\">负面</th><th style=\"text-align:left;padding:2px 8px\">中性</th>");
        Renders(10, html, "Confusion matrix", ">中性</td>");                                                              // ML.NET's ConfusionMatrix
        Renders(11, "text/plain", "Multiclass classification metrics (30 examples)", "TRUTH \\ PREDICTED");              // ... as plain text
        Renders(12, html, "Binary classification metrics (20 examples)", "AreaUnderRocCurve", ">positive</th>");       // ML.NET's binary metrics
        Renders(13, html, "Validation after epoch 2", ">0.833<");                                                         // EpochMetrics
        Renders(13, html, "Validation after each epoch: best accuracy 0.833 at epoch 2 of 3", "2 ★");                   // a training history
        Renders(14, html, "<caption style=\"text-align:left;font-weight:bold\">Prediction</caption>", ">P(1)</th>", ">0.900<"); // ClassifierPrediction
        Renders(14, html, "2 predictions", ">P(正面)</th>", ">负面</td>");                                                // a list of them
    }

    /// <summary>
    /// Runs the kernel host on <paramref name="notebooks"/> with a temporary folder of its own (deleted afterwards);
    /// returns its exit code, its JSON, its stderr and the wall time.
    /// </summary>
    internal static (int ExitCode, JsonElement Results, string Log, double Seconds) RunHost(params string[] notebooks)
    {
        string host = HostPath();
        string temp = Directory.CreateTempSubdirectory("rzh-kernel-").FullName;
        string results = Path.Combine(temp, "results.json");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
            WorkingDirectory = Fixtures.RepositoryRoot,
        };
        foreach (string arg in (string[])[host, "--out", results, "--cell-timeout", "600", .. notebooks]) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // The notebooks' work folders (Path.GetTempPath) go here, so that nothing else's temporary files are touched.
        foreach (string variable in (string[])["TMPDIR", "TMP", "TEMP"]) start.Environment[variable] = temp;
        var clock = Stopwatch.StartNew();
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(15)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("the kernel host did not finish in 15 minutes");
            }
            string log = stderr.Result + stdout.Result;
            Assert.True(File.Exists(results), $"the kernel host wrote no results (exit {process.ExitCode}):\n{log}");
            using var doc = JsonDocument.Parse(File.ReadAllText(results));
            return (process.ExitCode, doc.RootElement.Clone(), log, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    internal static List<(string Kind, string Mime, string Value)> Outputs(JsonElement notebook) =>
        [.. notebook.GetProperty("cells").EnumerateArray().SelectMany(c => c.GetProperty("outputs").EnumerateArray())
            .Select(o => (o.GetProperty("kind").GetString()!, o.GetProperty("mime").GetString()!, o.GetProperty("value").GetString() ?? ""))];

    // The host is built beside this assembly's configuration (a ProjectReference that is never loaded).
    private static string HostPath()
    {
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;   // .../bin/<Configuration>/net10.0/
        string path = Path.Combine(Fixtures.RepositoryRoot, "test", "Microsoft.ML.RobertaZh.NotebookHost", "bin", configuration, "net10.0",
            "Microsoft.ML.RobertaZh.NotebookHost.dll");
        Assert.True(File.Exists(path), $"{path} is missing: build the solution (./build.sh)");
        return path;
    }

    private static int CodeCellCount(string notebook)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(notebook));
        return doc.RootElement.GetProperty("cells").EnumerateArray().Count(c => c.GetProperty("cell_type").GetString() == "code");
    }

    [GeneratedRegex(@"^(\d+) reviews: (\d+) to train on, (\d+) to validate on, (\d+) to test on$")]
    private static partial Regex RowCounts();

    [GeneratedRegex(@"best accuracy (\d\.\d+) at epoch (\d+) of (\d+)")]
    private static partial Regex BestAccuracy();

    // A history row: epoch, step, then the validation accuracy cell.
    [GeneratedRegex(@"<tr[^>]*><td[^>]*>\d+(?: ★)?</td><td[^>]*>\d+</td><td[^>]*>(\d\.\d+)</td>")]
    private static partial Regex HistoryRow();

    [GeneratedRegex(@">Accuracy</td><td[^>]*>(\d\.\d+)</td>")]
    private static partial Regex MetricCell();

    [GeneratedRegex(@"^(positive|negative)\s+P\(positive\) = (\d\.\d+)\s")]
    private static partial Regex Prediction();
}
