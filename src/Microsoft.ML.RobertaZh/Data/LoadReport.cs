using System.Globalization;
using System.Text;

namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// What one complete pass over a file produced: rows kept, rows skipped (rows without a gold label, filtered rows,
/// and malformed rows when <see cref="MalformedRowHandling.Skip"/> is set) by reason, and the first few skipped
/// lines with their problems. Blank lines are not rows and are not counted.
/// </summary>
public sealed class LoadReport
{
    internal LoadReport(string filePath, long rows, IReadOnlyDictionary<string, long> reasons, IReadOnlyList<string> examples)
    {
        FilePath = filePath;
        Rows = rows;
        SkippedReasons = reasons;
        SkippedExamples = examples;
        SkippedRows = reasons.Values.Sum();
    }

    /// <summary>The file read.</summary>
    public string FilePath { get; }

    /// <summary>The rows the view produced.</summary>
    public long Rows { get; }

    /// <summary>The rows skipped, all reasons together.</summary>
    public long SkippedRows { get; }

    /// <summary>Skipped rows by reason (for example "no gold label (label \"-\")", "wrong field count").</summary>
    public IReadOnlyDictionary<string, long> SkippedReasons { get; }

    /// <summary>The first skipped rows as "line N: problem" (at most 10).</summary>
    public IReadOnlyList<string> SkippedExamples { get; }

    /// <inheritdoc/>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{FilePath}: {Rows} rows, {SkippedRows} skipped");
        foreach (var (reason, count) in SkippedReasons) sb.Append(CultureInfo.InvariantCulture, $"; {reason}: {count}");
        return sb.ToString();
    }
}

/// <summary>Counts the validating pass's rows and skips.</summary>
internal sealed class LoadCounter
{
    private const int MaxExamples = 10;
    private readonly Dictionary<string, long> _reasons = new(StringComparer.Ordinal);
    private readonly List<string> _examples = [];

    public long Rows { get; set; }

    public void Skip(string reason, long line, string detail)
    {
        _reasons[reason] = _reasons.GetValueOrDefault(reason) + 1;
        if (_examples.Count < MaxExamples) _examples.Add(string.Create(CultureInfo.InvariantCulture, $"line {line}: {detail}"));
    }

    public LoadReport ToReport(string path) => new(path, Rows, new Dictionary<string, long>(_reasons), [.. _examples]);
}
