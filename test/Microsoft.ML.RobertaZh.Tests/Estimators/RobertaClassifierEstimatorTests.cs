using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Hosting;
using static Microsoft.ML.RobertaZh.Tests.Estimators.ClassifierFixtures;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Estimators;

public class RobertaClassifierEstimatorTests(FittedModels fitted) : IClassFixture<FittedModels>
{
    private MLContext Ml => fitted.Ml;

    [Fact]
    public void WrongLabelTypeFailsBeforeAnyDataIsReadWithTheFix()
    {
        var view = Ml.Data.LoadFromEnumerable(UnreadableRows.Of<NamedReview>());
        var multi = Ml.MulticlassClassification.Trainers.RobertaClassifier(fitted.ModelPath);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => multi.Fit(view));
        Assert.Contains("label column 'Label'", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected Key<UInt32>, got String", e.Message, StringComparison.Ordinal);
        Assert.Contains("MapValueToKey(\"Label\")", e.Message, StringComparison.Ordinal);

        var binary = Ml.BinaryClassification.Trainers.RobertaClassifier(fitted.ModelPath);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => binary.Fit(view));
        Assert.Contains("expected Boolean, got String", e.Message, StringComparison.Ordinal);
        Assert.Contains("ConvertType(\"Label\", outputKind: DataKind.Boolean)", e.Message, StringComparison.Ordinal);

        var noText = Ml.BinaryClassification.Trainers.RobertaClassifier(fitted.ModelPath, sentence1ColumnName: "Review");
        e = Assert.Throws<ArgumentOutOfRangeException>(() => noText.Fit(view));
        Assert.Contains("'Review'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Sentence1 (String)", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentOutOfRangeException>(() => fitted.Binary.Transform(Ml.Data.LoadFromEnumerable(new List<TextOnly>())));
        Assert.Contains("Sentence1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BinaryOutputsAreTheMarginItsSigmoidAndTheBooleanLabelWithScoreAnnotations()
    {
        var output = fitted.Binary.Transform(fitted.BinaryTrain);
        Assert.Equal(NumberDataViewType.Single, output.Schema["Score"].Type);
        Assert.Equal(NumberDataViewType.Single, output.Schema["Probability"].Type);
        Assert.Equal(BooleanDataViewType.Instance, output.Schema["PredictedLabel"].Type);
        Assert.Equal("Score", Annotation(output.Schema["Score"], "ScoreValueKind"));
        Assert.Equal("BinaryClassification", Annotation(output.Schema["Probability"], "ScoreColumnKind"));
        Assert.Equal("PredictedLabel", Annotation(output.Schema["PredictedLabel"], "ScoreValueKind"));
        bool normalized = false;
        output.Schema["Probability"].Annotations.GetValue("IsNormalized", ref normalized);
        Assert.True(normalized);

        var rows = Ml.Data.CreateEnumerable<BinaryPrediction>(output, reuseRowObject: false).ToList();
        Assert.Equal(64, rows.Count);
        Assert.Contains(rows, r => r.Score < 0);
        foreach (var r in rows)
        {
            Assert.Equal(1 / (1 + Math.Exp(-r.Score)), r.Probability, 5);
            Assert.Equal(r.Score > 0, r.PredictedLabel);
            var p = fitted.Binary.Predict(r.Sentence1);
            Assert.Equal(r.Probability, p.Probabilities[1], 5);
            Assert.Equal(Math.Log(p.Probabilities[1] / p.Probabilities[0]), r.Score, 4);
        }
    }

    private static string Annotation(DataViewSchema.Column column, string name)
    {
        ReadOnlyMemory<char> value = default;
        column.Annotations.GetValue(name, ref value);
        return value.ToString();
    }

    [Fact]
    public void MulticlassOutputsAreSoftmaxWithSlotNamesAndAKeyWithTheLabelsKeyValues()
    {
        var classifier = fitted.Chain.OfType<RobertaClassifierTransformer>().Single();
        var keyed = fitted.Chain.First().Transform(fitted.NamedTrain);
        var scored = classifier.Transform(keyed);
        var score = scored.Schema["Score"];
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3), score.Type);
        VBuffer<ReadOnlyMemory<char>> slots = default;
        score.GetSlotNames(ref slots);
        Assert.Equal(["负面", "正面", "中性"], slots.DenseValues().Select(v => v.ToString())); // MapValueToKey's order of occurrence
        Assert.Equal(classifier.Classes, slots.DenseValues().Select(v => v.ToString()));
        Assert.Equal(new KeyDataViewType(typeof(uint), 3), scored.Schema["PredictedLabel"].Type);
        VBuffer<ReadOnlyMemory<char>> keys = default;
        scored.Schema["PredictedLabel"].GetKeyValues(ref keys);
        Assert.Equal(slots.DenseValues(), keys.DenseValues());
        Assert.Equal("MulticlassClassification", Annotation(score, "ScoreColumnKind"));

        var rows = Ml.Data.CreateEnumerable<NamedPrediction>(fitted.Chain.Transform(fitted.NamedTrain), reuseRowObject: false).ToList();
        Assert.All(rows, r =>
        {
            Assert.Equal(1f, r.Score.Sum(), 4);
            Assert.Equal(classifier.Classes[Array.IndexOf(r.Score, r.Score.Max())], r.PredictedLabel);
        });
    }

