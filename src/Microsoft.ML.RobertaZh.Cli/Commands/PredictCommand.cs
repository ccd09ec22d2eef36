using System.CommandLine;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Estimators;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

// ML.NET has a namespace Microsoft.ML.Command, which an enclosing namespace would find first.
using Command = System.CommandLine.Command;

/// <summary>
/// <c>roberta-zh predict --model DIR [--data FILE]</c>: one JSON line per input, <c>{"label": ..., "probabilities": {class: p}}</c>,
/// from the classifier's ML.NET Transform (batched). Without --data, lines are read from stdin, a TAB separating the
/// two texts of a pair.
/// </summary>
internal static class PredictCommand
{
    private const int Chunk = 256;

    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Fine-tuned classifier directory.", Required = true };
        var data = new Option<FileInfo?>("--data") { Description = "Data file (any task format); default: lines from stdin (TAB separates a pair)." };
        var format = ClassifierCliOptions.DataFormat();
        var engine = new EngineCliOptions(training: false);
        var command = new Command("predict", "Classify texts with a fine-tuned classifier; JSON lines with the label and class probabilities.") { model, data, format };
        engine.AddTo(command);
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var ml = new MLContext(seed: 1);
            using var classifier = RobertaClassifierTransformer.Load(ml, parse.GetValue(model)!.FullName, engine.Inference(parse));
            using var stdout = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false)) { AutoFlush = false };
            if (parse.GetValue(data) is { } file)
            {
                Run(ml, classifier, Rows(ClassifierCliOptions.Load(ml, file, parse.GetValue(format)!)), stdout);
            }
            else
            {
                Console.InputEncoding = System.Text.Encoding.UTF8;
                Run(ml, classifier, Lines(Console.In), stdout);
            }
        }));
        return command;
    }

    /// <summary>Writes one JSON line per (text, pair), transforming <see cref="Chunk"/> rows at a time.</summary>
    public static void Run(MLContext ml, RobertaClassifierTransformer classifier, IEnumerable<(string Text, string? Pair)> rows, TextWriter output)
    {
        if (classifier.Sentence1ColumnName != TaskColumns.Sentence1 || classifier.Sentence2ColumnName is not (null or TaskColumns.Sentence2))
            throw new CommandLineException($"The classifier reads columns {classifier.Sentence1ColumnName}/{classifier.Sentence2ColumnName}; predict feeds Sentence1/Sentence2 (train it with the CLI, or use the library).");
        foreach (var chunk in rows.Chunk(Chunk))
        {
            var input = ml.Data.LoadFromEnumerable(chunk.Select(r => new TextRow { Sentence1 = r.Text, Sentence2 = r.Pair ?? "" }).ToList());
            var scored = classifier.Transform(input);
            foreach (var probabilities in Probabilities(scored, classifier))
            {
                int best = Array.IndexOf(probabilities, probabilities.Max());
                var line = new Dictionary<string, object>
                {
                    ["label"] = classifier.Classes[best],
                    ["probabilities"] = classifier.Classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => probabilities[x.i]),
                };
                output.WriteLine(JsonSerializer.Serialize(line, Json));
            }

            output.Flush();
        }
    }

    /// <summary>The class probabilities of each scored row: the Score vector (multiclass), or from the binary Probability column.</summary>
    private static IEnumerable<float[]> Probabilities(IDataView scored, RobertaClassifierTransformer classifier)
    {
        var column = scored.Schema[classifier.IsBinary ? classifier.ProbabilityColumnName! : classifier.ScoreColumnName];
        using var cursor = scored.GetRowCursor([column]);
        if (classifier.IsBinary)
        {
            var get = cursor.GetGetter<float>(column);
            float p = 0;
            while (cursor.MoveNext())
            {
                get(ref p);
                yield return [1 - p, p];
            }

            yield break;
        }

        var getVector = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> v = default;
        while (cursor.MoveNext())
        {
            getVector(ref v);
            yield return v.DenseValues().ToArray();
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
        using var cursor = view.GetRowCursor(s2 is null ? [s1] : [s1, s2.Value]);
        var get1 = cursor.GetGetter<ReadOnlyMemory<char>>(s1);
        var get2 = s2 is null ? null : cursor.GetGetter<ReadOnlyMemory<char>>(s2.Value);
        ReadOnlyMemory<char> a = default, b = default;
        while (cursor.MoveNext())
        {
            get1(ref a);
            get2?.Invoke(ref b);
            yield return (a.ToString(), get2 is null ? null : b.ToString());
        }
    }

    /// <summary>An input row of the classifier (its default column names).</summary>
    private sealed class TextRow
    {
        public string Sentence1 { get; set; } = "";

        public string Sentence2 { get; set; } = "";
    }
}
