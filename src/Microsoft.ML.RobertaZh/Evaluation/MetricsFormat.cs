using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.RobertaZh.Evaluation;

/// <summary>Plain-text tables, HTML tables and JSON numbers shared by the metrics objects.</summary>
internal static class MetricsFormat
{
    /// <summary>A metric for tables: 4 decimals, "NaN" for undefined values.</summary>
    public static string Number(double value) =>
        double.IsNaN(value) ? "NaN" : value.ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>A count: integral values without decimals.</summary>
    public static string Count(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15 ? ((long)value).ToString(CultureInfo.InvariantCulture) : Number(value);

    /// <summary>An aligned plain-text table: a header row, a rule, the rows; text left-aligned, numbers right-aligned.</summary>
    public static string Grid(IReadOnlyList<string> header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(Width(h), rows.Count == 0 ? 0 : rows.Max(r => Width(r[i])))).ToArray();
        var sb = new StringBuilder();
        AppendRow(sb, header, widths);
        sb.Append(string.Join("  ", widths.Select(w => new string('-', w)))).Append('\n');
        foreach (var r in rows) AppendRow(sb, r, widths);
        return sb.ToString();
    }

    private static void AppendRow(StringBuilder sb, IReadOnlyList<string> cells, int[] widths)
    {
        for (int i = 0; i < cells.Count; i++)
        {
            if (i > 0) sb.Append("  ");
            string cell = cells[i];
            int pad = widths[i] - Width(cell);
            bool numeric = i > 0 && (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || cell == "NaN");
            if (numeric) sb.Append(' ', pad).Append(cell);
            else sb.Append(cell).Append(' ', i == cells.Count - 1 ? 0 : pad);
        }

        while (sb.Length > 0 && sb[^1] == ' ') sb.Length--;
        sb.Append('\n');
    }

    /// <summary>Display width: CJK and other wide characters count two columns, so Chinese class names align.</summary>
    public static int Width(string s)
    {
        int w = 0;
        foreach (var rune in s.EnumerateRunes())
        {
            int v = rune.Value;
            bool wide = (v >= 0x1100 && v <= 0x115F) || (v >= 0x2E80 && v <= 0xA4CF) || (v >= 0xAC00 && v <= 0xD7A3)
                || (v >= 0xF900 && v <= 0xFAFF) || (v >= 0xFE30 && v <= 0xFE4F) || (v >= 0xFF00 && v <= 0xFF60) || (v >= 0xFFE0 && v <= 0xFFE6)
                || (v >= 0x20000 && v <= 0x3FFFD);
            w += wide ? 2 : 1;
        }

        return w;
    }

    /// <summary>An HTML table with a caption; cells are HTML-encoded.</summary>
    public static void HtmlTable(StringBuilder sb, string caption, IReadOnlyList<string> header, IReadOnlyList<string[]> rows)
    {
        sb.Append("<table class=\"robertazh-metrics\" style=\"border-collapse:collapse;font-family:monospace\">");
        sb.Append("<caption style=\"text-align:left;font-weight:bold\">").Append(WebUtility.HtmlEncode(caption)).Append("</caption>");
        sb.Append("<thead><tr>");
        foreach (var h in header) sb.Append("<th style=\"text-align:left;padding:2px 8px\">").Append(WebUtility.HtmlEncode(h)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var r in rows)
        {
            sb.Append("<tr>");
            for (int i = 0; i < r.Length; i++)
                sb.Append(i == 0 ? "<td style=\"text-align:left;padding:2px 8px\">" : "<td style=\"text-align:right;padding:2px 8px\">")
                    .Append(WebUtility.HtmlEncode(r[i])).Append("</td>");
            sb.Append("</tr>");
        }

        sb.Append("</tbody></table>");
    }

    /// <summary>Writes a number, or null for NaN and infinities (JSON has no NaN).</summary>
    public static void WriteNumber(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }

    /// <summary>Writes an array of numbers (NaN as null).</summary>
    public static void WriteArray(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            if (double.IsFinite(v)) w.WriteNumberValue(v);
            else w.WriteNullValue();
        }

        w.WriteEndArray();
    }

    /// <summary>Runs <paramref name="write"/> inside a JSON object and returns the text.</summary>
    public static string Json(bool indented, Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
