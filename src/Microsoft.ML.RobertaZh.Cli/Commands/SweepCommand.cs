using System.CommandLine;
using System.Globalization;
using Microsoft.ML.RobertaZh.Estimators;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

// ML.NET has a namespace Microsoft.ML.Command, which an enclosing namespace would find first.
using Command = System.CommandLine.Command;

/// <summary>
/// <c>roberta-zh sweep --train FILE --validation FILE --model DIR --output DIR [--grid E:B:LR | --random N] [--max-trials N] [--time-budget MIN]</c>:
/// fine-tunes once per setting (on an MLContext, each trial an ML.NET pipeline) and keeps the best by an ML.NET validation metric.
/// </summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var shared = new ClassifierCliOptions();
        var validation = new Option<FileInfo>("--validation") { Description = "Validation data the trials are compared on.", Required = true };
        var grid = new Option<string>("--grid")
        {
            Description = "EPOCHS:BATCH_SIZES:LEARNING_RATES, comma-separated lists (default UER's 3,5,8:32,64:3e-5,1e-4,3e-4). With --random, the choices and the learning-rate range.",
            DefaultValueFactory = _ => "3,5,8:32,64:3e-5,1e-4,3e-4",
        };
        var random = new Option<int?>("--random") { Description = "Random search with N trials instead of the grid." };
        var maxTrials = new Option<int?>("--max-trials") { Description = "Run at most N trials." };
        var budget = new Option<double?>("--time-budget") { Description = "Minutes; no trial starts after, and the running one stops at its best epoch so far." };
        var metric = new Option<string>("--metric") { Description = "accuracy, auc, f1, macro-accuracy or log-loss (ML.NET's metrics; log-loss lower is better).", DefaultValueFactory = _ => "accuracy" };
        var command = new Command("sweep", "Search epochs × batch size × learning rate (grid or random) and keep the best classifier.")
        {
            validation, grid, random, maxTrials, budget, metric,
        };
        shared.AddTo(command);
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var ml = new MLContext(seed: parse.GetValue(shared.Seed));
            var train = ClassifierCliOptions.Load(ml, parse.GetValue(shared.Train)!, parse.GetValue(shared.Format)!);
            var valid = ClassifierCliOptions.Load(ml, parse.GetValue(validation)!, parse.GetValue(shared.Format)!);
            var task = shared.TaskOf(parse, train);
            var labels = ClassifierCliOptions.LabelPreparation(ml, task).Fit(train);
            var (epochs, batches, rates) = ParseGrid(parse.GetValue(grid)!);
            string output = parse.GetValue(shared.Output)!.FullName;
            var sweepOptions = new SweepOptions
            {
                Epochs = epochs, BatchSizes = batches, LearningRates = rates,
                Search = parse.GetValue(random) is null ? SweepSearch.Grid : SweepSearch.Random, RandomTrials = parse.GetValue(random) ?? 10,
                MaxTrials = parse.GetValue(maxTrials), TimeBudget = parse.GetValue(budget) is double minutes ? TimeSpan.FromMinutes(minutes) : null,
                Metric = parse.GetValue(metric) switch
                {
                    "accuracy" => SweepMetric.Accuracy,
                    "auc" => SweepMetric.AreaUnderRocCurve,
                    "f1" => SweepMetric.F1Score,
                    "macro-accuracy" => SweepMetric.MacroAccuracy,
                    "log-loss" => SweepMetric.LogLoss,
                    var other => throw new CommandLineException($"--metric must be accuracy, auc, f1, macro-accuracy or log-loss, not '{other}'."),
                },
                Seed = parse.GetValue(shared.Seed),
                TrialCallback = t => Console.Error.WriteLine(t.Metrics.Count == 0 && !t.Completed && t.Seconds == 0
                    ? string.Create(CultureInfo.InvariantCulture, $"trial {t.Id}: epochs {t.Parameters.Epochs}  batch {t.Parameters.BatchSize}  learning rate {t.Parameters.LearningRate:G3}")
                    : string.Create(CultureInfo.InvariantCulture, $"trial {t.Id}: ") + string.Join("  ", t.Metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:F4}")))
                      + string.Create(CultureInfo.InvariantCulture, $"  ({t.Seconds:F1} s)")),
            };
            var options = shared.ToOptions(parse, ClassifierCliOptions.HasPair(train));
            var validSet = labels.Transform(valid);
            options.ValidationSet = validSet;
            var sweep = new RobertaClassifierSweep(ml, RobertaClassifierSweep.ClassifierFactory(options, task), sweepOptions);
            var trainSet = labels.Transform(train);
            var result = sweep.Run(trainSet, validSet);
            Console.Out.WriteLine(result.ToTable());
            sweep.SaveResults(result, trainSet.Schema, output);
            ((RobertaClassifierTransformer)result.BestModel).Save(output);
            Console.Error.WriteLine($"best model (model.safetensors, config.json, vocab.txt; model.zip), sweep.txt and sweep.json saved to {output}");
            RunPlotWriter.Write(output);
        }));
        return command;
    }

    /// <summary>Parses EPOCHS:BATCH_SIZES:LEARNING_RATES.</summary>
    public static (int[] Epochs, int[] BatchSizes, float[] LearningRates) ParseGrid(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 3) throw new CommandLineException($"--grid must be EPOCHS:BATCH_SIZES:LEARNING_RATES (for example 3,5,8:32,64:3e-5,1e-4,3e-4), not '{text}'.");
        try
        {
            var inv = CultureInfo.InvariantCulture;
            return ([.. parts[0].Split(',').Select(s => int.Parse(s, inv))], [.. parts[1].Split(',').Select(s => int.Parse(s, inv))],
                [.. parts[2].Split(',').Select(s => float.Parse(s, NumberStyles.Float, inv))]);
        }
        catch (FormatException)
        {
            throw new CommandLineException($"--grid '{text}' has a value that is not a number.");
        }
    }
}
