using System.Diagnostics;
using Microsoft.ML.RobertaZh.OnnxRuntime.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests.MlNet;

/// <summary>
/// The sample samples/OnnxPipeline run as a user's programs would run: one process builds the ML.NET pipeline over an
/// exported classifier, evaluates it and saves it with <c>mlContext.Model.Save</c>, deleting the .onnx file; a second,
/// fresh process loads the zip with <c>mlContext.Model.Load</c> and gets the same metrics and prediction.
/// </summary>
public sealed class FreshProcessTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void APipelineSavedInOneProcessScoresTheSameInAnother()
    {
        string classifier = Classifiers.BinaryDirectory(_dir.Path);
        var rng = new Random(8);
        File.WriteAllLines(_dir.File("test.tsv"), ["label\ttext_a", .. Classifiers.Sentences(50, seed: 8).Select(s => $"{rng.Next(2)}\t{s}")]);
        string zip = _dir.File("model.zip");

        var saved = Run("save", classifier, _dir.File("test.tsv"), zip);
        Assert.True(File.Exists(zip));
        var loaded = Run("load", zip, _dir.File("test.tsv"));
        string[] Lines(string output) => [.. output.Split('\n').Where(l => l.StartsWith("accuracy=", StringComparison.Ordinal) || l.StartsWith("prediction=", StringComparison.Ordinal))];
        Assert.Equal(2, Lines(saved).Length);
        Assert.Equal(Lines(saved), Lines(loaded));
    }

    private static string Run(params string[] args)
    {
        // The sample is built with this test project (a build-order reference), in the same configuration.
        string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        string dll = Path.Combine(Fixtures.RepositoryRoot, "samples", "OnnxPipeline", "bin", configuration, "net10.0", "OnnxPipeline.dll");
        Assert.True(File.Exists(dll), $"{Path.GetFullPath(dll)} is missing: build the solution first.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "the sample did not finish in 3 minutes");
        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}: {stderr.Result}\n{stdout.Result}");
        return stdout.Result;
    }
}
