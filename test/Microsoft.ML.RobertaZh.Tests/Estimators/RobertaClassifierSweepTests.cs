using System.Text.Json;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Tests.Data;
using static Microsoft.ML.RobertaZh.Tests.Estimators.ClassifierFixtures;

namespace Microsoft.ML.RobertaZh.Tests.Estimators;

public class RobertaClassifierSweepTests
{
    private static readonly int[] UerEpochs = [3, 5, 8];
    private static readonly int[] UerBatchSizes = [32, 64];

    [Fact]
    public void PicksTheBestTrialByAnMlNetMetricRespectsTheTrialBudgetAndWritesTheResults()
    {
        using var files = new TempFiles();
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(ToyRows.Binary(256, 1));
        var valid = ml.Data.LoadFromEnumerable(ToyRows.Binary(64, 2));
        var seen = new List<SweepTrial>();
        var options = new RobertaClassifierOptions { ModelPath = ModelDirectory(files.Root), Dropout = 0f, MaxSequenceLength = 32, Seed = 3 };
        var sweep = new RobertaClassifierSweep(ml, RobertaClassifierSweep.ClassifierFactory(options, RobertaClassifierTask.Binary), new SweepOptions
        {
            Epochs = [6], BatchSizes = [8], LearningRates = [1e-9f, 1e-3f, 1e-8f], MaxTrials = 2, TrialCallback = seen.Add, Metric = SweepMetric.AreaUnderRocCurve,
        });
        var result = sweep.Run(train, valid);

        Assert.Equal(2, result.Trials.Count); // the third grid point is beyond the trial budget
        Assert.Equal(4, seen.Count); // started and finished, for each trial
        Assert.Equal([1e-9f, 1e-3f], result.Trials.Select(t => t.Parameters.LearningRate));
        Assert.Same(result.Trials[1], result.Best);
        Assert.True(result.Best.Value(SweepMetric.Accuracy) >= 0.95 && result.Trials[0].Value(SweepMetric.Accuracy) < 0.9, result.ToTable());
        var expected = ml.BinaryClassification.Evaluate(result.BestModel.Transform(valid));
        Assert.Equal(expected.AreaUnderRocCurve, result.Best.Value(SweepMetric.AreaUnderRocCurve), 12);
        Assert.Equal(expected.LogLoss, result.Best.Value(SweepMetric.LogLoss), 12);
        Assert.Contains("*   2", result.ToTable(), StringComparison.Ordinal);

        string output = Path.Combine(files.Root, "sweep");
        sweep.SaveResults(result, train.Schema, output);
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "sweep.json"))).RootElement;
        Assert.Equal(2, json.GetProperty("best_trial").GetInt32());
        Assert.Equal(2, json.GetProperty("trials").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(output, "sweep.txt")));
        var saved = ml.Model.LoadWithRoberta(Path.Combine(output, "model.zip"), out _);
        Assert.Equal(expected.AreaUnderRocCurve, ml.BinaryClassification.Evaluate(saved.Transform(valid)).AreaUnderRocCurve, 12);
    }

    [Fact]
    public void LogLossIsMinimisedAndMulticlassMetricsComeFromTheMulticlassEvaluator()
    {
        using var files = new TempFiles();
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(ToyRows.Named(120, 1));
        var valid = ml.Data.LoadFromEnumerable(ToyRows.Named(60, 2));
        var options = new RobertaClassifierOptions { ModelPath = ModelDirectory(files.Root), Dropout = 0f, MaxSequenceLength = 32, Seed = 3 };
        var keys = ml.Transforms.Conversion.MapValueToKey("Label");
        var result = new RobertaClassifierSweep(ml, RobertaClassifierSweep.ClassifierFactory(options, RobertaClassifierTask.Multiclass, preprocessing: keys),
            new SweepOptions { Epochs = [2], BatchSizes = [8], LearningRates = [1e-3f, 1e-6f], Metric = SweepMetric.LogLoss }).Run(train, valid);
        Assert.Equal(result.Trials.MinBy(t => t.Value(SweepMetric.LogLoss)), result.Best);
        Assert.True(result.Best.Value(SweepMetric.MacroAccuracy) > 0);
        Assert.Equal(ml.MulticlassClassification.Evaluate(result.BestModel.Transform(valid)).MacroAccuracy, result.Best.Value(SweepMetric.MacroAccuracy), 12);
        Assert.True(double.IsNaN(result.Best.Value(SweepMetric.AreaUnderRocCurve)));
    }

    [Fact]
    public void DefaultGridIsUersAndRandomSearchDrawsWithinTheRanges()
    {
        var grid = new SweepOptions().Trials();
        Assert.Equal(18, grid.Count);
        Assert.Equal((3, 32, 3e-5f), grid[0]);
        Assert.Equal((8, 64, 3e-4f), grid[^1]);
        var random = new SweepOptions { Search = SweepSearch.Random, RandomTrials = 25, Seed = 3 }.Trials();
        Assert.Equal(25, random.Count);
        Assert.All(random, t =>
        {
            Assert.Contains(t.Epochs, UerEpochs);
            Assert.Contains(t.BatchSize, UerBatchSizes);
            Assert.InRange(t.LearningRate, 3e-5f * 0.9999f, 3e-4f * 1.0001f);
        });
        Assert.True(random.Select(t => t.LearningRate).Distinct().Count() > 20);
    }

    [Fact]
    public void NoTrialStartsAfterTheTimeBudgetAndACancelledSweepThrows()
    {
        using var files = new TempFiles();
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(ToyRows.Binary(512, 1));
        var options = new RobertaClassifierOptions { ModelPath = ModelDirectory(files.Root), MaxSequenceLength = 32 };
        var factory = RobertaClassifierSweep.ClassifierFactory(options, RobertaClassifierTask.Binary);
        var sweep = new RobertaClassifierSweep(ml, factory,
            new SweepOptions { Epochs = [1], BatchSizes = [1], LearningRates = [1e-4f, 2e-4f, 3e-4f], TimeBudget = TimeSpan.FromMilliseconds(1) });
        // The first trial may start within the budget (and then be cancelled, or finish on a fast machine); the others never start.
        try
        {
            Assert.Single(sweep.Run(train, train).Trials);
        }
        catch (InvalidOperationException e)
        {
            Assert.Contains("No trial finished", e.Message, StringComparison.Ordinal);
        }

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new RobertaClassifierSweep(ml, factory).Run(train, train, cancelled.Token));
    }
}
