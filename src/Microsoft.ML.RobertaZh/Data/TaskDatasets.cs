using System.Text;

#pragma warning disable CA1822 // Catalog operations are instance members, as in ML.NET, so they are reached from the context.
namespace Microsoft.ML.RobertaZh.Data;

/// <summary>The standard column names of <see cref="DataOperationsCatalog.LoadTaskDataset"/>'s views.</summary>
public static class TaskColumns
{
    /// <summary>The gold label, as text ("0"/"1", "entailment", ...).</summary>
    public const string Label = "Label";

    /// <summary>The (first) text: text_a, sentence, sentence1 or premise.</summary>
    public const string Sentence1 = "Sentence1";

    /// <summary>The second text of a pair: text_b, sentence2, hypo or hypothesis; absent for single-sentence data.</summary>
    public const string Sentence2 = "Sentence2";
}

public sealed partial class DataOperationsCatalog
{
    private static readonly string[] LabelNames = ["label", "gold_label"];
    private static readonly string[] Sentence1Names = ["text_a", "sentence", "sentence1", "premise", "text"];
    private static readonly string[] Sentence2Names = ["text_b", "sentence2", "hypo", "hypothesis"];

    /// <summary>Loads JSON lines (one object per line) with <paramref name="options"/> (default: columns from the first object's keys).</summary>
    public FileDataView LoadFromJsonLines(string path, JsonLinesLoader.Options? options = null) =>
        new JsonLinesLoader(options ?? new JsonLinesLoader.Options()).Load(path);

