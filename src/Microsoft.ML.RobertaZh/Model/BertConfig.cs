using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Microsoft.ML.RobertaZh.Model;

/// <summary>
/// The architecture of a BERT encoder, with the field names of Hugging Face's <c>BertConfig</c>
/// (<c>config.json</c>). Reads Hugging Face configs and UER-py configs; writes Hugging Face configs.
/// </summary>
public sealed class BertConfig
{
    /// <summary>Number of WordPiece tokens (rows of the word-embedding table). Default 21,128 (google_zh_vocab).</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; set; } = 21128;

    /// <summary>Width of every hidden state.</summary>
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; set; } = 768;

    /// <summary>Number of transformer layers.</summary>
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; set; } = 12;

    /// <summary>Number of attention heads; must divide <see cref="HiddenSize"/>.</summary>
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; set; } = 12;

    /// <summary>Width of the feed-forward layer (4 × hidden in every UER and Google model).</summary>
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; set; } = 3072;

    /// <summary>Feed-forward activation. Only <c>"gelu"</c> (exact erf form, as Hugging Face's) is supported.</summary>
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; set; } = "gelu";

    /// <summary>Dropout on embeddings and on each sub-layer output.</summary>
    [JsonPropertyName("hidden_dropout_prob")] public float HiddenDropoutProb { get; set; } = 0.1f;

    /// <summary>Dropout on attention probabilities.</summary>
    [JsonPropertyName("attention_probs_dropout_prob")] public float AttentionProbsDropoutProb { get; set; } = 0.1f;

    /// <summary>Rows of the learned position-embedding table (the longest sequence the model accepts).</summary>
    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; set; } = 512;

    /// <summary>Rows of the token-type (segment) embedding table.</summary>
    [JsonPropertyName("type_vocab_size")] public int TypeVocabSize { get; set; } = 2;

    /// <summary>Standard deviation of the normal initializer.</summary>
    [JsonPropertyName("initializer_range")] public float InitializerRange { get; set; } = 0.02f;

    /// <summary>LayerNorm epsilon, added inside the square root (1e-12 in BERT; not PyTorch's 1e-5 default).</summary>
    [JsonPropertyName("layer_norm_eps")] public float LayerNormEps { get; set; } = 1e-12f;

    /// <summary>Id of the padding token.</summary>
    [JsonPropertyName("pad_token_id")] public int PadTokenId { get; set; }

    /// <summary>Always <c>"bert"</c>.</summary>
    [JsonPropertyName("model_type")] public string ModelType { get; set; } = "bert";

    /// <summary>Hugging Face architecture names, for example <c>BertForMaskedLM</c>.</summary>
    [JsonPropertyName("architectures")] public List<string>? Architectures { get; set; }

    /// <summary>Dropout before the classification layer; null means <see cref="HiddenDropoutProb"/> (Hugging Face's rule).</summary>
    [JsonPropertyName("classifier_dropout")] public float? ClassifierDropout { get; set; }

    /// <summary>Class names by index, as Hugging Face stores them; their count is the number of labels.</summary>
    [JsonPropertyName("id2label")] public Dictionary<string, string>? Id2Label { get; set; }

    /// <summary>Class indexes by name.</summary>
    [JsonPropertyName("label2id")] public Dictionary<string, int>? Label2Id { get; set; }

    /// <summary>Fields this type does not model, kept so that a config survives a read/write round trip.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? ExtensionData { get; set; }

    /// <summary>Width of one attention head.</summary>
    [JsonIgnore] public int HeadSize => HiddenSize / NumAttentionHeads;

    /// <summary>Number of labels of a classification head (from <see cref="Id2Label"/>), or 0 when none is configured.</summary>
    [JsonIgnore] public int NumLabels => Id2Label?.Count ?? 0;

    /// <summary>Returns a copy whose <see cref="Id2Label"/>/<see cref="Label2Id"/> describe <paramref name="labels"/>.</summary>
    public BertConfig WithLabels(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var copy = Clone();
        copy.Id2Label = labels.Select((l, i) => (l, i)).ToDictionary(x => x.i.ToString(System.Globalization.CultureInfo.InvariantCulture), x => x.l);
        copy.Label2Id = labels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i);
        return copy;
    }

    /// <summary>A deep copy.</summary>
    public BertConfig Clone() => JsonSerializer.Deserialize<BertConfig>(ToJson())!;

    /// <summary>Checks that the sizes are consistent; throws <see cref="InvalidOperationException"/> naming the field otherwise.</summary>
    public void Validate()
    {
        static void Positive(int value, string name)
        {
            if (value <= 0) throw new InvalidOperationException($"BertConfig: {name} must be positive, got {value}.");
        }
        Positive(VocabSize, "vocab_size");
        Positive(HiddenSize, "hidden_size");
        Positive(NumHiddenLayers, "num_hidden_layers");
        Positive(NumAttentionHeads, "num_attention_heads");
        Positive(IntermediateSize, "intermediate_size");
        Positive(MaxPositionEmbeddings, "max_position_embeddings");
        Positive(TypeVocabSize, "type_vocab_size");
        if (HiddenSize % NumAttentionHeads != 0)
            throw new InvalidOperationException($"BertConfig: hidden_size {HiddenSize} is not a multiple of num_attention_heads {NumAttentionHeads}.");
        if (!string.Equals(HiddenAct, "gelu", StringComparison.Ordinal))
            throw new InvalidOperationException($"BertConfig: hidden_act '{HiddenAct}' is not supported; only 'gelu' (exact erf) is.");
        if (HiddenDropoutProb is < 0 or >= 1 || AttentionProbsDropoutProb is < 0 or >= 1)
            throw new InvalidOperationException("BertConfig: dropout probabilities must be in [0, 1).");
        if (!(LayerNormEps > 0))
            throw new InvalidOperationException($"BertConfig: layer_norm_eps must be positive, got {LayerNormEps}.");
    }

    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The config as Hugging Face <c>config.json</c> text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, WriteOptions);

    /// <summary>Writes <c>config.json</c> (atomically: a temporary file renamed over the target).</summary>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Tensors.AtomicFile.WriteAllText(path, ToJson() + "\n");
    }

    /// <summary>
    /// Reads a config file: Hugging Face's <c>config.json</c>, or a UER-py config (<c>emb_size</c>, <c>heads_num</c>,
    /// <c>layers_num</c>, ...), which is translated to the Hugging Face fields as UER's conversion script does.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not valid JSON or describes an invalid model; the message names the file.</exception>
    public static BertConfig Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try { text = File.ReadAllText(path); }
        catch (FileNotFoundException) { throw new FileNotFoundException($"Config file not found: {path}", path); }
        try
        {
            return Parse(text);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Parses config JSON text (Hugging Face or UER-py keys) and validates it.</summary>
    public static BertConfig Parse(string json)
    {
        var node = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("the config is not a JSON object.");
        BertConfig config;
        if (node.ContainsKey("layers_num") || node.ContainsKey("heads_num") || node.ContainsKey("feedforward_size"))
            config = FromUer(node);
        else
            config = node.Deserialize<BertConfig>() ?? throw new JsonException("the config is empty.");
        config.Validate();
        return config;
    }

    // UER-py keys (models/bert/*_config.json) → Hugging Face fields, following UER's HF conversion.
    private static BertConfig FromUer(JsonObject node)
    {
        int Int(string key, int fallback) => node[key]?.GetValue<int>() ?? fallback;
        float dropout = node["dropout"]?.GetValue<float>() ?? 0.1f;
        int hidden = Int("hidden_size", Int("emb_size", 768));
        return new BertConfig
        {
            HiddenSize = hidden,
            NumHiddenLayers = Int("layers_num", 12),
            NumAttentionHeads = Int("heads_num", 12),
            IntermediateSize = Int("feedforward_size", 4 * hidden),
            MaxPositionEmbeddings = Int("max_seq_length", 512),
            HiddenAct = node["hidden_act"]?.GetValue<string>() ?? "gelu",
            HiddenDropoutProb = dropout,
            AttentionProbsDropoutProb = dropout,
            Architectures = ["BertForMaskedLM"],
        };
    }

    /// <summary>
    /// A UER Chinese RoBERTa preset: <c>tiny</c> (2/128), <c>mini</c> (4/256), <c>small</c> (4/512),
    /// <c>medium</c> (8/512), <c>base</c> (12/768), <c>large</c> (24/1024), or any <c>L-{layers}_H-{hidden}</c> of the
    /// miniature grid (layers 2..12 even, hidden 128/256/512/768). Heads = hidden/64, feed-forward = 4·hidden,
    /// 512 positions, 2 token types, vocabulary 21,128.
    /// </summary>
    public static BertConfig FromPreset(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        (int layers, int hidden) = name.ToLowerInvariant() switch
        {
            "tiny" => (2, 128),
            "mini" => (4, 256),
            "small" => (4, 512),
            "medium" => (8, 512),
            "base" => (12, 768),
            "large" => (24, 1024),
            _ => ParseGridName(name),
        };
        return Uer(layers, hidden);
    }

    /// <summary>The names <see cref="FromPreset"/> accepts.</summary>
    public static IReadOnlyList<string> PresetNames { get; } =
        ["tiny", "mini", "small", "medium", "base", "large",
         .. from l in new[] { 2, 4, 6, 8, 10, 12 } from h in new[] { 128, 256, 512, 768 } select $"L-{l}_H-{h}"];

    private static (int Layers, int Hidden) ParseGridName(string name)
    {
        var m = System.Text.RegularExpressions.Regex.Match(name, @"^L-(\d+)_H-(\d+)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        if (m.Success)
        {
            int l = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            int h = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (l is >= 2 and <= 12 && l % 2 == 0 && h is 128 or 256 or 512 or 768) return (l, h);
        }
        throw new ArgumentException($"Unknown preset '{name}'. Known: {string.Join(", ", PresetNames)}.", nameof(name));
    }

    /// <summary>A UER-style architecture with <paramref name="layers"/> layers of width <paramref name="hidden"/>.</summary>
    public static BertConfig Uer(int layers, int hidden) => new()
    {
        NumHiddenLayers = layers,
        HiddenSize = hidden,
        NumAttentionHeads = Math.Max(1, hidden / 64),
        IntermediateSize = 4 * hidden,
        Architectures = ["BertForMaskedLM"],
    };
}
