using System.CommandLine;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Estimators;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

/// <summary>
/// <c>roberta-zh predict --model DIR [--data FILE]</c>: one JSON line per input, <c>{"label": ..., "probabilities": {class: p}}</c>.
/// Without --data, lines are read from stdin, a TAB separating the two texts of a pair.
/// </summary>
internal static class PredictCommand
{
    private const int Chunk = 256;

    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Fine-tuned classifier directory.", Required = true };
        var data = new Option<FileInfo?>("--data") { Description = "Data file (any task format); default: lines from stdin (TAB separates a pair)." };
        var format = ClassifierCliOptions.DataFormat();
        var command = new Command("predict", "Classify texts with a fine-tuned classifier; JSON lines with the label and class probabilities.") { model, data, format };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var classifier = RobertaClassifierTransformer.Load(parse.GetValue(model)!.FullName);
            using var stdout = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false)) { AutoFlush = false };
            if (parse.GetValue(data) is { } file)
            {
                var view = ClassifierCliOptions.Load(new RobertaZhContext(), file, parse.GetValue(format)!);
                Run(classifier, Rows(view), stdout);
            }
            else
            {
                Console.InputEncoding = System.Text.Encoding.UTF8;
                Run(classifier, Lines(Console.In), stdout);
            }
        }));
        return command;
    }

    /// <summary>Writes one JSON line per (text, pair), predicting <see cref="Chunk"/> rows at a time.</summary>
    public static void Run(RobertaClassifierTransformer classifier, IEnumerable<(string Text, string? Pair)> rows, TextWriter output)
    {
        foreach (var chunk in rows.Chunk(Chunk))
        {
            var predictions = classifier.Predict([.. chunk.Select(r => r.Text)], classifier.Sentence2ColumnName is null ? null : [.. chunk.Select(r => r.Pair ?? "")]);
            foreach (var p in predictions)
            {
                var line = new Dictionary<string, object>
                {
                    ["label"] = p.PredictedLabelName,
                    ["probabilities"] = p.Classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => p.Score[x.i]),
                };
                output.WriteLine(JsonSerializer.Serialize(line, Json));
            }
            output.Flush();
        }
    }

    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Non-empty lines; a TAB separates a pair.</summary>
    public static IEnumerable<(string Text, string? Pair)> Lines(TextReader input)
    {
        while (input.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            int tab = line.IndexOf('\t', StringComparison.Ordinal);
            yield return tab < 0 ? (line, null) : (line[..tab], line[(tab + 1)..]);
        }
    }

    private static IEnumerable<(string Text, string? Pair)> Rows(FileDataView view)
    {
        var s1 = view.Schema[TaskColumns.Sentence1];
        var s2 = view.Schema.GetColumnOrNull(TaskColumns.Sentence2);
        using var cursor = view.GetRowCursor(s2 is null ? [s1] : [s1, s2]);
        var get1 = cursor.GetGetter<string>(s1);
        var get2 = s2 is null ? null : cursor.GetGetter<string>(s2);
        while (cursor.MoveNext())
        {
            string a = "", b = "";
            get1(ref a);
            get2?.Invoke(ref b);
            yield return (a, get2 is null ? null : b);
        }
    }
}
