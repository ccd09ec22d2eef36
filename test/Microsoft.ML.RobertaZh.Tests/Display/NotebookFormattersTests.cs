using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.ML.RobertaZh.Display;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Evaluation;

namespace Microsoft.ML.RobertaZh.Tests.Display;

/// <summary>
/// The canary of the library's one reflection touch-point into .NET Interactive (<see cref="NotebookFormatters"/>):
/// the kernel's real Formatter (the package, referenced by this test project only) still has the two methods, the
/// library registered its displays with it when the Formatting assembly was loaded, and ML.NET's real metric objects
/// then format as the library's HTML and text. NotebookKernelTests checks the same in the real kernel.
/// </summary>
public class NotebookFormattersTests
{
    private sealed class Row
    {
        public bool Label { get; set; }

        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }

    private static CalibratedBinaryClassificationMetrics Metrics()
    {
        var ml = new MLContext(1);
        var rows = Enumerable.Range(0, 40).Select(i =>
        {
            float p = ((i % 10) / 10f) + 0.05f;
            return new Row { Label = (i * 7 % 10) / 10f < p, Score = (p * 4) - 2, Probability = p, PredictedLabel = p > 0.5f };
        });
        return ml.BinaryClassification.Evaluate(ml.Data.LoadFromEnumerable(rows));
    }

    [Fact]
    public void TheFormattersMethodsAreFoundAndTheDisplaysAreRegisteredWithIt()
    {
        Assert.True(NotebookFormatters.Bind(typeof(Formatter)) is not null,
            "Formatter.Register(Type, Action<object, TextWriter>, string) or Formatter.SetPreferredMimeTypesFor(Type, string[]) is gone: update NotebookFormatters.");
        Assert.Equal(NotebookFormatters.FormatterType, typeof(Formatter).FullName);
        Assert.Equal(NotebookFormatters.FormattingAssembly, typeof(Formatter).Assembly.GetName().Name);
        // Registered by the library itself: the module initializer or the assembly-load hook, whichever came first.
        Assert.Contains(typeof(Formatter), NotebookFormatters.Registrations);
        Assert.True(NotebookFormatters.TryRegister(typeof(Formatter).Assembly));          // once only: still true, nothing added twice
        Assert.False(NotebookFormatters.TryRegister(typeof(MLContext).Assembly));
        Assert.Null(NotebookFormatters.Bind(typeof(object)));
    }

    [Fact]
    public void MlNetMetricsFormatAsTheLibrarysTablesThroughTheKernelsFormatter()
    {
        var metrics = Metrics();
        Assert.Contains(typeof(Formatter), NotebookFormatters.Registrations);
        Assert.Equal(metrics.ToHtml(), metrics.ToDisplayString("text/html"));              // the calibrated subclass, through its base type
        Assert.Equal(metrics.ToTable(), metrics.ToDisplayString("text/plain"));
        Assert.Equal(metrics.ConfusionMatrix.ToHtml(), metrics.ConfusionMatrix.ToDisplayString("text/html"));
        Assert.Equal("text/html", Formatter.GetPreferredMimeTypesFor(metrics.GetType()).First());
        Assert.Equal("text/html", Formatter.GetPreferredMimeTypesFor(typeof(MulticlassClassificationMetrics)).First());
        // Other types keep the kernel's own rendering.
        Assert.DoesNotContain("robertazh", new List<int> { 1, 2 }.ToDisplayString("text/html"), StringComparison.Ordinal);
    }

