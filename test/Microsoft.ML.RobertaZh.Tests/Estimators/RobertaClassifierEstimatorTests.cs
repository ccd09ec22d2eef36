using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Tests.Data;
using static Microsoft.ML.RobertaZh.Tests.Estimators.ClassifierFixtures;

namespace Microsoft.ML.RobertaZh.Tests.Estimators;

/// <summary>Fits, once, a briefly trained binary classifier from a tiny pretrained model, for the tests that only need some classifier.</summary>
public sealed class FittedClassifierFixture : IDisposable
{
    private readonly TempFiles _files = new();

    public FittedClassifierFixture()
    {
        Context = new RobertaZhContext(1);
        Train = Context.Data.LoadFromEnumerable(Reviews(64, 1).Select(r => new ReviewRow { Sentence1 = r.Text, Label = r.Label }).ToList());
        ModelPath = ModelDirectory(_files.Root);
        Binary = Context.BinaryClassification.Trainers.RobertaClassifier(new RobertaClassifierOptions
        {
            ModelPath = ModelPath, BatchSize = 16, MaxSteps = 4, LearningRate = 1e-3f, MaxSequenceLength = 32,
        }).Fit(Train);
    }

    public RobertaZhContext Context { get; }

    public IDataView Train { get; }

    public string ModelPath { get; }

    public RobertaClassifierTransformer Binary { get; }

    public string Root => _files.Root;

    public void Dispose() => _files.Dispose();
}

public class RobertaClassifierEstimatorTests(FittedClassifierFixture fitted) : IClassFixture<FittedClassifierFixture>
{
    private static readonly RobertaZhContext Context = new(1);

    private static List<(string Text, string? Pair)> Texts(RobertaClassifierTransformer model, IDataView view)
    {
        var s1 = Context.Data.CreateEnumerable<ReviewRow>(view, reuseRowObject: false, ignoreMissingColumns: true).Select(r => r.Sentence1);
        return [.. s1.Select(t => (t, (string?)null))];
    }

