using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Evaluation;

namespace Microsoft.ML.RobertaZh.Tests.Estimators;

/// <summary>The RoBERTa transformers inside real ML.NET pipelines, checked by ML.NET's own evaluators and operations.</summary>
public class PipelineProofTests(FittedModels fitted) : IClassFixture<FittedModels>
{
    private MLContext Ml => fitted.Ml;

    [Fact]
    public void ThreeStepChainFitsTransformsAndEvaluatesWithClassNames()
    {
        var train = Ml.Data.LoadFromEnumerable(ToyRows.Named(360, 3));
        var valid = Ml.Data.LoadFromEnumerable(ToyRows.Named(60, 4));
        var model = FittedModels.MulticlassPipeline(Ml, fitted.ModelPath, epochs: 15).Fit(train);
        var scored = model.Transform(valid);
        var metrics = Ml.MulticlassClassification.Evaluate(scored);
        string table = metrics.ConfusionMatrix.GetFormattedConfusionTable();
        Assert.All(["正面", "负面", "中性"], name => Assert.Contains(name, table, StringComparison.Ordinal));
        Assert.Equal(["负面", "正面", "中性"], metrics.ConfusionMatrix.GetClassNames()); // MapValueToKey's order of occurrence
        Assert.True(metrics.MicroAccuracy > 0.6, metrics.ToTable()); // chance is 1/3
        // MicroAccuracy is computed by ML.NET from Score's argmax; the mapped-back PredictedLabel must agree with it.
        var rows = Ml.Data.CreateEnumerable<NamedPrediction>(scored, reuseRowObject: false).ToList();
        var labels = ToyRows.Named(60, 4).Select(r => r.Label).ToList();
        Assert.Equal(metrics.MicroAccuracy, rows.Zip(labels).Count(x => x.First.PredictedLabel == x.Second) / (double)labels.Count, 10);
        // LogLoss reads Score as probabilities: the per-row mean of −ln p(true class).
        var classes = model.OfType<RobertaClassifierTransformer>().Single().Classes.ToList();
        double logLoss = rows.Zip(labels).Average(x => -Math.Log(Math.Max(1e-15, x.First.Score[classes.IndexOf(x.Second)])));
        Assert.Equal(logLoss, metrics.LogLoss, 4);
    }

    [Fact]
    public void BinaryEvaluateAndEvaluateNonCalibratedAgreeWithAccuracyCountedFromPredictedLabel()
    {
        var scored = fitted.Binary.Transform(Ml.Data.LoadFromEnumerable(ToyRows.Binary(80, 7)));
        var calibrated = Ml.BinaryClassification.Evaluate(scored);
        var uncalibrated = Ml.BinaryClassification.EvaluateNonCalibrated(scored);
        var rows = Ml.Data.CreateEnumerable<BinaryPrediction>(scored, reuseRowObject: false).ToList();
        double counted = rows.Count(r => r.PredictedLabel == r.Label) / (double)rows.Count;
        Assert.Equal(counted, calibrated.Accuracy, 10);
        Assert.Equal(counted, uncalibrated.Accuracy, 10);
        Assert.Equal(calibrated.AreaUnderRocCurve, uncalibrated.AreaUnderRocCurve, 10);
        Assert.InRange(counted, 0.01, 0.99); // some of each: a briefly trained model, so both kinds of errors count
        double logLoss = rows.Average(r => -Math.Log2(Math.Max(1e-15, r.Label ? r.Probability : 1 - r.Probability)));
        Assert.Equal(logLoss, calibrated.LogLoss, 4);
    }