    /// <summary>
    /// Loads a classification task file into the standard text columns <see cref="TaskColumns.Label"/>,
    /// <see cref="TaskColumns.Sentence1"/> and, for pairs, <see cref="TaskColumns.Sentence2"/>, whatever the format:
    /// UER TSV (header <c>label\ttext_a[\ttext_b]</c>; a file with only <c>text_a</c> gives no Label column), LCQMC
    /// (<c>text_a\ttext_b\tlabel</c>, no header), CLUE JSON lines (sentence/sentence1/premise, sentence2/hypo, label),
    /// XNLI TSV (premise/hypo/label, or gold_label/sentence1/sentence2 with rows whose language is not zh skipped),
    /// CSV with such a header. <see cref="TaskFormat.Auto"/> detects the format from the first line (see
    /// <see cref="TaskFormat"/>). TSV fields are split on TAB with no quote handling, as UER and CLUE do.
    /// Rows without a gold label (empty, or CLUE's "-") are skipped and counted in
    /// <see cref="FileDataView.GetLoadReport"/>; the label is trimmed, and XNLI's "contradictory" becomes "contradiction".
    /// Malformed rows throw a <see cref="DataFormatException"/> naming file, line and problem, or are skipped and
    /// counted with <see cref="MalformedRowHandling.Skip"/>.
    /// </summary>
    public FileDataView LoadTaskDataset(string path, TaskFormat format = TaskFormat.Auto, MalformedRowHandling onMalformedRow = MalformedRowHandling.Throw)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file not found: {path}", path);
        var (firstLine, lineNumber) = FirstLine(path);
        if (format == TaskFormat.Auto) format = Detect(path, firstLine, lineNumber);
        return format switch
        {
            TaskFormat.ClueJson => LoadClue(path, firstLine, onMalformedRow),
            TaskFormat.Lcqmc => new TextLoader(new TextLoader.Options
            {
                HasHeader = false, OnMalformedRow = onMalformedRow,
                Columns = [new(TaskColumns.Sentence1, DataKind.String, 0), new(TaskColumns.Sentence2, DataKind.String, 1), new(TaskColumns.Label, DataKind.String, 2)],
            })
            { ExpectedFieldCount = 3, Format = format, RowHook = (_, row) => CleanLabel(row, 2) }.Load(path),
            TaskFormat.UerTsv or TaskFormat.Tsv => LoadHeadered(path, firstLine, lineNumber, format, '\t', allowQuoting: false, onMalformedRow),
            TaskFormat.Csv => LoadHeadered(path, firstLine, lineNumber, format, ',', allowQuoting: true, onMalformedRow),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
        };
    }

    private static (string Line, long Number) FirstLine(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        long n = 0;
        while (reader.ReadLine() is { } line)
        {
            n++;
            if (!string.IsNullOrWhiteSpace(line)) return (line, n);
        }

        throw new DataFormatException(path, n, "the file is empty");
    }

    private static TaskFormat Detect(string path, string firstLine, long lineNumber)
    {
        if (firstLine.TrimStart().StartsWith('{')) return TaskFormat.ClueJson;
        var fields = firstLine.Split('\t');
        if (fields.Any(f => IsHeaderName(f.Trim()))) return TaskFormat.UerTsv;
        if (fields.Length == 3 && int.TryParse(fields[2].Trim(), out _)) return TaskFormat.Lcqmc;
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return TaskFormat.Csv;
        throw new DataFormatException(path, lineNumber,
            "cannot detect the task format: expected JSON lines ('{'), a TAB-separated header naming label and text_a (UER), " +
            "or three TAB-separated fields ending in an integer label (LCQMC); pass the TaskFormat explicitly");
    }

    private static bool IsHeaderName(string field) =>
        LabelNames.Concat(Sentence1Names).Concat(Sentence2Names).Contains(field, StringComparer.OrdinalIgnoreCase);

    private static int IndexOfAny(List<string> header, string[] names) =>
        header.FindIndex(h => names.Contains(h.Trim(), StringComparer.OrdinalIgnoreCase));

    private static FileDataView LoadHeadered(string path, string firstLine, long lineNumber, TaskFormat format, char separator, bool allowQuoting, MalformedRowHandling onMalformed)
    {
        List<string> header;
        using (var reader = new StringReader(firstLine))
        {
            new DelimitedRecordReader(reader, [separator], allowQuoting, trimWhitespace: false).TryRead(out var record);
            header = record.Fields;
        }

        int label = IndexOfAny(header, LabelNames), s1 = IndexOfAny(header, Sentence1Names), s2 = IndexOfAny(header, Sentence2Names);
        int language = header.FindIndex(h => h.Trim().Equals("language", StringComparison.OrdinalIgnoreCase));
        if (s1 < 0)
            throw new DataFormatException(path, lineNumber, $"the header ({string.Join(", ", header)}) names no text column: expected one of {string.Join(", ", Sentence1Names)}");
        var columns = new List<TextLoader.Column>();
        if (label >= 0) columns.Add(new(TaskColumns.Label, DataKind.String, label));
        columns.Add(new(TaskColumns.Sentence1, DataKind.String, s1));
        if (s2 >= 0) columns.Add(new(TaskColumns.Sentence2, DataKind.String, s2));
        return new TextLoader(new TextLoader.Options
        {
            HasHeader = true, Separators = [separator], AllowQuoting = allowQuoting, OnMalformedRow = onMalformed, Columns = [.. columns],
        })
        {
            Format = format,
            RowHook = (fields, row) =>
                language >= 0 && !fields[language].Trim().Equals("zh", StringComparison.OrdinalIgnoreCase) ? "language is not zh"
                : label >= 0 ? CleanLabel(row, 0) : null,
        }.Load(path);
    }

    private static FileDataView LoadClue(string path, string firstLine, MalformedRowHandling onMalformed)
    {
        // Whether the file is a pair task is read from the first object: a later object lacking the second text is malformed.
        bool pair;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(firstLine);
            pair = doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && Sentence2Names.Any(k => doc.RootElement.TryGetProperty(k, out _));
        }
        catch (System.Text.Json.JsonException)
        {
            pair = false;
        }

        var columns = new List<JsonLinesLoader.Column>
        {
            new(TaskColumns.Label, DataKind.String, "label"),
            new(TaskColumns.Sentence1, DataKind.String, ["sentence1", "sentence", "premise", "text_a", "text"]) { Required = true },
        };
        if (pair) columns.Add(new(TaskColumns.Sentence2, DataKind.String, ["sentence2", "hypo", "hypothesis", "text_b"]) { Required = true });
        return new JsonLinesLoader(new JsonLinesLoader.Options { Columns = [.. columns], OnMalformedRow = onMalformed })
        {
            Format = TaskFormat.ClueJson,
            RowHook = row => CleanLabel(row, 0),
        }.Load(path);
    }

    /// <summary>Trims the label in place; returns the skip reason for rows without a gold label.</summary>
    private static string? CleanLabel(object?[] row, int index)
    {
        string label = ((ReadOnlyMemory<char>)row[index]!).ToString().Trim();
        if (label.Length == 0) return "no gold label (empty)";
        if (label == "-") return "no gold label (\"-\")";
        if (label == "contradictory") label = "contradiction";
        row[index] = label.AsMemory();
        return null;
    }
}
