namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// The task-data loaders ML.NET lacks, on <c>mlContext.Data</c>: UER TSV, LCQMC, CLUE JSON lines, XNLI TSV and CSV
/// task files (<see cref="LoadTaskDataset(DataOperationsCatalog, string, TaskDatasetOptions)"/>) and generic JSON lines
/// (<see cref="LoadFromJsonLines"/>). They return real ML.NET views (<see cref="FileDataView"/>), read lazily, whose
/// errors name the file, the line and the value. (ML.NET's own <c>LoadFromTextFile</c> fills a short row with empty
/// values and decodes invalid UTF-8 silently, so task files are read here.)
/// </summary>
public static class TaskDataCatalog
{
    private static readonly string[] LabelNames = ["label", "gold_label"];
    private static readonly string[] Sentence1Names = ["text_a", "sentence", "sentence1", "premise", "text"];
    private static readonly string[] Sentence2Names = ["text_b", "sentence2", "hypo", "hypothesis"];

    /// <summary>Loads JSON lines (one object per line) with <paramref name="options"/> (default: columns from the first object's keys).</summary>
    public static FileDataView LoadFromJsonLines(this DataOperationsCatalog catalog, string path, JsonLinesLoader.Options? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new JsonLinesLoader(options ?? new JsonLinesLoader.Options()).Load(path);
    }

    /// <summary>
    /// Loads a classification task file into the text columns <see cref="TaskColumns.Label"/>,
    /// <see cref="TaskColumns.Sentence1"/> and, for pairs, <see cref="TaskColumns.Sentence2"/>, whatever the format.
    /// </summary>
    /// <param name="catalog"><c>mlContext.Data</c>.</param>
    /// <param name="path">The file.</param>
    /// <param name="format">Its format; <see cref="TaskFormat.Auto"/> detects it from the first line.</param>
    /// <param name="onMalformedRow">Throw (the default) or skip and count malformed rows and labels unlike the rest.</param>
    public static FileDataView LoadTaskDataset(this DataOperationsCatalog catalog, string path, TaskFormat format = TaskFormat.Auto,
        MalformedRowHandling onMalformedRow = MalformedRowHandling.Throw) =>
        catalog.LoadTaskDataset(path, new TaskDatasetOptions { Format = format, OnMalformedRow = onMalformedRow });

