using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Microsoft.ML.RobertaZh.Training;

/// <summary>
/// Draws the learning curve as a self-contained SVG: loss against step (left) and accuracy against step (right), for
/// training records and evaluation ("held-out") records of <see cref="MetricsLog"/>.
/// </summary>
internal static class LearningCurvePlot
{
    private const int PanelWidth = 420, PanelHeight = 280, Margin = 50;

    private sealed record Series(string Label, string Color, List<(double X, double Y)> Points, bool Dashed);

    public static string Render(IReadOnlyList<JsonObject> records)
    {
        var train = records.Where(r => (string?)r["split"] == "train").ToList();
        var eval = records.Where(r => (string?)r["split"] == "eval").ToList();
        var loss = new List<Series>
        {
            new("train loss", "#1f77b4", Points(train, "loss"), false),
            new("held-out loss", "#ff7f0e", Points(eval, "loss"), true),
        };
        var accuracy = new List<Series>
        {
            new("train MLM accuracy", "#1f77b4", Points(train, "mlm_accuracy"), false),
            new("held-out MLM accuracy", "#ff7f0e", Points(eval, "mlm_accuracy"), true),
            new("held-out accuracy", "#2ca02c", Points(eval, "accuracy"), true),
            new("most-frequent-token baseline", "#7f7f7f", Points(eval, "baseline_accuracy"), true),
        };
        var svg = new StringBuilder();
        int width = 2 * (PanelWidth + 2 * Margin), height = PanelHeight + 2 * Margin + 60;
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        Panel(svg, 0, "Loss", loss);
        Panel(svg, PanelWidth + 2 * Margin, "Accuracy", accuracy);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static List<(double, double)> Points(List<JsonObject> records, string key) =>
        [.. records.Select(r => (MetricsLog.Number(r, "step"), MetricsLog.Number(r, key)))
            .Where(p => p.Item1 is not null && p.Item2 is { } y && double.IsFinite(y))
            .Select(p => (p.Item1!.Value, p.Item2!.Value))];

    private static void Panel(StringBuilder svg, int left, string title, List<Series> all)
    {
        var series = all.Where(s => s.Points.Count > 0).ToList();
        int x0 = left + Margin, y0 = Margin, w = PanelWidth, h = PanelHeight;
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0 + w / 2}\" y=\"{y0 - 15}\" text-anchor=\"middle\" font-size=\"14\">{title} against step</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x0}\" y=\"{y0}\" width=\"{w}\" height=\"{h}\" fill=\"none\" stroke=\"#333\"/>\n");
        if (series.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0 + w / 2}\" y=\"{y0 + h / 2}\" text-anchor=\"middle\" fill=\"#999\">no data yet</text>\n");
            return;
        }
        double minX = series.Min(s => s.Points.Min(p => p.X)), maxX = series.Max(s => s.Points.Max(p => p.X));
        double minY = series.Min(s => s.Points.Min(p => p.Y)), maxY = series.Max(s => s.Points.Max(p => p.Y));
        if (maxX <= minX) maxX = minX + 1;
        if (maxY <= minY) { maxY += 0.5; minY -= 0.5; }
        double pad = (maxY - minY) * 0.05;
        minY -= pad; maxY += pad;
        string X(double x) => (x0 + (x - minX) / (maxX - minX) * w).ToString("F1", CultureInfo.InvariantCulture);
        string Y(double y) => (y0 + h - (y - minY) / (maxY - minY) * h).ToString("F1", CultureInfo.InvariantCulture);
        for (int i = 0; i <= 4; i++)
        {
            double gy = minY + (maxY - minY) * i / 4, gx = minX + (maxX - minX) * i / 4;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x0}\" x2=\"{x0 + w}\" y1=\"{Y(gy)}\" y2=\"{Y(gy)}\" stroke=\"#eee\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0 - 4}\" y=\"{Y(gy)}\" text-anchor=\"end\" dominant-baseline=\"middle\">{MetricsLog.Format(gy)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(gx)}\" y=\"{y0 + h + 14}\" text-anchor=\"middle\">{MetricsLog.Format(Math.Round(gx))}</text>\n");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0 + w / 2}\" y=\"{y0 + h + 30}\" text-anchor=\"middle\">step</text>\n");
        int legendY = y0 + h + 46;
        int legendX = x0;
        foreach (var s in series)
        {
            string dash = s.Dashed ? " stroke-dasharray=\"5,3\"" : "";
            // Wrap the legend to a new row rather than run past the panel.
            if (legendX > x0 && legendX + 30 + 6 * s.Label.Length > x0 + w) { legendX = x0; legendY += 16; }
            string path = string.Join(" ", s.Points.OrderBy(p => p.X).Select(p => $"{X(p.X)},{Y(p.Y)}"));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{path}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"1.5\"{dash}/>\n");
            if (s.Points.Count <= 30)
                foreach (var p in s.Points) svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(p.X)}\" cy=\"{Y(p.Y)}\" r=\"2\" fill=\"{s.Color}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{legendX}\" x2=\"{legendX + 18}\" y1=\"{legendY}\" y2=\"{legendY}\" stroke=\"{s.Color}\" stroke-width=\"2\"{dash}/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{legendX + 22}\" y=\"{legendY}\" dominant-baseline=\"middle\">{s.Label}</text>\n");
            legendX += 30 + 6 * s.Label.Length;
        }
    }
}
