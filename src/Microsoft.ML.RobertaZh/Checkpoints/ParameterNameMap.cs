using System.Text.RegularExpressions;

namespace Microsoft.ML.RobertaZh.Checkpoints;

/// <summary>
/// Maps parameter names from Hugging Face (with or without the <c>bert.</c> prefix), old TF-converted
/// (<c>LayerNorm.gamma/beta</c>) and UER-py checkpoints to the canonical Hugging Face
/// <c>BertForMaskedLM</c> / <c>BertForSequenceClassification</c> names.
/// </summary>
public static partial class ParameterNameMap
{
    private const string TokenTypeEmbeddings = "bert.embeddings.token_type_embeddings.weight";

    // UER-py names (old and new spellings) → canonical names; layer norms accept gamma/beta and weight/bias.
    private static readonly Dictionary<string, string> UerFixed = BuildUerFixed();

    private static readonly Dictionary<string, string> UerLayerModules = new(StringComparer.Ordinal)
    {
        ["self_attn.linear_layers.0"] = "attention.self.query",
        ["self_attn.linear_layers.1"] = "attention.self.key",
        ["self_attn.linear_layers.2"] = "attention.self.value",
        ["self_attn.final_linear"] = "attention.output.dense",
        ["layer_norm_1"] = "attention.output.LayerNorm",
        ["feed_forward.linear_1"] = "intermediate.dense",
        ["feed_forward.linear_2"] = "output.dense",
        ["layer_norm_2"] = "output.LayerNorm",
    };

    /// <summary>
    /// Renames every tensor of <paramref name="source"/> to its canonical name. Applies the UER-py conversion
    /// (including dropping the padding row 0 of UER's 3-row segment embedding), renames LayerNorm gamma/beta to
    /// weight/bias and adds the <c>bert.</c> prefix to bare BertModel names. Known unused tensors (position_ids and
    /// token_type_ids buffers, the next-sentence-prediction head) are listed in <see cref="NormalizedStateDict.Ignored"/>;
    /// names that map to no BERT parameter are listed in <see cref="NormalizedStateDict.Unrecognized"/>.
    /// Tensor data is shared with <paramref name="source"/> except where rows are dropped.
    /// </summary>
    /// <param name="source">Tensors as read from a checkpoint.</param>
    /// <returns>The canonical tensors plus the ignored and unrecognized original names.</returns>
    /// <exception cref="CheckpointFormatException">Two source tensors map to the same canonical name.</exception>
    public static NormalizedStateDict Normalize(StateDict source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var tensors = new List<CheckpointTensor>(source.Count);
        var origin = new Dictionary<string, string>(StringComparer.Ordinal);
        var ignored = new List<string>();
        var unrecognized = new List<string>();
        foreach (var (name, tensor) in source)
        {
            var (kind, canonical) = Map(name);
            switch (kind)
            {
                case MapResult.Ignored:
                    ignored.Add(name);
                    continue;
                case MapResult.Unrecognized:
                    unrecognized.Add(name);
                    continue;
            }

            if (!origin.TryAdd(canonical, name))
            {
                throw new CheckpointFormatException(
                    source.SourcePath, $"tensors '{origin[canonical]}' and '{name}' both map to '{canonical}'.");
            }

            tensors.Add(kind == MapResult.DropFirstRow ? DropFirstRow(source.SourcePath, name, canonical, tensor) : tensor.WithName(canonical));
        }

        return new NormalizedStateDict(source.SourcePath, new StateDict(source.SourcePath, tensors), ignored, unrecognized);
    }

    /// <summary>True when <paramref name="name"/> is one of the canonical parameter names this library loads.</summary>
    /// <param name="name">A parameter name.</param>
    /// <returns>Whether the name is canonical.</returns>
    public static bool IsCanonical(string name) => name is not null && CanonicalRegex().IsMatch(name);

    internal enum MapResult
    {
        Mapped,
        DropFirstRow,
        Ignored,
        Unrecognized,
    }

    /// <summary>Maps one name; the canonical name is meaningful for Mapped and DropFirstRow.</summary>
    internal static (MapResult Kind, string Canonical) Map(string original)
    {
        string name = original.StartsWith("module.", StringComparison.Ordinal) ? original["module.".Length..] : original;

        string? canonical = MapUer(name, out bool dropFirstRow);
        if (canonical is null)
        {
            canonical = FixLayerNormLeaf(name);
            string first = canonical.Split('.')[0];
            if (first is "embeddings" or "encoder" or "pooler")
            {
                canonical = "bert." + canonical;
            }
        }

        if (IsIgnored(canonical))
        {
            return (MapResult.Ignored, canonical);
        }

        if (!CanonicalRegex().IsMatch(canonical))
        {
            return (MapResult.Unrecognized, original);
        }

        return (dropFirstRow ? MapResult.DropFirstRow : MapResult.Mapped, canonical);
    }

