using System.CommandLine;
using System.Globalization;
using Microsoft.ML.RobertaZh.Estimators;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

/// <summary><c>roberta-zh train --train FILE [--validation FILE] --model DIR --output DIR [options]</c>: fine-tunes a classifier.</summary>
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
            var context = new RobertaZhContext();
            var train = ClassifierCliOptions.Load(context, parse.GetValue(shared.Train)!, parse.GetValue(shared.Format)!);
            var valid = parse.GetValue(validation) is { } v ? ClassifierCliOptions.Load(context, v, parse.GetValue(shared.Format)!) : null;
            string output = parse.GetValue(shared.Output)!.FullName;
            bool binary = shared.IsBinary(parse, train);
            var printer = new ProgressPrinter(TimeSpan.FromSeconds(10));
            var options = shared.ToOptions(parse, ClassifierCliOptions.HasPair(train)) with
            {
                MaxEpochs = parse.GetValue(epochs), MaxSteps = parse.GetValue(steps), EarlyStoppingPatience = parse.GetValue(early),
                ValidationSet = valid, OutputDirectory = output, Progress = new InlineProgress<Training.TrainingProgress>(printer.Report),
            };
            using var cancel = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); Console.Error.WriteLine("\nstopping after a checkpoint..."); };
            var estimator = new RobertaClassifierEstimator(options, binary);
            var model = estimator.Fit(train, cancel.Token);
            printer.Flush();
            if (estimator.StartingCheckpointReport is { } report && (report.Missing.Count > 0 || report.Unexpected.Count > 0))
                Console.Error.WriteLine($"roberta-zh: {report}");
            Console.Error.WriteLine($"{train.GetLoadReport()}");
            model.Save(output);
            foreach (var e in model.TrainingHistory)
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {e.Epoch}: validation accuracy {e.Accuracy:F4}  log-loss {e.LogLoss:F4}  ({e.Seconds:F1} s)"));
            RunPlotWriter.Write(output);
            Console.Error.WriteLine($"{(binary ? "binary" : "multiclass")} classifier over {string.Join(", ", model.Classes)} saved to {output}");
        }));
        return command;
    }
}
