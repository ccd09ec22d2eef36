using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Xunit.Abstractions;

namespace Microsoft.ML.RobertaZh.Tests.Notebook;

/// <summary>
/// Every notebook in notebooks/ run by the real .NET Interactive C# kernel, hosted in its own process
/// (test/Microsoft.ML.RobertaZh.NotebookHost, which references nothing of this repository, so a notebook finds the
/// library only through its own #r lines, as in VS Code). Fails on any cell error; checks what the cells displayed.
/// </summary>
[Collection(nameof(NotebookRunsAlone))]
public sealed class NotebookKernelTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryCellOfEveryNotebookRunsInTheRealKernel()
    {
        var (exitCode, results, log, seconds) = RunHost(Path.Combine(Fixtures.RepositoryRoot, "notebooks"));
        output.WriteLine($"kernel host: exit {exitCode} in {seconds:F1} s");
        output.WriteLine(log);
        var notebooks = results.GetProperty("notebooks").EnumerateArray().ToList();
        Assert.NotEmpty(notebooks);
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
            int codeCells = CodeCellCount(notebook.GetProperty("path").GetString()!);
            Assert.Equal(codeCells, notebook.GetProperty("cells").GetArrayLength());
        }
        Assert.Equal(0, exitCode);
        Assert.False(results.GetProperty("failed").GetBoolean());

        // The walkthrough's key displays, as the kernel rendered them.
        var outputs = Outputs(notebooks.Single(n => n.GetProperty("path").GetString()!.EndsWith("roberta-zh.ipynb", StringComparison.Ordinal)));
        Assert.Contains(outputs, o => o.Mime == "text/html" && o.Value.Contains("<table", StringComparison.Ordinal) && o.Value.Contains("AreaUnderRocCurve", StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Value.Contains("best: trial", StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Kind == "stdout" && o.Value.Contains("P(positive) = ", StringComparison.Ordinal));
        Assert.DoesNotContain(outputs, o => o.Kind == "diagnostic" && o.Value.StartsWith("Error", StringComparison.Ordinal));
    }

    [Fact]
    public void OurTypesRenderAsTheirOwnHtmlInTheRealKernel()
    {
        // Fixtures/notebooks/displays.ipynb: each code cell ends with a value of one of our types.
        var (exitCode, results, log, _) = RunHost(Fixtures.Path("notebooks"));
        Assert.True(exitCode == 0, log);
        var notebook = results.GetProperty("notebooks").EnumerateArray().Single();
        var returned = notebook.GetProperty("cells").EnumerateArray().ToDictionary(
            c => c.GetProperty("index").GetInt32(),
            c => c.GetProperty("outputs").EnumerateArray().Where(o => o.GetProperty("kind").GetString() == "return")
                .Select(o => (Mime: o.GetProperty("mime").GetString()!, Value: o.GetProperty("value").GetString()!)).ToList());
        void Renders(int cell, params string[] fragments)
        {
            var html = Assert.Single(returned[cell], o => o.Mime == "text/html").Value;
            foreach (string fragment in fragments) Assert.True(html.Contains(fragment, StringComparison.Ordinal), $"cell {cell} lacks {fragment}: {html[..Math.Min(300, html.Length)]}");
        }
        Renders(2, "<span class=\"robertazh-fill-mask\"><b>都</b> 12.3%", "北京是中国的首都。");     // FillMaskResult
        Renders(3, "<span class=\"robertazh-fill-mask\">");                                          // a list of them (FillMask's answers)
        Renders(4, "class=\"robertazh-load-report\"", "every model weight was in the checkpoint");  // CheckpointLoadReport
        Renders(5, "class=\"robertazh-training-progress\"", "300 / 1,000", "held-out mlm_accuracy"); // TrainingProgress
        Renders(6, "class=\"roberta-zh-figure\"", "<svg", "Loss against step", "held-out MLM accuracy"); // Plotting's Figure
        Renders(7, "class=\"robertazh-sweep\"", "Sweep: 2 trials", "★");                              // SweepResult
    }

    /// <summary>Runs the kernel host on <paramref name="notebooks"/>; returns its exit code, its JSON, its stderr and the wall time.</summary>
    internal static (int ExitCode, JsonElement Results, string Log, double Seconds) RunHost(params string[] notebooks)
    {
        string host = HostPath();
        string results = Path.Combine(Path.GetTempPath(), $"rzh-kernel-{Guid.NewGuid():N}.json");
        var before = WorkDirectories();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
            WorkingDirectory = Fixtures.RepositoryRoot,
        };
        foreach (string arg in (string[])[host, "--out", results, "--cell-timeout", "600", .. notebooks]) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
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
            File.Delete(results);
            foreach (string dir in WorkDirectories().Except(before)) Directory.Delete(dir, recursive: true);
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

    /// <summary>The notebook's working directories (it creates one per run in the temp folder).</summary>
    private static HashSet<string> WorkDirectories() => [.. Directory.EnumerateDirectories(Path.GetTempPath(), "roberta-zh-notebook-*")];
}
