using System.Globalization;
using System.Text.RegularExpressions;

namespace Microsoft.ML.RobertaZh.Evaluation;

/// <summary>
/// Reads the class names back from ML.NET's formatted confusion table: each row of counts starts with the true class's
/// name (or, when names are too wide for the header, "i. name") before "||". ML.NET keeps the names internal, so this
/// is the one public place they appear; when the layout is not recognised the names are the class indices.
/// </summary>
internal static partial class ConfusionTableNames
{
    public static IReadOnlyList<string> Parse(string table, int classes)
    {
        var lines = table.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        int truth = Array.FindIndex(lines, l => l.StartsWith("TRUTH", StringComparison.Ordinal));
        var names = new List<string>(classes);
        for (int i = truth + 1; truth >= 0 && i < lines.Length && names.Count < classes; i++)
        {
            int bar = lines[i].IndexOf("||", StringComparison.Ordinal);
            if (bar < 0) break;
            string label = lines[i][..bar].Trim();
            var numbered = Numbered().Match(label);
            if (numbered.Success && numbered.Groups[1].Value == names.Count.ToString(CultureInfo.InvariantCulture)) label = numbered.Groups[2].Value.Trim();
            names.Add(label);
        }

        return names.Count == classes ? names : [.. Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture))];
    }

    [GeneratedRegex(@"^(\d+)\. (.*)$")]
    private static partial Regex Numbered();
}
