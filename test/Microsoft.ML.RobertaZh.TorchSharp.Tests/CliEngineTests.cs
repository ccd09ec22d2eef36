using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Tests.Data;
using Microsoft.ML.RobertaZh.Tests.Estimators;
using Microsoft.ML.RobertaZh.Tests.Model;
using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Microsoft.ML.RobertaZh.TorchSharp.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.TorchSharp.Tests;

/// <summary>
/// The command-line tool as built (its own output folder with the TorchSharp engine and its GLIBCXX handling), run as a
/// process: <c>--engine torchsharp</c> reaches libtorch and agrees with the managed engine, and <c>--device cuda</c>
/// fails at once naming the package.
/// </summary>
public sealed class CliEngineTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>The tool's roberta-zh.dll of the configuration these tests were built in.</summary>
    private static string Tool()
    {
        string configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0
        string dll = Path.Combine(Fixtures.RepositoryRoot, "src", "Microsoft.ML.RobertaZh.Cli", "bin", configuration, "net10.0", "roberta-zh.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution (./build.sh) first.");
        return dll;
    }

    private static (int Code, string Out, string Error) Run(string stdin, params string[] args)
    {
        var start = new ProcessStartInfo(Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(Tool());
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "the tool did not finish");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string EncodeInput()
    {
        var batch = ReferenceFixture.Instance.Value.Batch();
        return string.Concat(Enumerable.Range(0, batch.Batch).Select(b =>
        {
            int len = batch.AttentionMask.Skip(b * batch.SeqLen).Take(batch.SeqLen).Sum();
            return "{\"input_ids\":[" + string.Join(",", batch.InputIds.Skip(b * batch.SeqLen).Take(len)) + "]}\n";
        }));
    }

    private static float[] Numbers(string jsonLines, string property) =>
        [.. jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries).SelectMany(l => Flatten(JsonDocument.Parse(l).RootElement.GetProperty(property)))];

    private static IEnumerable<float> Flatten(JsonElement e) => e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().SelectMany(Flatten) : [e.GetSingle()];

    [TorchSharpFact]
    public void EncodeOnTorchSharpAgreesWithTheManagedEngineAndCudaNamesThePackage()
    {
        string model = ReferenceFixture.Instance.Value.ModelDirectory;
        var managed = Run(EncodeInput(), "encode", "--model", model, "--top-k", "0");
        var torch = Run(EncodeInput(), "encode", "--model", model, "--top-k", "0", "--engine", "torchsharp", "--device", "cpu");
        Assert.True(managed.Code == 0 && torch.Code == 0, managed.Error + torch.Error);
        foreach (string property in new[] { "last_hidden_state", "pooler_output", "logits" })
            TensorAssert.Close(Numbers(torch.Out, property), Numbers(managed.Out, property), 1e-4, property);

        var cuda = Run(EncodeInput(), "encode", "--model", model, "--engine", "torchsharp", "--device", "cuda");
        Assert.Equal(2, cuda.Code);
        Assert.Contains("libtorch-cuda-12.8-linux-x64", cuda.Error, StringComparison.Ordinal);
        var fallback = Run(EncodeInput(), "encode", "--model", model, "--top-k", "0", "--engine", "torchsharp", "--device", "cuda", "--fallback-to-cpu");
        Assert.Equal(0, fallback.Code);
        Assert.Equal(Numbers(torch.Out, "logits"), Numbers(fallback.Out, "logits"));
    }

    [TorchSharpFact]
    public void TrainOnTorchSharpThenEvaluateOnEitherEngine()
    {
        string start = ClassifierFixtures.ModelDirectory(_files.Root);
        string train = _files.Write("train.tsv", "label\ttext_a\n" + string.Concat(ClassifierFixtures.Reviews(64, 1).Select(r => $"{r.Label}\t{r.Text}\n")));
        string dev = _files.Write("dev.tsv", "label\ttext_a\n" + string.Concat(ClassifierFixtures.Reviews(32, 2).Select(r => $"{r.Label}\t{r.Text}\n")));
        string output = Path.Combine(_files.Root, "out");
        var trained = Run("", "train", "--train", train, "--model", start, "--output", output, "--steps", "6", "--batch-size", "16", "--max-seq-length", "32",
            "--learning-rate", "1e-3", "--engine", "torchsharp");
        Assert.True(trained.Code == 0, trained.Error);
        Assert.Contains("trained on the TorchSharp engine (cpu)", trained.Error, StringComparison.Ordinal);
        var onTorch = Run("", "evaluate", "--model", output, "--data", dev, "--json", "--engine", "torchsharp");
        var onManaged = Run("", "evaluate", "--model", output, "--data", dev, "--json");
        Assert.True(onTorch.Code == 0 && onManaged.Code == 0, onTorch.Error + onManaged.Error);
        double Metric(string json, string name) => JsonDocument.Parse(json).RootElement.GetProperty(name).GetDouble();
        Assert.Equal(Metric(onManaged.Out, "Accuracy"), Metric(onTorch.Out, "Accuracy"));
        Assert.Equal(Metric(onManaged.Out, "LogLoss"), Metric(onTorch.Out, "LogLoss"), 1e-4);
    }
}