    [Fact]
    public void SequencesOfOurRecordsFormatAsOneTable()
    {
        Assert.Contains(typeof(Formatter), NotebookFormatters.Registrations);
        List<EpochMetrics> history = [new(1, 10, 0.6, 0.7, 1), new(2, 20, 0.8, 0.5, 1), new(3, 30, 0.8, 0.55, 1)];
        string html = history.ToDisplayString("text/html");
        Assert.StartsWith("<table class=\"robertazh-training-history\"", html, StringComparison.Ordinal);
        Assert.Contains("best accuracy 0.800 at epoch 2 of 3", html, StringComparison.Ordinal);   // the first best, as the trainer keeps it
        Assert.Contains("Validation after each epoch: best accuracy 0.800 at epoch 2 of 3\nepoch 1 (step 10): validation accuracy 0.600, log-loss 0.700, 1.0 s",
            history.ToDisplayString("text/plain"), StringComparison.Ordinal);

        IReadOnlyList<IReadOnlyList<FillMaskResult>> masks = [[new("a<b", 0.5f, 1, "<b")], [new("c", 0.25f, 2, "c"), new("d", 0.125f, 3, "d")]];
        string answers = masks.ToDisplayString("text/html");
        Assert.StartsWith("<div class=\"robertazh-fill-mask-masks\">", answers, StringComparison.Ordinal);
        Assert.Contains(">&lt;b</td>", answers, StringComparison.Ordinal);
        Assert.Contains(">12.5%</td>", masks[1].ToDisplayString("text/html"), StringComparison.Ordinal);

        ClassifierPrediction[] predictions = [new("1", [0.25f, 0.75f], ["0", "1"]), new("0", [0.5f, 0.5f], ["0", "1"])];
        string table = predictions.ToDisplayString("text/html");
        Assert.Contains("2 predictions", table, StringComparison.Ordinal);
        Assert.Contains(">P(1)</th>", table, StringComparison.Ordinal);
        Assert.Equal("1  (P(0) = 0.250, P(1) = 0.750)\n0  (P(0) = 0.500, P(1) = 0.500)", predictions.ToDisplayString("text/plain"));
    }

    [Fact]
    public void EveryRegisteredDisplayRendersItsType()
    {
        var metrics = Metrics();
        var samples = new Dictionary<Type, object>
        {
            [typeof(BinaryClassificationMetrics)] = metrics,
            [typeof(MulticlassClassificationMetrics)] = MulticlassMetrics(),
            [typeof(ConfusionMatrix)] = metrics.ConfusionMatrix,
            [typeof(IEnumerable<EpochMetrics>)] = new[] { new EpochMetrics(1, 1, 0.5, 0.7, 1) },
            [typeof(IEnumerable<ClassifierPrediction>)] = new[] { new ClassifierPrediction("1", [0.4f, 0.6f], ["0", "1"]) },
            [typeof(IEnumerable<FillMaskResult>)] = new[] { new FillMaskResult("x", 1, 1, "x") },
            [typeof(IEnumerable<IEnumerable<FillMaskResult>>)] = new[] { new[] { new FillMaskResult("x", 1, 1, "x") } },
        };
        Assert.Equal(samples.Keys.Order(TypeOrder.Instance), RegisteredDisplays.All.Select(d => d.Type).Order(TypeOrder.Instance));
        foreach (var display in RegisteredDisplays.All)
        {
            Assert.StartsWith("<", display.Html(samples[display.Type]), StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(display.Plain(samples[display.Type])));
        }
    }

    private static MulticlassClassificationMetrics MulticlassMetrics()
    {
        var ml = new MLContext(1);
        var rows = Enumerable.Range(0, 12).Select(i => new MulticlassRow { Label = (uint)(i % 3) + 1, Score = [i % 3 == 0 ? 0.8f : 0.1f, i % 3 == 1 ? 0.8f : 0.1f, i % 3 == 2 ? 0.8f : 0.1f], PredictedLabel = (uint)(i % 3) + 1 });
        var data = ml.Data.LoadFromEnumerable(rows);
        data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        return ml.MulticlassClassification.Evaluate(data, predictedLabelColumnName: "PredictedLabel");
    }

    private sealed class MulticlassRow
    {
        public uint Label { get; set; }

        [VectorType(3)]
        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }
    }

    private sealed class TypeOrder : IComparer<Type>
    {
        public static readonly TypeOrder Instance = new();

        public int Compare(Type? x, Type? y) => string.CompareOrdinal(x?.ToString(), y?.ToString());
    }
}
