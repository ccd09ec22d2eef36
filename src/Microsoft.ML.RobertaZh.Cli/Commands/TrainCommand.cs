using System.CommandLine;
using System.Globalization;
using Microsoft.ML.RobertaZh.Estimators;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

// ML.NET has a namespace Microsoft.ML.Command, which an enclosing namespace would find first.
using Command = System.CommandLine.Command;

/// <summary>
/// <c>roberta-zh train --train FILE [--validation FILE] --model DIR --output DIR [options]</c>: fine-tunes a classifier
/// with the ML.NET pipeline label preparation → RobertaClassifier, on an MLContext seeded with --seed.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var shared = new ClassifierCliOptions();
        var validation = new Option<FileInfo?>("--validation") { Description = "Validation data: metrics after every epoch, the best epoch's weights kept." };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training data.", DefaultValueFactory = _ => 3 };
        var steps = new Option<long?>("--steps") { Description = "Updates to run instead of --epochs." };
        var early = new Option<int?>("--early-stopping") { Description = "Stop after N epochs without validation improvement." };
        var command = new Command("train", "Fine-tune a Chinese RoBERTa text classifier (single texts or sentence pairs) on a task file.") { validation, epochs, steps, early };
        shared.AddTo(command);
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var ml = new MLContext(seed: parse.GetValue(shared.Seed));
            var train = ClassifierCliOptions.Load(ml, parse.GetValue(shared.Train)!, parse.GetValue(shared.Format)!);
            var valid = parse.GetValue(validation) is { } v ? ClassifierCliOptions.Load(ml, v, parse.GetValue(shared.Format)!) : null;
            string output = parse.GetValue(shared.Output)!.FullName;
            var task = shared.TaskOf(parse, train);
            var labels = ClassifierCliOptions.LabelPreparation(ml, task).Fit(train);
            var printer = new ProgressPrinter(TimeSpan.FromSeconds(10));
            using var cancel = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); Console.Error.WriteLine("\nstopping after a checkpoint..."); };
            var options = shared.ToOptions(parse, ClassifierCliOptions.HasPair(train));
            options.MaxEpochs = parse.GetValue(epochs);
            options.MaxSteps = parse.GetValue(steps);
            options.EarlyStoppingPatience = parse.GetValue(early);
            options.ValidationSet = valid is null ? null : labels.Transform(valid);
            options.OutputDirectory = output;
            options.Progress = new InlineProgress<Training.TrainingProgress>(printer.Report);
            options.CancellationToken = cancel.Token;
            var estimator = task == RobertaClassifierTask.Binary
                ? ml.BinaryClassification.Trainers.RobertaClassifier(options)
                : ml.MulticlassClassification.Trainers.RobertaClassifier(options);
            using var model = estimator.Fit(labels.Transform(train));
            printer.Flush();
            if (estimator.StartingCheckpointReport is { } report && (report.Missing.Count > 0 || report.Unexpected.Count > 0))
                Console.Error.WriteLine($"roberta-zh: {report}");
            Console.Error.WriteLine($"{train.GetLoadReport()}");
            model.Save(output);
            ml.Model.SaveWithRoberta(new TransformerChain<ITransformer>(labels, model), train.Schema, Path.Combine(output, "pipeline.zip"));
            foreach (var e in model.TrainingHistory)
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {e.Epoch}: validation accuracy {e.Accuracy:F4}  log-loss {e.LogLoss:F4}  ({e.Seconds:F1} s)"));
            RunPlotWriter.Write(output);
            Console.Error.WriteLine($"{(model.IsBinary ? "binary" : "multiclass")} classifier over {string.Join(", ", model.Classes)}, trained on the {model.Engine} engine ({model.Device}), saved to {output} (the whole pipeline: pipeline.zip)");
        }));
        return command;
    }
}
