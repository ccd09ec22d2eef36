using System.CommandLine;
using Microsoft.ML.RobertaZh.Estimators;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

/// <summary><c>roberta-zh evaluate --model DIR --data FILE [--json]</c>: ML.NET's metrics of a fine-tuned classifier.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Fine-tuned classifier directory.", Required = true };
        var data = new Option<FileInfo>("--data") { Description = "Labeled data (any task format).", Required = true };
        var format = ClassifierCliOptions.DataFormat();
        var json = new Option<bool>("--json") { Description = "Print the metrics object as JSON with ML.NET's property names." };
        var command = new Command("evaluate", "Evaluate a fine-tuned classifier: binary or multiclass metrics as ML.NET names them.") { model, data, format, json };
        command.SetAction(parse => CliRunner.Run(() =>
            Console.Out.WriteLine(Run(parse.GetValue(model)!.FullName, parse.GetValue(data)!, parse.GetValue(format)!, parse.GetValue(json)))));
        return command;
    }

    /// <summary>The metrics as a table or JSON.</summary>
    public static string Run(string modelDirectory, FileInfo data, string format, bool json)
    {
        var context = new RobertaZhContext();
        var classifier = RobertaClassifierTransformer.Load(modelDirectory);
        var view = ClassifierCliOptions.Load(context, data, format);
        if (view.Schema.GetColumnOrNull(classifier.LabelColumnName) is null)
            throw new CommandLineException($"{data.FullName} has no labels to evaluate against.");
        var scored = classifier.Transform(view);
        try
        {
            return classifier.IsBinary
                ? (context.BinaryClassification.Evaluate(scored, classifier) is var b && json ? b.ToJson() : b.ToTable())
                : (context.MulticlassClassification.Evaluate(scored, classifier) is var m && json ? m.ToJson() : m.ToTable());
        }
        catch (InvalidOperationException e)
        {
            throw new CommandLineException(e.Message);
        }
    }
}