    /// <summary>
    /// Loads a classification task file into the text columns <see cref="TaskColumns.Label"/>,
    /// <see cref="TaskColumns.Sentence1"/> and, for pairs, <see cref="TaskColumns.Sentence2"/>, whatever the format:
    /// UER TSV (header <c>label\ttext_a[\ttext_b]</c>; a file with only <c>text_a</c> gives no Label column), LCQMC
    /// (<c>text_a\ttext_b\tlabel</c>, no header), CLUE JSON lines (sentence/sentence1/premise, sentence2/hypo, label),
    /// XNLI TSV (premise/hypo/label, or gold_label/sentence1/sentence2 with rows whose language is not zh skipped),
    /// CSV with such a header. TSV fields are split on TAB with no quote handling, as UER and CLUE do.
    /// Rows without a gold label (empty, or CLUE's "-") are skipped and counted in <see cref="FileDataView.GetLoadReport"/>;
    /// the label is trimmed, and XNLI's "contradictory" becomes "contradiction". Malformed rows (wrong field count,
    /// invalid JSON or UTF-8) and labels unlike the rest (<see cref="TaskDatasetOptions.CheckLabels"/>) throw a
    /// <see cref="DataFormatException"/> naming file, line and value, or are skipped and counted.
    /// </summary>
    public static FileDataView LoadTaskDataset(this DataOperationsCatalog catalog, string path, TaskDatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file not found: {path}", path);
        var (firstLine, lineNumber) = FirstLine(path);
        var format = options.Format == TaskFormat.Auto ? Detect(path, firstLine, lineNumber) : options.Format;
        return format switch
        {
            TaskFormat.ClueJson => LoadClue(path, firstLine, options),
            TaskFormat.Lcqmc => new DelimitedTaskReader
            {
                Separator = '\t', AllowQuoting = false, HasHeader = false, ExpectedFields = 3, Format = format, OnMalformedRow = options.OnMalformedRow,
                Columns = [(TaskColumns.Sentence1, 0), (TaskColumns.Sentence2, 1), (TaskColumns.Label, 2)],
                RowHook = (_, row) => CleanLabel(row, 2), Audit = Audit(path, 2, options),
            }.Load(path),
            TaskFormat.UerTsv or TaskFormat.Tsv => LoadHeadered(path, firstLine, lineNumber, format, '\t', allowQuoting: false, options),
            TaskFormat.Csv => LoadHeadered(path, firstLine, lineNumber, format, ',', allowQuoting: true, options),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Format, "unknown task format"),
        };
    }

    private static (string Line, long Number) FirstLine(string path)
    {
        using var reader = new Utf8LineReader(path);
        long n = 0;
        while (reader.TryRead(out var line))
        {
            n = line.Number;
            if (line.Error is not null) throw new DataFormatException(path, n, line.Error);
            if (!string.IsNullOrWhiteSpace(line.Text)) return (line.Text, n);
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

    private static FileDataView LoadHeadered(string path, string firstLine, long lineNumber, TaskFormat format, char separator, bool allowQuoting, TaskDatasetOptions options)
    {
        var header = allowQuoting ? SplitCsvHeader(firstLine) : [.. firstLine.Split(separator)];
        int label = IndexOfAny(header, LabelNames), s1 = IndexOfAny(header, Sentence1Names), s2 = IndexOfAny(header, Sentence2Names);
        int language = header.FindIndex(h => h.Trim().Equals("language", StringComparison.OrdinalIgnoreCase));
        if (s1 < 0)
            throw new DataFormatException(path, lineNumber, $"the header ({string.Join(", ", header)}) names no text column: expected one of {string.Join(", ", Sentence1Names)}");
        var columns = new List<(string, int)>();
        if (label >= 0) columns.Add((TaskColumns.Label, label));
        columns.Add((TaskColumns.Sentence1, s1));
        if (s2 >= 0) columns.Add((TaskColumns.Sentence2, s2));
        return new DelimitedTaskReader
        {
            Separator = separator, AllowQuoting = allowQuoting, HasHeader = true, ExpectedFields = header.Count, Format = format,
            OnMalformedRow = options.OnMalformedRow, Columns = columns,
            RowHook = (fields, row) =>
                language >= 0 && !fields[language].Trim().Equals("zh", StringComparison.OrdinalIgnoreCase) ? "language is not zh"
                : label >= 0 ? CleanLabel(row, 0) : null,
            Audit = label >= 0 ? Audit(path, 0, options) : null,
        }.Load(path);
    }

    private static List<string> SplitCsvHeader(string line)
    {
        // A header is one line; quoted names are unquoted.
        return [.. line.Split(',').Select(f => f.Trim().Trim('"'))];
    }

    private static FileDataView LoadClue(string path, string firstLine, TaskDatasetOptions options)
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
            new(TaskColumns.Label, DataKind.String, "label", "gold_label"),
            new(TaskColumns.Sentence1, DataKind.String, ["sentence1", "sentence", "premise", "text_a", "text"]) { Required = true },
        };
        if (pair) columns.Add(new(TaskColumns.Sentence2, DataKind.String, ["sentence2", "hypo", "hypothesis", "text_b"]) { Required = true });
        return new JsonLinesLoader(new JsonLinesLoader.Options { Columns = [.. columns], OnMalformedRow = options.OnMalformedRow })
        {
            Format = TaskFormat.ClueJson,
            RowHook = row => CleanLabel(row, 0),
            Audit = Audit(path, 0, options),
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

    /// <summary>The label audit: throws on the first label unlike the rest, or (skipping) counts and drops their rows.</summary>
    private static Func<List<SourceRow>, LoadCounter, IEnumerable<long>>? Audit(string path, int labelIndex, TaskDatasetOptions options)
    {
        if (!options.CheckLabels) return null;
        return (rows, counter) =>
        {
            var problems = LabelAudit.Find([.. rows.Select(r => (r.Line, ((ReadOnlyMemory<char>)r.Values[labelIndex]!).ToString()))]);
            if (problems.Count == 0) return [];
            if (options.OnMalformedRow == MalformedRowHandling.Throw)
            {
                var (line, _, problem) = problems[0];
                string more = problems.Count > 1 ? $" ({problems.Count - 1} more such rows, first lines {string.Join(", ", problems.Skip(1).Take(5).Select(p => p.Line))})" : "";
                throw new DataFormatException(path, line,
                    $"{problem}{more}; fix the row, skip such rows with MalformedRowHandling.Skip, or set TaskDatasetOptions.CheckLabels = false if the label is intended");
            }

            foreach (var (line, _, problem) in problems) counter.Skip("label unlike the rest", line, problem);
            return problems.Select(p => p.Line);
        };
    }
}
