using System.Globalization;

namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// Finds labels unlike the rest of a task file, which are almost always typos that would otherwise silently become
/// classes of their own: a non-integer among integer labels (at least 4 integers for each such label), and, in a file
/// of at least <see cref="LargeFile"/> labelled rows whose classes mostly occur 20 times or more, a class seen once.
/// </summary>
internal static class LabelAudit
{
    public const int LargeFile = 1000;

    /// <summary>The suspicious rows: (line, label, why).</summary>
    public static List<(long Line, string Label, string Problem)> Find(IReadOnlyList<(long Line, string Label)> labels)
    {
        var problems = new List<(long, string, string)>();
        int n = labels.Count;
        if (n == 0) return problems;
        var integers = labels.Where(l => long.TryParse(l.Label, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)).Count();
        int others = n - integers;
        if (others > 0 && integers >= 4 * others)
        {
            foreach (var (line, label) in labels.Where(l => !long.TryParse(l.Label, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)))
                problems.Add((line, label, string.Create(CultureInfo.InvariantCulture, $"label '{label}' is not an integer, unlike the other {integers} labels")));
            return problems;
        }

        if (n < LargeFile) return problems;
        var counts = labels.GroupBy(l => l.Label, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var sorted = counts.Values.Order().ToArray();
        int median = sorted[sorted.Length / 2];
        if (median < 20) return problems;
        foreach (var (line, label) in labels.Where(l => counts[l.Label] == 1))
            problems.Add((line, label, string.Create(CultureInfo.InvariantCulture, $"label '{label}' occurs only once among {n} labelled rows (the other classes occur {median}+ times)")));
        return problems;
    }
}
