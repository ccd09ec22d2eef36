using Microsoft.ML.RobertaZh.Estimators;

namespace Microsoft.ML.RobertaZh.Display;

/// <summary>
/// A fill-mask candidate in notebooks: the token in bold, its probability, the completed sentence. One mask's
/// candidates (<see cref="RobertaEncoderTransformer.FillMask"/>'s answer for a mask) show as a table, several masks as
/// one table each.
/// </summary>
internal sealed class FillMaskResultDisplay : DisplaySource<FillMaskResult>
{
    private static readonly string[] Header = ["rank", "token", "probability", "sentence"];

    /// <inheritdoc />
    public override string Html(FillMaskResult value) =>
        $"<span class=\"robertazh-fill-mask\"><b>{E(value.TokenStr)}</b> {N(value.Score * 100, "0.0")}% " +
        $"<span style=\"color:#777\">{E(value.Sequence)}</span></span>";

    /// <inheritdoc />
    public override string Plain(FillMaskResult value) => PlainOf(value);

    /// <summary>One mask's candidates as a table, best first as given.</summary>
    public static string CandidatesHtml(IEnumerable<FillMaskResult> candidates, string caption = "Fill-mask candidates") =>
        HtmlText.Grid("robertazh-fill-mask-candidates", caption, Header,
            candidates.Select((c, i) => new[] { (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), c.TokenStr, HtmlText.N(c.Score * 100, "0.0") + "%", c.Sequence }));

    /// <summary>One mask's candidates as lines of text.</summary>
    public static string CandidatesPlain(IEnumerable<FillMaskResult> candidates) => string.Join('\n', candidates.Select(PlainOf));

    /// <summary>The candidates of every mask of a text, one table per mask.</summary>
    public static string MasksHtml(IEnumerable<IEnumerable<FillMaskResult>> masks) =>
        "<div class=\"robertazh-fill-mask-masks\">" + string.Concat(masks.Select((m, i) => CandidatesHtml(m, $"[MASK] {i + 1}"))) + "</div>";

    /// <summary>The candidates of every mask of a text, as text, one block per mask.</summary>
    public static string MasksPlain(IEnumerable<IEnumerable<FillMaskResult>> masks) =>
        string.Join("\n\n", masks.Select((m, i) => $"[MASK] {i + 1}\n" + CandidatesPlain(m)));

    private static string PlainOf(FillMaskResult value) => $"{value.TokenStr} {HtmlText.N(value.Score * 100, "0.0")}%  {value.Sequence}";
}
