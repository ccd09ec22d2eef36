using System.Text.Json;
using Microsoft.ML.RobertaZh.Cli.Commands;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Tests.Data;
using static Microsoft.ML.RobertaZh.Tests.Estimators.ClassifierFixtures;

namespace Microsoft.ML.RobertaZh.Tests.Cli;

public class ClassifierCommandTests
{
    private static string Tsv(IEnumerable<(string Text, int Label)> rows) =>
        "label\ttext_a\n" + string.Concat(rows.Select(r => $"{r.Label}\t{r.Text}\n"));

    [Fact]
    public void TrainEvaluatePredictAndSweepOnTinyFiles()
    {
        using var files = new TempFiles();
        string start = ModelDirectory(files.Root);
        string train = files.Write("train.tsv", Tsv(Reviews(256, 1)));
        string dev = files.Write("dev.tsv", Tsv(Reviews(64, 2)));
        string output = Path.Combine(files.Root, "out");

        int code = TrainCommand.Create().Parse(["--train", train, "--validation", dev, "--model", start, "--output", output, "--epochs", "6",
            "--batch-size", "8", "--learning-rate", "1e-3", "--dropout", "0", "--max-seq-length", "32", "--seed", "3"]).Invoke();
        Assert.Equal(0, code);
        Assert.All(["model.safetensors", "config.json", "vocab.txt", "metrics.jsonl", "learning_curve.png", "learning_curve.svg", "validation_metrics.png", "validation_metrics.svg"], f => Assert.True(File.Exists(Path.Combine(output, f)), f));
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "config.json"))).RootElement;
        Assert.Equal("1", config.GetProperty("id2label").GetProperty("1").GetString());

        var metrics = JsonDocument.Parse(EvaluateCommand.Run(output, new FileInfo(dev), "auto", json: true)).RootElement;
        Assert.All(["Accuracy", "AreaUnderRocCurve", "AreaUnderPrecisionRecallCurve", "F1Score", "LogLoss", "LogLossReduction"],
            p => Assert.True(metrics.TryGetProperty(p, out _), p));
        Assert.True(metrics.GetProperty("Accuracy").GetDouble() >= 0.95, metrics.ToString());
        Assert.Contains("Accuracy", EvaluateCommand.Run(output, new FileInfo(dev), "uer-tsv", json: false), StringComparison.Ordinal);
        Assert.Equal(0, EvaluateCommand.Create().Parse(["--model", output, "--data", dev, "--json"]).Invoke());
        Assert.Equal(2, EvaluateCommand.Create().Parse(["--model", output, "--data", Path.Combine(files.Root, "missing.tsv")]).Invoke());
        Assert.Equal(2, EvaluateCommand.Create().Parse(["--model", output, "--data", dev, "--format", "xml"]).Invoke());

        using var predicted = new StringWriter();
        var ml = new MLContext(seed: 1);
        var classifier = RobertaClassifierTransformer.Load(ml, output);
        PredictCommand.Run(ml, classifier, PredictCommand.Lines(new StringReader("我很喜欢这个\n\n他的很糟糕\n")), predicted);
        var lines = predicted.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(["1", "0"], lines.Select(l => l.GetProperty("label").GetString()));
        Assert.All(lines, l => Assert.Equal(1.0, l.GetProperty("probabilities").EnumerateObject().Sum(p => p.Value.GetDouble()), 5));
        Assert.Equal(0, PredictCommand.Create().Parse(["--model", output, "--data", dev]).Invoke());

        string sweepOutput = Path.Combine(files.Root, "sweep");
        code = SweepCommand.Create().Parse(["--train", train, "--validation", dev, "--model", start, "--output", sweepOutput,
            "--grid", "1:16:1e-4,1e-3", "--max-trials", "1", "--max-seq-length", "32"]).Invoke();
        Assert.Equal(0, code);
        var sweep = JsonDocument.Parse(File.ReadAllText(Path.Combine(sweepOutput, "sweep.json"))).RootElement;
        Assert.Equal(1, sweep.GetProperty("trials").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(sweepOutput, "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(sweepOutput, "model.zip")));

        // Text labels: a multiclass pipeline (MapValueToKey → RobertaClassifier), evaluated by ML.NET's multiclass evaluator.
        string named = files.Write("named.tsv", "label\ttext_a\n" + string.Concat(Reviews(96, 3).Select((r, i) => $"{(i % 3 == 0 ? "中" : r.Label == 1 ? "好" : "坏")}\t{r.Text}\n")));
        string namedOutput = Path.Combine(files.Root, "named");
        Assert.Equal(0, TrainCommand.Create().Parse(["--train", named, "--model", start, "--output", namedOutput, "--epochs", "1", "--batch-size", "16", "--max-seq-length", "32"]).Invoke());
        Assert.Equal(["中", "坏", "好"], RobertaClassifierTransformer.Load(ml, namedOutput).Classes.Order(StringComparer.Ordinal));
        var multi = JsonDocument.Parse(EvaluateCommand.Run(namedOutput, new FileInfo(named), "auto", json: true)).RootElement;
        Assert.Equal(96, multi.GetProperty("Count").GetInt32());
        Assert.True(multi.TryGetProperty("MacroAccuracy", out _));
        var pipeline = ml.Model.LoadWithRoberta(Path.Combine(namedOutput, "pipeline.zip"), out var schema);
        Assert.Equal(["Label", "Sentence1"], schema.Select(c => c.Name));
        Assert.True(File.Exists(Path.Combine(sweepOutput, "sweep.png")) && File.Exists(Path.Combine(sweepOutput, "sweep.svg")));
    }

    [Fact]
    public void UserErrorsExitWithCodeTwo()
    {
        using var files = new TempFiles();
        string start = ModelDirectory(files.Root);
        string train = files.Write("train.tsv", Tsv(Reviews(16, 1)));
        string output = Path.Combine(files.Root, "out");
        Assert.Equal(2, TrainCommand.Create().Parse(["--train", train, "--model", Path.Combine(files.Root, "nowhere"), "--output", output]).Invoke());
        Assert.Equal(2, TrainCommand.Create().Parse(["--train", train, "--model", start, "--output", output, "--max-seq-length", "1000"]).Invoke());
        Assert.Equal(2, TrainCommand.Create().Parse(["--train", train, "--model", start, "--output", output, "--task", "regression"]).Invoke());
        Assert.Equal(2, SweepCommand.Create().Parse(["--train", train, "--validation", train, "--model", start, "--output", output, "--grid", "1:x:1e-3"]).Invoke());
        Assert.Equal(2, EvaluateCommand.Create().Parse(["--model", start, "--data", train]).Invoke()); // not a classifier
    }
}
