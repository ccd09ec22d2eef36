using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// The columns, pooling, input settings and inference arithmetic (precision, packing) of an encoder transformer; saved in
/// config.json under <c>roberta_zh_encoder</c>. The engine and device are not saved: they belong to the machine that loads it.
/// </summary>
internal sealed record EncoderSettings
{
    public const string ConfigKey = "roberta_zh_encoder";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public string InputColumnName { get; init; } = "Text";
    public string OutputColumnName { get; init; } = "Features";
    public EmbeddingPooling Pooling { get; init; } = EmbeddingPooling.Cls;
    public int MaxSequenceLength { get; init; } = 128;
    public int BatchSize { get; init; } = 32;
    public InferencePrecision InferencePrecision { get; init; }
    /// <summary>On unless saved off (models saved before the setting existed get the default too).</summary>
    public bool PackPaddedSequences { get; init; } = true;

    public void WriteTo(BertConfig config)
    {
        config.ExtensionData ??= [];
        config.ExtensionData[ConfigKey] = JsonSerializer.SerializeToElement(this, Json);
    }

    public static EncoderSettings? ReadFrom(BertConfig config) =>
        config.ExtensionData?.TryGetValue(ConfigKey, out var e) == true ? e.Deserialize<EncoderSettings>(Json) : null;
}
