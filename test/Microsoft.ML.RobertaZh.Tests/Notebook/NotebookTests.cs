using System.Text.Json;
using Microsoft.ML.RobertaZh.Estimators;
using RobertaZhNotebook;

namespace Microsoft.ML.RobertaZh.Tests.Notebook;

/// <summary>The notebook's code runs alone: it sets the working directory (the notebook's folder) as the kernel does.</summary>
[CollectionDefinition(nameof(NotebookRunsAlone), DisableParallelization = true)]
public sealed class NotebookRunsAlone;

[Collection(nameof(NotebookRunsAlone))]
public class NotebookTests
{
    [Fact]
    public void NotebookIsAPolyglotCSharpNotebook()
    {
        var root = JsonDocument.Parse(File.ReadAllText(NotebookCode.NotebookPath)).RootElement;
        Assert.Equal(".net-csharp", root.GetProperty("metadata").GetProperty("kernelspec").GetProperty("name").GetString());
        var code = root.GetProperty("cells").EnumerateArray().Where(c => c.GetProperty("cell_type").GetString() == "code").ToList();
        Assert.True(code.Count >= 6, $"{code.Count} code cells");
        Assert.All(code, c =>
        {
            Assert.Equal("csharp", c.GetProperty("metadata").GetProperty("polyglot_notebook").GetProperty("kernelName").GetString());
            Assert.Equal("csharp", c.GetProperty("metadata").GetProperty("dotnet_interactive").GetProperty("language").GetString());
        });
        string all = string.Concat(code.SelectMany(c => c.GetProperty("source").EnumerateArray().Select(s => s.GetString())));
        // The built tool's folder carries the library's dependencies; the library's own bin folder does not (A1).
        Assert.Contains("#r \"../src/Microsoft.ML.RobertaZh.Cli/bin/Release/net10.0/Microsoft.ML.RobertaZh.dll\"", all, StringComparison.Ordinal);
        foreach (var step in new[] { "LoadTaskDataset", "RobertaClassifier(", ".Evaluate(", "HTML(metrics.ToHtml())", "RobertaClassifierSweep", ".Predict(" })
            Assert.Contains(step, all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotebookCodeRunsAndDisplaysMetricsSweepAndPredictions()
    {
        string previous = Environment.CurrentDirectory;
        var before = WorkDirectories();
        Environment.CurrentDirectory = Path.GetDirectoryName(NotebookCode.NotebookPath)!;
        try
        {
            await NotebookCode.RunAsync();
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            foreach (var dir in WorkDirectories().Except(before)) Directory.Delete(dir, recursive: true);
        }

        var shown = NotebookCode.Displayed;
        var html = Assert.Single(shown.OfType<HtmlMarkup>(), h => h.Html.Contains("AreaUnderRocCurve", StringComparison.Ordinal));
        Assert.Contains("<table", html.Html, StringComparison.Ordinal);
        Assert.Contains(shown, v => v is string s && s.Contains("best: trial", StringComparison.Ordinal));
        Assert.Contains(shown, v => v is ClassifierPrediction p && p.Probability is >= 0 and <= 1);
    }

    /// <summary>The notebook's working directories (it creates one per run in the temp folder).</summary>
    private static HashSet<string> WorkDirectories() => [.. Directory.EnumerateDirectories(Path.GetTempPath(), "roberta-zh-notebook-*")];
}
