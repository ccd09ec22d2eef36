using Microsoft.ML.RobertaZh.Cli.Commands;
using Microsoft.ML.RobertaZh.Tests.Plotting;

namespace Microsoft.ML.RobertaZh.Tests.Cli;

/// <summary>`roberta-zh pretrain` draws its learning curve (ScottPlot, PNG and SVG) beside metrics.jsonl; `plot` redraws it.</summary>
public sealed class PretrainCommandTests : IDisposable
{
    private const string Chars = "我你他她们的是在有不这个人中国大学生时上来到说要就出会可也好天地年月日水火山木";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rzh-pretrain-cli-" + Guid.NewGuid().ToString("N"));

    public PretrainCommandTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void PretrainWritesTheLearningCurveAsPngAndSvg()
    {
        string vocab = Path.Combine(_root, "vocab.txt"), corpus = Path.Combine(_root, "corpus.txt"), output = Path.Combine(_root, "run");
        File.WriteAllLines(vocab, ["[PAD]", "[unused1]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "，", "。", .. Chars.Select(c => c.ToString())]);
        var rng = new Random(5);
        File.WriteAllLines(corpus, Enumerable.Range(0, 30).Select(_ => string.Concat(Enumerable.Range(0, rng.Next(3, 7)).Select(_ =>
            string.Concat(Enumerable.Range(0, rng.Next(4, 9)).Select(_ => Chars[rng.Next(Chars.Length)])) + "。"))));
        int code = PretrainCommand.Create().Parse(["--corpus", corpus, "--vocab", vocab, "--output", output, "--steps", "8", "--batch-size", "8",
            "--seq-length", "32", "--eval-every", "4", "--hold-out", "5", "--save-every", "8", "--masking", "token", "--learning-rate", "1e-3"]).Invoke();
        Assert.Equal(0, code);

        var (width, height, texts, colors) = PlotFiles.Svg(Path.Combine(output, "learning_curve.svg"));
        Assert.Equal((960, 900), (width, height));
        Assert.Superset(new HashSet<string> { "Loss against step", "Accuracy against step", "Learning rate against step", "train loss",
            "held-out loss", "train MLM accuracy", "held-out MLM accuracy", "most-frequent-token baseline", "learning rate", "step" }, texts);
        Assert.Contains("#7F7F7F", colors);   // the baseline
        var png = PlotFiles.Png(Path.Combine(output, "learning_curve.png"), PlotFiles.Blue, PlotFiles.Orange, PlotFiles.Red);
        Assert.All(png.Counts, c => Assert.True(c.Value > 20, $"colour {c.Key}: {c.Value} pixels"));
        Assert.False(File.Exists(Path.Combine(output, "validation_metrics.png")));   // per-epoch metrics are for fine-tuning

        File.Delete(Path.Combine(output, "learning_curve.png"));
        Assert.Equal(0, PlotCommand.Create().Parse([output]).Invoke());
        Assert.True(File.Exists(Path.Combine(output, "learning_curve.png")));
        Assert.Equal(2, PlotCommand.Create().Parse([_root]).Invoke());   // neither metrics.jsonl nor sweep.json there
    }
}
