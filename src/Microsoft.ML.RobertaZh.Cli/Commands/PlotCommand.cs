using System.CommandLine;
using Microsoft.ML.RobertaZh.Plotting;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

using Command = System.CommandLine.Command;

/// <summary>
/// <c>roberta-zh plot DIR...</c>: (re)draws the figures of run directories — learning curve and validation metrics
/// from metrics.jsonl, the sweep from sweep.json — as PNG and SVG beside them, as pretrain, train and sweep do.
/// </summary>
internal static class PlotCommand
{
    public static Command Create()
    {
        var runs = new Argument<DirectoryInfo[]>("run") { Description = "Output directories of pretrain, train or sweep runs.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("plot", "Draw a run's learning curve, validation metrics and sweep results as PNG and SVG beside its metrics.jsonl / sweep.json.") { runs };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            if (RunPlots.FontWarning is { } warning) Console.Error.WriteLine($"roberta-zh: warning: {warning}");
            foreach (var dir in parse.GetValue(runs)!)
            {
                if (!dir.Exists) throw new CommandLineException($"run directory '{dir.FullName}' does not exist.");
                var files = RunPlots.Write(dir.FullName);
                if (files.Count == 0)
                    throw new CommandLineException($"'{dir.FullName}' holds neither {MetricsHistory.FileName} nor {SweepSummary.FileName}.");
                foreach (string file in files) Console.Out.WriteLine(file);
            }
        }));
        return command;
    }
}
