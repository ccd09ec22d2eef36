using System.Text;
using Microsoft.ML.RobertaZh.Estimators;

namespace Microsoft.ML.RobertaZh.Display;

/// <summary>A sweep in notebooks: one row per trial, the chosen one highlighted.</summary>
internal sealed class SweepResultDisplay : DisplaySource<SweepResult>
{
    /// <inheritdoc />
    public override string Html(SweepResult value)
    {
        var html = new StringBuilder("<table class=\"robertazh-sweep\" style=\"border-collapse:collapse\">");
        html.Append("<caption style=\"text-align:left;font-weight:bold\">")
            .Append(E($"Sweep: {value.Trials.Count} trials, best #{value.Best.Id} by {value.Metric}")).Append("</caption>");
        var names = value.Trials.SelectMany(t => t.Metrics.Keys).Distinct().ToList();
        html.Append("<tr>");
        foreach (string h in (string[])["trial", "epochs", "batch", "learning rate", .. names, "seconds"])
            html.Append("<th style=\"padding:1px 8px\">").Append(E(h)).Append("</th>");
        html.Append("</tr>");
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        foreach (var t in value.Trials)
        {
            string style = t == value.Best ? " style=\"font-weight:bold;background:#e6f4e6\"" : "";
            html.Append("<tr").Append(style).Append('>');
            var p = t.Parameters;
            foreach (string cell in (string[])[$"{t.Id}{(t == value.Best ? " ★" : "")}", p.Epochs.ToString(inv), p.BatchSize.ToString(inv),
                N(p.LearningRate, "0.###E+0"), .. names.Select(n => t.Metrics.TryGetValue(n, out double v) ? N(v, "0.0000") : "–"),
                N(t.Seconds, "0.0") + (t.Completed ? "" : " (stopped early)")])
                html.Append("<td style=\"padding:1px 8px;text-align:right;font-family:monospace\">").Append(E(cell)).Append("</td>");
            html.Append("</tr>");
        }
        return html.Append("</table>").ToString();
    }

    /// <inheritdoc />
    public override string Plain(SweepResult value) => value.ToTable();
}
