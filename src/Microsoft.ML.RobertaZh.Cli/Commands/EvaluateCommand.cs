using System.CommandLine;
using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Evaluation;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

// ML.NET has a namespace Microsoft.ML.Command, which an enclosing namespace would find first.
using Command = System.CommandLine.Command;

/// <summary>
/// <c>roberta-zh evaluate --model DIR --data FILE [--json]</c>: the classifier's predictions evaluated by ML.NET's own
/// evaluators (binary: <c>BinaryClassification.Evaluate</c>; multiclass: <c>MulticlassClassification.Evaluate</c>); the
/// table or JSON shows those metric objects' values under ML.NET's property names.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Fine-tuned classifier directory.", Required = true };
        var data = new Option<FileInfo>("--data") { Description = "Labeled data (any task format).", Required = true };
        var format = ClassifierCliOptions.DataFormat();
        var json = new Option<bool>("--json") { Description = "Print ML.NET's metrics object as JSON (its property names)." };
        var engine = new EngineCliOptions(training: false);
        var command = new Command("evaluate", "Evaluate a fine-tuned classifier with ML.NET's evaluators.") { model, data, format, json };
        engine.AddTo(command);
        command.SetAction(parse => CliRunner.Run(() =>
            Console.Out.WriteLine(Run(parse.GetValue(model)!.FullName, parse.GetValue(data)!, parse.GetValue(format)!, parse.GetValue(json), engine.Inference(parse)))));
        return command;
    }

    /// <summary>The metrics as a table or JSON, the classifier running on the engine, device and arithmetic of <paramref name="inference"/>.</summary>
    public static string Run(string modelDirectory, FileInfo data, string format, bool json, RobertaInferenceOptions? inference = null)
    {
        var ml = new MLContext(seed: 1);
        using var classifier = RobertaClassifierTransformer.Load(ml, modelDirectory, inference);
        var view = ClassifierCliOptions.Load(ml, data, format);
        if (view.Schema.GetColumnOrNull(TaskColumns.Label) is null)
            throw new CommandLineException($"{data.FullName} has no labels to evaluate against.");
        var labels = ClassifierCliOptions.LabelPreparation(ml, classifier.Task, classifier.Classes).Fit(view);
        var scored = classifier.Transform(labels.Transform(view));
        if (classifier.IsBinary)
        {
            var b = ml.BinaryClassification.Evaluate(scored);
            return json ? b.ToJson() : b.ToTable();
        }

        var m = ml.MulticlassClassification.Evaluate(scored);
        return json ? m.ToJson() : m.ToTable();
    }
}
