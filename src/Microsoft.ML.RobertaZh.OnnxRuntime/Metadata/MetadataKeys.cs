namespace Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;

/// <summary>The <c>metadata_props</c> keys the exporter writes (documented on <see cref="OnnxModelInfo"/>).</summary>
internal static class MetadataKeys
{
    public const string Task = "task";
    public const string Labels = "labels";
    public const string TokenizerConfig = "tokenizer_config";
    public const string MaxSequenceLength = "max_sequence_length";
    public const string Config = "config";
    public const string Opset = "opset";
    public const string Fused = "fused";
    public const string Classification = "classification";
    public const string Pooling = "pooling";

    /// <summary>The task names, as in Hugging Face's export tasks.</summary>
    public static string Name(OnnxModelTask task) => task switch
    {
        OnnxModelTask.Encoder => "encoder",
        OnnxModelTask.Classifier => "classifier",
        OnnxModelTask.FillMask => "fill-mask",
        _ => throw new ArgumentOutOfRangeException(nameof(task)),
    };

    /// <summary>The task called <paramref name="name"/> (as written by <see cref="Name"/>), or null.</summary>
    public static OnnxModelTask? Parse(string? name) => name switch
    {
        "encoder" or "feature-extraction" => OnnxModelTask.Encoder,
        "classifier" or "text-classification" or "sequence-classification" => OnnxModelTask.Classifier,
        "fill-mask" or "masked-lm" => OnnxModelTask.FillMask,
        _ => null,
    };
}