    private static bool IsIgnored(string name) =>
        name.EndsWith(".position_ids", StringComparison.Ordinal)
        || name == "bert.embeddings.token_type_ids"
        || name.StartsWith("cls.seq_relationship.", StringComparison.Ordinal);

    private static string? MapUer(string name, out bool dropFirstRow)
    {
        dropFirstRow = false;
        if (UerFixed.TryGetValue(name, out var fixedName))
        {
            dropFirstRow = fixedName == TokenTypeEmbeddings;
            return fixedName;
        }

        var m = UerLayerRegex().Match(name);
        if (m.Success && UerLayerModules.TryGetValue(m.Groups["module"].Value, out var module))
        {
            string leaf = m.Groups["leaf"].Value;
            bool isNorm = module.EndsWith("LayerNorm", StringComparison.Ordinal);
            if (!isNorm && leaf is "gamma" or "beta")
            {
                return null;
            }

            leaf = leaf switch { "gamma" => "weight", "beta" => "bias", _ => leaf };
            return $"bert.encoder.layer.{m.Groups["layer"].Value}.{module}.{leaf}";
        }

        return null;
    }

    private static string FixLayerNormLeaf(string name)
    {
        int dot = name.LastIndexOf('.');
        if (dot < 0 || !name.AsSpan(0, dot).EndsWith("LayerNorm", StringComparison.Ordinal))
        {
            return name;
        }

        return name[(dot + 1)..] switch
        {
            "gamma" => name[..(dot + 1)] + "weight",
            "beta" => name[..(dot + 1)] + "bias",
            _ => name,
        };
    }

    private static Dictionary<string, string> BuildUerFixed()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["embedding.word.embedding.weight"] = "bert.embeddings.word_embeddings.weight",
            ["embedding.word_embedding.weight"] = "bert.embeddings.word_embeddings.weight",
            ["embedding.pos.embedding.weight"] = "bert.embeddings.position_embeddings.weight",
            ["embedding.position_embedding.weight"] = "bert.embeddings.position_embeddings.weight",
            ["embedding.seg.embedding.weight"] = TokenTypeEmbeddings,
            ["embedding.segment_embedding.weight"] = TokenTypeEmbeddings,
            ["target.mlm.linear_2.weight"] = "cls.predictions.decoder.weight",
            ["target.mlm.linear_2.bias"] = "cls.predictions.bias",
        };
        foreach (string leaf in new[] { "weight", "bias" })
        {
            map[$"target.sp.linear_1.{leaf}"] = $"bert.pooler.dense.{leaf}";
            map[$"target.sp.linear_2.{leaf}"] = $"cls.seq_relationship.{leaf}";
            map[$"target.mlm.linear_1.{leaf}"] = $"cls.predictions.transform.dense.{leaf}";
        }

        foreach (var (uer, leaf) in new[] { ("gamma", "weight"), ("beta", "bias"), ("weight", "weight"), ("bias", "bias") })
        {
            map[$"embedding.layer_norm.{uer}"] = $"bert.embeddings.LayerNorm.{leaf}";
            map[$"target.mlm.layer_norm.{uer}"] = $"cls.predictions.transform.LayerNorm.{leaf}";
        }

        return map;
    }

    private static CheckpointTensor DropFirstRow(string path, string original, string canonical, CheckpointTensor t)
    {
        if (t.Shape.Count != 2 || t.Shape[0] < 1)
        {
            throw new CheckpointFormatException(path, $"UER segment embedding '{original}' should be 2-D with a padding row; shape is [{string.Join(", ", t.Shape)}].");
        }

        int rows = t.Shape[0] - 1, cols = t.Shape[1];
        var data = t.Data.AsSpan(cols).ToArray();
        return new CheckpointTensor(canonical, [rows, cols], data, t.SourceDType);
    }

    [GeneratedRegex(@"^encoder\.transformer\.(?<layer>0|[1-9][0-9]{0,5})\.(?<module>.+)\.(?<leaf>weight|bias|gamma|beta)$", RegexOptions.CultureInvariant)]
    private static partial Regex UerLayerRegex();

    [GeneratedRegex(
        @"^(bert\.embeddings\.(word_embeddings|position_embeddings|token_type_embeddings)\.weight"
        + @"|bert\.embeddings\.LayerNorm\.(weight|bias)"
        + @"|bert\.encoder\.layer\.(0|[1-9][0-9]{0,5})\.(attention\.self\.(query|key|value)|attention\.output\.dense|attention\.output\.LayerNorm|intermediate\.dense|output\.dense|output\.LayerNorm)\.(weight|bias)"
        + @"|bert\.pooler\.dense\.(weight|bias)"
        + @"|cls\.predictions\.transform\.(dense|LayerNorm)\.(weight|bias)"
        + @"|cls\.predictions\.bias|cls\.predictions\.decoder\.(weight|bias)"
        + @"|classifier\.(weight|bias))$",
        RegexOptions.CultureInvariant)]
    private static partial Regex CanonicalRegex();
}