    [Fact]
    public void PredictionEngineOverTheChainGivesTheTransformsAnswers()
    {
        var engine = Ml.Model.CreatePredictionEngine<NamedReview, NamedPrediction>(fitted.Chain);
        var expected = Ml.Data.CreateEnumerable<NamedPrediction>(fitted.Chain.Transform(fitted.NamedTrain), reuseRowObject: false).Take(12).ToList();
        foreach (var e in expected)
        {
            var p = engine.Predict(new NamedReview { Sentence1 = e.Sentence1, Label = "正面" });
            Assert.Equal(e.PredictedLabel, p.PredictedLabel);
            Assert.Equal(e.Score, p.Score);
        }

        var binary = Ml.Model.CreatePredictionEngine<BinaryReview, BinaryPrediction>(fitted.Binary);
        var first = ToyRows.Binary(3, 9);
        Assert.Equal(fitted.Binary.Predict(first[1].Sentence1).Probabilities[1], binary.Predict(first[1]).Probability, 5);
    }

    [Fact]
    public void CrossValidateTrainTestSplitAndCacheWork()
    {
        var data = Ml.Data.Cache(Ml.Data.LoadFromEnumerable(ToyRows.Binary(90, 11)));
        var estimator = Ml.BinaryClassification.Trainers.RobertaClassifier(new RobertaClassifierOptions
        {
            ModelPath = fitted.ModelPath, BatchSize = 16, MaxSteps = 2, MaxSequenceLength = 32,
        });
        var folds = Ml.BinaryClassification.CrossValidate(data, estimator, numberOfFolds: 3);
        Assert.Equal(3, folds.Count);
        Assert.Equal(90, folds.Sum(f => Ml.Data.CreateEnumerable<BinaryPrediction>(f.ScoredHoldOutSet, reuseRowObject: false).Count()));
        Assert.All(folds, f => Assert.InRange(f.Metrics.Accuracy, 0, 1));

        var split = Ml.Data.TrainTestSplit(data, testFraction: 0.25, seed: 3);
        var model = estimator.Fit(split.TrainSet);
        int test = Ml.Data.CreateEnumerable<BinaryPrediction>(model.Transform(split.TestSet), reuseRowObject: false).Count();
        int train = Ml.Data.CreateEnumerable<BinaryReview>(split.TrainSet, reuseRowObject: false).Count();
        Assert.Equal(90, test + train);
        Assert.InRange(test, 10, 40);
    }

    [Fact]
    public void SaveWithRobertaRoundTripsInAFreshContextWithIdenticalScores()
    {
        string path = Path.Combine(fitted.Root, "chain.zip");
        Ml.Model.SaveWithRoberta(fitted.Chain, fitted.NamedTrain.Schema, path);
        var fresh = new MLContext(seed: 99);
        var loaded = fresh.Model.LoadWithRoberta(path, out var schema);
        Assert.Equal(fitted.NamedTrain.Schema.Select(c => c.Name), schema.Select(c => c.Name));
        Assert.Equal(fitted.Chain.Select(t => t.GetType().Name), loaded.Select(t => t.GetType().Name));
        var data = fresh.Data.LoadFromEnumerable(ToyRows.Named(30, 8));
        var before = Ml.Data.CreateEnumerable<NamedPrediction>(fitted.Chain.Transform(data), reuseRowObject: false).ToList();
        var after = fresh.Data.CreateEnumerable<NamedPrediction>(loaded.Transform(data), reuseRowObject: false).ToList();
        Assert.Equal(before.Select(p => p.Score), after.Select(p => p.Score));
        Assert.Equal(before.Select(p => p.PredictedLabel), after.Select(p => p.PredictedLabel));
        Assert.Equal(Ml.MulticlassClassification.Evaluate(fitted.Chain.Transform(data)).LogLoss, fresh.MulticlassClassification.Evaluate(loaded.Transform(data)).LogLoss);

        // A chain that starts with our transformer still records the input schema.
        string alone = Path.Combine(fitted.Root, "binary.zip");
        Ml.Model.SaveWithRoberta(fitted.Binary, fitted.BinaryTrain.Schema, alone);
        var reloaded = fresh.Model.LoadWithRoberta(alone, out var binarySchema);
        Assert.Equal(fitted.BinaryTrain.Schema.Select(c => c.Name), binarySchema.Select(c => c.Name));
        var engine = fresh.Model.CreatePredictionEngine<BinaryReview, BinaryPrediction>(reloaded);
        var review = ToyRows.Binary(1, 4)[0];
        Assert.Equal(fitted.Binary.Predict(review.Sentence1).Probabilities[1], engine.Predict(review).Probability, 6);
    }

