using System.Globalization;
using System.Net;
using System.Text;

namespace Microsoft.ML.RobertaZh.Display;

/// <summary>Small pieces of HTML shared by the notebook displays: encoded text, invariant numbers, tables.</summary>
internal static class HtmlText
{
    private const string Cell = "padding:1px 8px;text-align:right;font-family:monospace";

    /// <summary>HTML-encoded text.</summary>
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A number with the invariant culture; "–" when it is not finite.</summary>
    public static string N(double value, string format) =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "–";

    /// <summary>A two-column table of names and values (already HTML), with a caption.</summary>
    public static string NameValueTable(string cssClass, string caption, IEnumerable<(string Name, string Value)> rows) =>
        $"<table class=\"{cssClass}\" style=\"border-collapse:collapse\"><caption style=\"text-align:left;font-weight:bold\">{E(caption)}</caption>" +
        string.Concat(rows.Select(r => $"<tr><td style=\"padding:1px 8px;text-align:left\">{E(r.Name)}</td><td style=\"{Cell}\">{r.Value}</td></tr>")) +
        "</table>";

    /// <summary>
    /// A table with a caption and a header row; cells are text (encoded here), numbers right-aligned in a monospaced
    /// font, other text left-aligned; rows for which <paramref name="highlight"/> is true are bold on a green background.
    /// </summary>
    public static string Grid(string cssClass, string caption, IReadOnlyList<string> header, IEnumerable<string[]> rows, Func<int, bool>? highlight = null)
    {
        var html = new StringBuilder($"<table class=\"{cssClass}\" style=\"border-collapse:collapse\">");
        html.Append("<caption style=\"text-align:left;font-weight:bold\">").Append(E(caption)).Append("</caption><tr>");
        foreach (string h in header) html.Append("<th style=\"padding:1px 8px\">").Append(E(h)).Append("</th>");
        html.Append("</tr>");
        int index = 0;
        foreach (var row in rows)
        {
            html.Append(highlight?.Invoke(index++) == true ? "<tr style=\"font-weight:bold;background:#e6f4e6\">" : "<tr>");
            for (int i = 0; i < row.Length; i++)
                html.Append(IsNumber(row[i]) ? $"<td style=\"{Cell}\">" : "<td style=\"padding:1px 8px;text-align:left\">").Append(E(row[i])).Append("</td>");
            html.Append("</tr>");
        }
        return html.Append("</table>").ToString();
    }

    // "0.833", "12.5%", "7 ★", "–": numbers (and the mark of a missing one) line up on the right.
    private static bool IsNumber(string cell) =>
        cell == "–" || double.TryParse(cell.TrimEnd('%', '★', ' '), NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
