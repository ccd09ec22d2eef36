using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Display;

/// <summary>A checkpoint load report in notebooks: where from, and which tensors were missing, unused or ignored.</summary>
internal sealed class CheckpointLoadReportDisplay : DisplaySource<CheckpointLoadReport>
{
    /// <inheritdoc />
    public override string Html(CheckpointLoadReport value)
    {
        static string List(IReadOnlyList<string> names) => names.Count == 0
            ? "none"
            : $"{names.Count}: <code>{string.Join("</code>, <code>", names.Select(E))}</code>";
        string verdict = value.Missing.Count == 0 && value.Unexpected.Count == 0
            ? "<span style=\"color:#2ca02c\">every model weight was in the checkpoint</span>"
            : "<span style=\"color:#d62728\">some weights did not match: see below</span>";
        return $"<div class=\"robertazh-load-report\"><div><b>Loaded</b> <code>{E(value.SourcePath)}</code>: {verdict}</div>" +
            Table("robertazh-load-report-table", "", [
                ("newly initialized (not in the checkpoint)", List(value.Missing)),
                ("not used (unknown to the model)", List(value.Unexpected)),
                ("ignored (buffers, NSP head, tied decoder)", List(value.Ignored)),
            ]) + "</div>";
    }
}
