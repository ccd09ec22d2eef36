namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// Reads a delimited task file (TSV without quoting, as UER and CLUE do; CSV with RFC 4180 quoting) into text columns
/// taken from given fields. Every row must have the expected field count; a row with another count, bad quoting or
/// invalid UTF-8 is malformed (an error naming file and line, or skipped and counted).
/// </summary>
internal sealed class DelimitedTaskReader
{
    public required char Separator { get; init; }
    public required bool AllowQuoting { get; init; }
    public required bool HasHeader { get; init; }
    public required IReadOnlyList<(string Name, int Field)> Columns { get; init; }
    public required int ExpectedFields { get; init; }
    public required MalformedRowHandling OnMalformedRow { get; init; }
    public required TaskFormat Format { get; init; }

    /// <summary>Skips or rewrites a parsed row (fields, values); returns the skip reason, or null to keep it.</summary>
    public Func<IReadOnlyList<string>, object?[], string?>? RowHook { get; init; }

    /// <summary>Checks the kept rows after the validating pass (the label audit).</summary>
    public Func<List<SourceRow>, LoadCounter, IEnumerable<long>>? Audit { get; init; }

    public FileDataView Load(string path)
    {
        var b = new DataViewSchema.Builder();
        foreach (var (name, _) in Columns) b.AddColumn(name, TextDataViewType.Instance);
        return new FileDataView(path, b.ToSchema(), counter => Rows(path, counter), Format, Audit);
    }

    private IEnumerable<SourceRow> Rows(string path, LoadCounter? counter)
    {
        using var lines = new Utf8LineReader(path);
        var records = new DelimitedRecordReader(lines, [Separator], AllowQuoting, trimWhitespace: false);
        bool headerSkipped = !HasHeader;
        while (records.TryRead(out var record))
        {
            if (record.IsBlank || (record.Fields.Count == 1 && record.Error is null && string.IsNullOrWhiteSpace(record.Fields[0]))) continue;
            if (!headerSkipped && !record.InvalidUtf8)
            {
                headerSkipped = true;
                continue;
            }

            string? problem = record.Error;
            string category = record.InvalidUtf8 ? "invalid UTF-8" : "bad quoting";
            if (problem is null && record.Fields.Count != ExpectedFields)
            {
                (problem, category) = ($"expected {ExpectedFields} fields{(HasHeader ? " (as in the header)" : "")}, separated by {(Separator == '\t' ? "TAB" : $"'{Separator}'")}, but found {record.Fields.Count}", "wrong field count");
            }

            if (problem is not null)
            {
                if (OnMalformedRow == MalformedRowHandling.Throw) throw new DataFormatException(path, record.LineNumber, problem);
                counter?.Skip(category, record.LineNumber, problem);
                continue;
            }

            var row = new object?[Columns.Count];
            for (int c = 0; c < Columns.Count; c++) row[c] = record.Fields[Columns[c].Field].AsMemory();
            if (RowHook?.Invoke(record.Fields, row) is { } reason)
            {
                counter?.Skip(reason, record.LineNumber, reason);
                continue;
            }

            yield return new SourceRow(record.LineNumber, row);
        }
    }
}
