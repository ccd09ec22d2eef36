using System.Text.Json;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Tests.Data;
using static Microsoft.ML.RobertaZh.Tests.Estimators.ClassifierFixtures;

namespace Microsoft.ML.RobertaZh.Tests.Estimators;

public class RobertaClassifierSweepTests
{
    private static readonly RobertaZhContext Context = new(1);
    private static readonly int[] UerEpochs = [3, 5, 8];
    private static readonly int[] UerBatchSizes = [32, 64];

    [Fact]
    public void PicksTheBestTrialRespectsTheTrialBudgetAndWritesTheResults()
    {
        using var files = new TempFiles();
        var train = Context.Data.LoadFromEnumerable(Reviews(256, 1).Select(r => new ReviewRow { Sentence1 = r.Text, Label = r.Label }).ToList());
        var valid = Context.Data.LoadFromEnumerable(Reviews(64, 2).Select(r => new ReviewRow { Sentence1 = r.Text, Label = r.Label }).ToList());
        var seen = new List<SweepTrial>();
        string output = Path.Combine(files.Root, "sweep");
        var sweep = new RobertaClassifierSweep(
            new RobertaClassifierOptions { ModelPath = ModelDirectory(files.Root), Dropout = 0f, MaxSequenceLength = 32 },
            new SweepOptions
            {
                Epochs = [6], BatchSizes = [8], LearningRates = [1e-9f, 1e-3f, 1e-8f], MaxTrials = 2, OutputDirectory = output,
                TrialCallback = seen.Add,
            }, binary: true);
        var result = sweep.Run(train, valid);

        Assert.Equal(2, result.Trials.Count); // the third grid point is beyond the trial budget
        Assert.Equal(4, seen.Count); // started and finished, for each trial
        Assert.Equal([1e-9f, 1e-3f], result.Trials.Select(t => t.LearningRate));
        Assert.Same(result.Trials[1], result.Best);
        Assert.True(result.Best.Accuracy >= 0.95 && result.Trials[0].Accuracy < 0.9, result.ToTable());
        Assert.All(result.Trials, t => Assert.Equal(6, t.History.Count));
        Assert.Contains("*   2", result.ToTable(), StringComparison.Ordinal);

        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "sweep.json"))).RootElement;
        Assert.Equal(2, json.GetProperty("best_trial").GetInt32());
        Assert.Equal(2, json.GetProperty("trials").GetArrayLength());
        Assert.Equal(6, json.GetProperty("trials")[1].GetProperty("history").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(output, "sweep.txt")));
        var saved = RobertaClassifierTransformer.Load(output);
        var text = Reviews(4, 9)[0].Text;
        Assert.Equal(result.BestModel.Predict(text).Score, saved.Predict(text).Score);
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
    public void NoTrialStartsAfterTheTimeBudget()
    {
        using var files = new TempFiles();
        var train = Context.Data.LoadFromEnumerable(Reviews(2048, 1).Select(r => new ReviewRow { Sentence1 = r.Text, Label = r.Label }).ToList());
        var sweep = new RobertaClassifierSweep(
            new RobertaClassifierOptions { ModelPath = ModelDirectory(files.Root), MaxSequenceLength = 32 },
            new SweepOptions { Epochs = [1], BatchSizes = [1], LearningRates = [1e-4f, 2e-4f, 3e-4f], TimeBudget = TimeSpan.FromMilliseconds(1) });
        // The first trial starts within the budget; whether it finishes its epoch before the timer stops it depends on
        // the machine, but the other two never start.
        try
        {
            Assert.Single(sweep.Run(train, train).Trials);
        }
        catch (InvalidOperationException e)
        {
            Assert.Contains("No trial finished", e.Message, StringComparison.Ordinal);
        }
    }
}