    [Fact]
    public void PlainModelSaveThrowsTheExplanatoryException()
    {
        using var stream = new MemoryStream();
        var e = Assert.Throws<NotSupportedException>(() => Ml.Model.Save(fitted.Chain, fitted.NamedTrain.Schema, stream));
        Assert.Contains("SaveWithRoberta", e.Message, StringComparison.Ordinal);
        Assert.Contains("Save(directory)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LogEventsArriveInMlContextLog()
    {
        var ml = new MLContext(seed: 5);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source.StartsWith("RobertaClassifier", StringComparison.Ordinal))
                lock (messages) messages.Add(e.Source + ": " + e.RawMessage);
        };
        ml.BinaryClassification.Trainers.RobertaClassifier(new RobertaClassifierOptions
        {
            ModelPath = fitted.ModelPath, BatchSize = 16, MaxEpochs = 1, MaxSequenceLength = 32, ValidationSet = ml.Data.LoadFromEnumerable(ToyRows.Binary(16, 2)),
        }).Fit(ml.Data.LoadFromEnumerable(ToyRows.Binary(32, 1)));
        Assert.Contains(messages, m => m.StartsWith("RobertaClassifier; Fit: fine-tuning on 32 rows", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("epoch 1: validation accuracy", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("step 2/2", StringComparison.Ordinal));
    }

    [Fact]
    public void ACancelledTokenRaisesOperationCanceledExceptionAfterACheckpoint()
    {
        using var cancel = new CancellationTokenSource();
        string output = Path.Combine(fitted.Root, "cancelled");
        var options = new RobertaClassifierOptions
        {
            ModelPath = fitted.ModelPath, BatchSize = 8, MaxEpochs = 3, MaxSequenceLength = 32, OutputDirectory = output, CancellationToken = cancel.Token,
            Progress = new Inline(p => { if (p.Step == 3) cancel.Cancel(); }),
        };
        var estimator = Ml.BinaryClassification.Trainers.RobertaClassifier(options);
        Assert.Throws<OperationCanceledException>(() => estimator.Fit(Ml.Data.LoadFromEnumerable(ToyRows.Binary(64, 1))));
        Assert.True(File.Exists(Path.Combine(output, "checkpoints", "latest")), "a checkpoint is written before stopping");
    }

    [Fact]
    public void SeedsComeFromTheMlContextUnlessTheOptionsSetOne()
    {
        var data = ToyRows.Binary(32, 1);
        float Margin(MLContext ml, int? seed) => ml.BinaryClassification.Trainers.RobertaClassifier(new RobertaClassifierOptions
        {
            ModelPath = fitted.ModelPath, BatchSize = 8, MaxSteps = 2, MaxSequenceLength = 32, Seed = seed,
        }).Fit(ml.Data.LoadFromEnumerable(data)).Predict(data[0].Sentence1).Probabilities[1];
        Assert.Equal(Margin(new MLContext(seed: 4), null), Margin(new MLContext(seed: 4), null));
        Assert.NotEqual(Margin(new MLContext(seed: 4), null), Margin(new MLContext(seed: 5), null));
        Assert.Equal(Margin(new MLContext(seed: 4), 9), Margin(new MLContext(seed: 5), 9));
    }

    private sealed class Inline(Action<RobertaZh.Training.TrainingProgress> action) : IProgress<RobertaZh.Training.TrainingProgress>
    {
        public void Report(RobertaZh.Training.TrainingProgress value) => action(value);
    }
}