    [Fact]
    public void LabelMapSortsNumbersNumericallyAndTextOrdinallyAndRoundTrips()
    {
        var numbers = LabelMap.Build(NumberDataViewType.Int32, [10, 2, 1, 2, 10]);
        Assert.Equal(["1", "2", "10"], numbers.Names);
        Assert.Equal(2, numbers.IndexOf(10));
        Assert.Equal(10, numbers.ValueOf(2));
        var floats = LabelMap.Build(NumberDataViewType.Single, [0.5f, -1f, float.NaN, 0.5f]);
        Assert.Equal(["-1", "0.5"], floats.Names);
        Assert.Equal(-1, floats.IndexOf(float.NaN));
        var text = LabelMap.Build(TextDataViewType.Instance, ["neutral".AsMemory(), "B".AsMemory(), "a".AsMemory(), "".AsMemory()]);
        Assert.Equal(["B", "a", "neutral"], text.Names);
        Assert.Equal("neutral", text.ValueOf(2).ToString());
        var restored = LabelMap.FromNames(numbers.TypeName, numbers.Names);
        Assert.Equal(NumberDataViewType.Int32, restored.Type);
        Assert.Equal(numbers.Names.Select((_, i) => numbers.ValueOf(i)), restored.Names.Select((_, i) => restored.ValueOf(i)));
        var unknown = Assert.Throws<ArgumentException>(() => text.IndexOf("positive".AsMemory()));
        Assert.Contains("positive", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SchemaErrorsNameTheMissingColumnBeforeAnyDataIsRead()
    {
        var view = Context.Data.LoadFromEnumerable(Unreadable());
        var estimator = Context.MulticlassClassification.Trainers.RobertaClassifier(fitted.ModelPath, labelColumnName: "Sentiment", sentence1ColumnName: "Review");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(view));
        Assert.Contains("'Review'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Text (String)", e.Message, StringComparison.Ordinal);

        var noLabel = Context.MulticlassClassification.Trainers.RobertaClassifier(fitted.ModelPath, labelColumnName: "Label", sentence1ColumnName: "Text");
        e = Assert.Throws<ArgumentOutOfRangeException>(() => noLabel.GetOutputSchema(SchemaShape.Create(view.Schema)));
        Assert.Contains("'Label'", e.Message, StringComparison.Ordinal);

        var noPair = Context.MulticlassClassification.Trainers.RobertaClassifier(fitted.ModelPath, "Sentiment", "Text", sentence2ColumnName: "Hypothesis");
        e = Assert.Throws<ArgumentOutOfRangeException>(() => noPair.Fit(view));
        Assert.Contains("'Hypothesis'", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentOutOfRangeException>(() => fitted.Binary.Transform(view));
        Assert.Contains("'Sentence1'", e.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<NamedReviewRow> Unreadable()
    {
        throw new InvalidOperationException("the data was read");
#pragma warning disable CS0162 // Unreachable: an iterator that fails as soon as it is enumerated.
        yield break;
#pragma warning restore CS0162
    }

    [Fact]
    public void TransformAddsLabelScoreAndProbabilityWithScoresThatAreProbabilities()
    {
        var output = fitted.Binary.Transform(fitted.Train);
        Assert.Equal(NumberDataViewType.Int32, output.Schema["PredictedLabel"].Type);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 2), output.Schema["Score"].Type);
        Assert.Equal(["0", "1"], output.Schema["Score"].Annotations.SlotNames!);
        Assert.Equal(NumberDataViewType.Single, output.Schema["Probability"].Type);
        var estimatorShape = Context.BinaryClassification.Trainers.RobertaClassifier(fitted.ModelPath).GetOutputSchema(SchemaShape.Create(fitted.Train.Schema));
        Assert.All(["PredictedLabel", "Score", "Probability"], c => Assert.True(estimatorShape.TryFindColumn(c, out _)));

        var rows = Context.Data.CreateEnumerable<Prediction>(output, reuseRowObject: false).ToList();
        Assert.Equal(64, rows.Count);
        foreach (var r in rows)
        {
            Assert.Equal(1f, r.Score.Sum(), 5);
            Assert.All(r.Score, p => Assert.InRange(p, 0f, 1f));
            Assert.Equal(r.Score[1], r.Probability);
            Assert.Equal(r.Score[1] > r.Score[0] ? 1 : 0, r.PredictedLabel);
        }
    }

    public sealed class Prediction
    {
        public int PredictedLabel { get; set; }
        public float[] Score { get; set; } = [];
        public float Probability { get; set; }
        public string Sentence1 { get; set; } = "";
    }

    [Fact]
    public void TransformIsLazy()
    {
        int enumerated = 0;
        var view = Context.Data.LoadFromEnumerable(Counted());
        var output = fitted.Binary.Transform(view);
        Assert.Equal(0, enumerated);
        Assert.Single(Context.Data.CreateEnumerable<Prediction>(Context.Data.TakeRows(output, 1), reuseRowObject: false));

        IEnumerable<ReviewRow> Counted()
        {
            foreach (var r in Reviews(8, 5)) { enumerated++; yield return new ReviewRow { Sentence1 = r.Text, Label = r.Label }; }
        }
    }

    [Fact]
    public void SingleExamplePredictEqualsTransform()
    {
        var rows = Context.Data.CreateEnumerable<Prediction>(fitted.Binary.Transform(fitted.Train), reuseRowObject: false).Take(10).ToList();
        foreach (var r in rows)
        {
            var p = fitted.Binary.Predict(r.Sentence1);
            Assert.Equal(r.PredictedLabel, p.PredictedLabel);
            Assert.Equal(r.Score, p.Score.ToArray());
            Assert.Equal(r.Probability, p.Probability);
        }
    }

    [Fact]
    public void SaveAndLoadGiveIdenticalPredictions()
    {
        string dir = Path.Combine(fitted.Root, "saved");
        fitted.Binary.Save(dir);
        Assert.All(["config.json", "model.safetensors", "vocab.txt"], f => Assert.True(File.Exists(Path.Combine(dir, f)), f));
        string config = File.ReadAllText(Path.Combine(dir, "config.json"));
        Assert.Contains("\"id2label\"", config, StringComparison.Ordinal);
        Assert.Contains("BertForSequenceClassification", config, StringComparison.Ordinal);
        var loaded = RobertaClassifierTransformer.Load(dir);
        Assert.True(loaded.IsBinary);
        Assert.Equal(fitted.Binary.Classes, loaded.Classes);
        var before = Context.Data.CreateEnumerable<Prediction>(fitted.Binary.Transform(fitted.Train), reuseRowObject: false).ToList();
        var after = Context.Data.CreateEnumerable<Prediction>(loaded.Transform(fitted.Train), reuseRowObject: false).ToList();
        Assert.Equal(before.Select(p => p.Score), after.Select(p => p.Score));
        Assert.Equal(before.Select(p => p.PredictedLabel), after.Select(p => p.PredictedLabel));
    }

    [Fact]
    public void SlidingWindowPredictionAveragesTheWindowsOfALongText()
    {
        // One token per character, so the windows are substrings: length 10 with [CLS]/[SEP] leaves 8, stride 5.
        var model = Context.MulticlassClassification.Trainers.RobertaClassifier(new RobertaClassifierOptions
        {
            ModelPath = fitted.ModelPath, MaxSteps = 1, BatchSize = 8, MaxSequenceLength = 10, LongTextStrategy = LongTextStrategy.SlidingWindow, Stride = 5,
        }).Fit(fitted.Train);
        string text = string.Concat(Enumerable.Repeat(Neutral + Positive, 2))[..30];
        var whole = model.Predict(text);
        var windows = Enumerable.Range(0, 5).Select(i => i * 5).Select(s => model.Predict(text.Substring(s, Math.Min(8, text.Length - s)))).ToList();
        for (int c = 0; c < 2; c++) Assert.Equal(windows.Average(w => w.Score[c]), whole.Score[c], 5);
        var truncated = fitted.Binary.Predict(text[..8]);
        Assert.NotEqual(truncated.Score[0], whole.Score[0]);
    }

    [Fact]
    public void PairInputUsesTokenTypes()
    {
        var data = Context.Data.LoadFromEnumerable(Reviews(16, 2).Select(r => new PairRow { Sentence1 = r.Text, Sentence2 = Neutral[..3], Label = r.Label == 1 }).ToList());
        var model = Context.BinaryClassification.Trainers.RobertaClassifier(new RobertaClassifierOptions
        {
            ModelPath = fitted.ModelPath, Sentence2ColumnName = "Sentence2", MaxSteps = 1, BatchSize = 8, MaxSequenceLength = 32,
        }).Fit(data);
        Assert.Equal(["false", "true"], model.Classes);
        var pair = model.Predict("我很好", "他的");
        var single = model.Predict("我很好");
        // Changing the second segment's type embedding changes pair predictions only: the second text is typed 1.
        var types = model.Model.Parameter("bert.embeddings.token_type_embeddings.weight");
        types[32..].Fill(0.5f);
        Assert.NotEqual(pair.Score[0], model.Predict("我很好", "他的").Score[0]);
        Assert.Equal(single.Score[0], model.Predict("我很好").Score[0]);
        var e = Assert.Throws<ArgumentException>(() => Context.BinaryClassification.Trainers.RobertaClassifier(new RobertaClassifierOptions
        {
            ModelPath = fitted.ModelPath, LabelColumnName = "Sentence1", MaxSteps = 1, MaxSequenceLength = 32,
        }).Fit(data));
        Assert.Contains("exactly 2 classes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StartsFromAMaskedLanguageModelWithItsEncoderWeights()
    {
        var pretrained = Pretrained(seed: 11);
        var options = new RobertaClassifierOptions { PretrainedModel = pretrained };
        var start = ClassifierStartingPoint.From(options);
        var model = start.CreateModel(3, seed: 1);
        Assert.Equal(3, model.Heads.NumLabels);
        foreach (var slice in pretrained.Model.Layout.Slices.Where(s => s.Name.StartsWith("bert.", StringComparison.Ordinal)))
            Assert.True(slice.Of(pretrained.Model.Parameters).SequenceEqual(model.Parameter(slice.Name)), slice.Name);

        var names = Context.Data.LoadFromEnumerable(Reviews(24, 3).Select(r => new NamedReviewRow { Text = r.Text, Sentiment = r.Label == 1 ? "pos" : "neg" }).ToList());
        var fittedModel = Context.MulticlassClassification.Trainers.RobertaClassifier(options with
        {
            LabelColumnName = "Sentiment", Sentence1ColumnName = "Text", MaxSteps = 2, BatchSize = 8, MaxSequenceLength = 32,
        }).Fit(names);
        Assert.Equal(["neg", "pos"], fittedModel.Classes);
        Assert.False(fittedModel.IsBinary);
        Assert.IsType<string>(fittedModel.Predict("我很好").PredictedLabel);
        Assert.Equal(TextDataViewType.Instance, fittedModel.Transform(names).Schema["PredictedLabel"].Type);
        Assert.Null(fittedModel.Transform(names).Schema.GetColumnOrNull("Probability"));
    }

    [Fact]
    public void LearnsASeparableTaskThroughDataViewsWithPerEpochCallbacks()
    {
        var train = Context.Data.LoadFromEnumerable(Reviews(256, 1).Select(r => new ReviewRow { Sentence1 = r.Text, Label = r.Label }).ToList());
        var valid = Context.Data.LoadFromEnumerable(Reviews(64, 2).Select(r => new ReviewRow { Sentence1 = r.Text, Label = r.Label }).ToList());
        var epochs = new List<EpochMetrics>();
        var model = Context.BinaryClassification.Trainers.RobertaClassifier(new RobertaClassifierOptions
        {
            ModelPath = fitted.ModelPath, BatchSize = 8, MaxEpochs = 6, LearningRate = 1e-3f, Dropout = 0f, MaxSequenceLength = 32,
            ValidationSet = valid, MetricsCallback = epochs.Add,
        }).Fit(train);
        Assert.Equal([1, 2, 3, 4, 5, 6], epochs.Select(e => e.Epoch));
        Assert.Equal(epochs, model.TrainingHistory);
        var predictions = Context.Data.CreateEnumerable<Prediction>(model.Transform(valid), reuseRowObject: false).ToList();
        var labels = Context.Data.CreateEnumerable<ReviewRow>(valid, reuseRowObject: false).Select(r => r.Label).ToList();
        double accuracy = predictions.Zip(labels).Count(x => x.First.PredictedLabel == x.Second) / (double)labels.Count;
        Assert.True(accuracy >= 0.95, $"accuracy {accuracy}; by epoch: {string.Join(", ", epochs.Select(e => e.Accuracy))}");
        Assert.Equal(epochs.Max(e => e.Accuracy), accuracy);

        var scored = model.Transform(valid);
        var binary = Context.BinaryClassification.Evaluate(scored, model);
        Assert.Equal(accuracy, binary.Accuracy, 10);
        Assert.True(binary.AreaUnderRocCurve >= 0.95, binary.ToTable());
        Assert.Equal(binary.Accuracy, Context.BinaryClassification.Evaluate(scored).Accuracy, 10); // ML.NET's call, by column names
        var multi = Context.MulticlassClassification.Evaluate(scored, model);
        Assert.Equal(accuracy, multi.MicroAccuracy, 10);
        Assert.Equal(epochs.Single(e => e.Accuracy == accuracy && e == epochs.First(x => x.Accuracy == accuracy)).LogLoss, multi.LogLoss, 4);
    }
}