    [Fact]
    public void EstimatorShapeMatchesTheFittedSchema()
    {
        var shape = Interop.ShapeOf(fitted.BinaryTrain.Schema);
        var estimated = Ml.BinaryClassification.Trainers.RobertaClassifier(fitted.ModelPath).GetOutputSchema(shape);
        var actual = fitted.Binary.GetOutputSchema(fitted.BinaryTrain.Schema);
        foreach (var name in new[] { "Score", "Probability", "PredictedLabel" })
        {
            var c = estimated.Single(x => x.Name == name);
            Assert.Equal(SchemaShape.Column.VectorKind.Scalar, c.Kind);
            Assert.Equal(actual[name].Type, c.ItemType);
        }

        var keyShape = Interop.ShapeOf(fitted.Chain.First().GetOutputSchema(fitted.NamedTrain.Schema));
        var multi = Ml.MulticlassClassification.Trainers.RobertaClassifier(fitted.ModelPath).GetOutputSchema(keyShape);
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, multi.Single(c => c.Name == "Score").Kind);
        Assert.True(multi.Single(c => c.Name == "PredictedLabel").IsKey);
        Assert.Contains(multi.Single(c => c.Name == "Score").Annotations, a => a.Name == "SlotNames");
    }

    [Fact]
    public void TransformIsLazy()
    {
        int enumerated = 0;
        var view = Ml.Data.LoadFromEnumerable(Counted());
        var output = fitted.Binary.Transform(view);
        Assert.Equal(0, enumerated);
        Assert.Single(Ml.Data.CreateEnumerable<BinaryPrediction>(Ml.Data.TakeRows(output, 1), reuseRowObject: false));
        Assert.Equal(9, enumerated); // the cursor's one row, and the look-ahead cursor's batch (all 8 rows)

        IEnumerable<BinaryReview> Counted()
        {
            foreach (var r in ToyRows.Binary(8, 5))
            {
                enumerated++;
                yield return r;
            }
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
        using var loaded = RobertaClassifierTransformer.Load(new MLContext(), dir);
        Assert.True(loaded.IsBinary);
        Assert.Equal(fitted.Binary.Classes, loaded.Classes);
        var before = Ml.Data.CreateEnumerable<BinaryPrediction>(fitted.Binary.Transform(fitted.BinaryTrain), reuseRowObject: false).Select(p => p.Score).ToList();
        var after = Ml.Data.CreateEnumerable<BinaryPrediction>(loaded.Transform(fitted.BinaryTrain), reuseRowObject: false).Select(p => p.Score).ToList();
        Assert.Equal(before, after);
    }

    [Fact]
    public void SlidingWindowPredictionAveragesTheWindowsOfALongText()
    {
        // One token per character, so the windows are substrings: length 10 with [CLS]/[SEP] leaves 8, stride 5.
        var model = Ml.BinaryClassification.Trainers.RobertaClassifier(new RobertaClassifierOptions
        {
            ModelPath = fitted.ModelPath, MaxSteps = 1, BatchSize = 8, MaxSequenceLength = 10, LongTextStrategy = LongTextStrategy.SlidingWindow, Stride = 5,
        }).Fit(fitted.BinaryTrain);
        string text = string.Concat(Enumerable.Repeat(Neutral + Positive, 2))[..30];
        var whole = model.Predict(text);
        var windows = Enumerable.Range(0, 5).Select(i => i * 5).Select(s => model.Predict(text.Substring(s, Math.Min(8, text.Length - s)))).ToList();
        for (int c = 0; c < 2; c++) Assert.Equal(windows.Average(w => w.Probabilities[c]), whole.Probabilities[c], 4); // windows batched with padding
        var engine = Ml.Model.CreatePredictionEngine<BinaryReview, BinaryPrediction>(model);
        var viaEngine = engine.Predict(new BinaryReview { Sentence1 = text });
        Assert.Equal(whole.Probabilities[1], viaEngine.Probability, 4); // sigmoid(log p̄₁ − log p̄₀) = p̄₁ up to float rounding
    }

    [Fact]
    public void PairInputUsesTokenTypes()
    {
        var data = Ml.Data.LoadFromEnumerable(Reviews(16, 2).Select(r => new PairRow { Sentence1 = r.Text, Sentence2 = Neutral[..3], Label = r.Label == 1 }).ToList());
        var model = Ml.BinaryClassification.Trainers.RobertaClassifier(new RobertaClassifierOptions
        {
            ModelPath = fitted.ModelPath, Sentence2ColumnName = "Sentence2", BatchSize = 8, MaxEpochs = 1, MaxSequenceLength = 32,
        }).Fit(data);
        Assert.Equal("Sentence2", model.Sentence2ColumnName);
        var pair = model.Predict("我很好", "他的");
        var single = model.Predict("我很好", "");
        var types = model.Model.Parameter("bert.embeddings.token_type_embeddings.weight");
        types[32..].Fill(0.5f);
        // Changing the second segment's type embedding changes the pair's prediction: the second text is typed 1.
        Assert.NotEqual(pair.Probabilities[0], model.Predict("我很好", "他的").Probabilities[0]);
        var scored = Ml.Data.CreateEnumerable<BinaryPrediction>(model.Transform(data), reuseRowObject: false).ToList();
        Assert.Equal(16, scored.Count);
        Assert.NotEqual(single.Probabilities[0], pair.Probabilities[0]);
    }

    [Fact]
    public void StartsFromAnEncoderWithItsWeights()
    {
        var pretrained = Pretrained(seed: 11);
        var options = new RobertaClassifierOptions { PretrainedModel = pretrained };
        var model = ClassifierStartingPoint.From(options).CreateModel(3, seed: 1);
        Assert.Equal(3, model.Heads.NumLabels);
        foreach (var slice in pretrained.Model.Layout.Slices.Where(s => s.Name.StartsWith("bert.", StringComparison.Ordinal)))
            Assert.True(slice.Of(pretrained.Model.Parameters).SequenceEqual(model.Parameter(slice.Name)), slice.Name);
    }

    [Fact]
    public void LearnsASeparableTaskWithPerEpochCallbacksAndTheBestEpochKept()
    {
        var train = Ml.Data.LoadFromEnumerable(ToyRows.Binary(256, 1));
        var valid = Ml.Data.LoadFromEnumerable(ToyRows.Binary(64, 2));
        var epochs = new List<EpochMetrics>();
        var model = Ml.BinaryClassification.Trainers.RobertaClassifier(new RobertaClassifierOptions
        {
            ModelPath = fitted.ModelPath, BatchSize = 8, MaxEpochs = 6, LearningRate = 1e-3f, Dropout = 0f, MaxSequenceLength = 32,
            ValidationSet = valid, MetricsCallback = epochs.Add, Seed = 3,
        }).Fit(train);
        Assert.Equal([1, 2, 3, 4, 5, 6], epochs.Select(e => e.Epoch));
        Assert.Equal(epochs, model.TrainingHistory);
        var metrics = Ml.BinaryClassification.Evaluate(model.Transform(valid));
        Assert.True(metrics.Accuracy >= 0.95, $"accuracy {metrics.Accuracy}; by epoch: {string.Join(", ", epochs.Select(e => e.Accuracy))}");
        Assert.Equal(epochs.Max(e => e.Accuracy), metrics.Accuracy, 10);
        Assert.True(metrics.AreaUnderRocCurve >= 0.95);
    }
}
