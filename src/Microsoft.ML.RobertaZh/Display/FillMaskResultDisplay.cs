using Microsoft.ML.RobertaZh.Estimators;

namespace Microsoft.ML.RobertaZh.Display;

/// <summary>A fill-mask candidate in notebooks: the token in bold, its probability, the completed sentence.</summary>
internal sealed class FillMaskResultDisplay : DisplaySource<FillMaskResult>
{
    /// <inheritdoc />
    public override string Html(FillMaskResult value) =>
        $"<span class=\"robertazh-fill-mask\"><b>{E(value.TokenStr)}</b> {N(value.Score * 100, "0.0")}% " +
        $"<span style=\"color:#777\">{E(value.Sequence)}</span></span>";

    /// <inheritdoc />
    public override string Plain(FillMaskResult value) => $"{value.TokenStr} {N(value.Score * 100, "0.0")}%  {value.Sequence}";
}
