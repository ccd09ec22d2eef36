using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Export;

/// <summary>
/// <c>transformer.ExportOnnx(path)</c> for this library's fitted transformers: the graph (as <see cref="OnnxExporter"/>
/// writes it) with what the transformer knows recorded in its metadata — class names, binary or multiclass, columns and
/// input settings for a classifier, the embedding pooling for an encoder — and <c>vocab.txt</c> /
/// <c>tokenizer_config.json</c> beside it, its <c>model_max_length</c> the length the transformer truncates to.
/// </summary>
public static class TransformerOnnxExport
{
    /// <summary>
    /// Exports a fine-tuned classifier: by default as a classifier graph (<c>logits</c>, <c>probabilities</c>,
    /// <c>pooler_output</c>, <c>last_hidden_state</c>), or as its encoder with <see cref="OnnxExportOptions.Task"/> =
    /// <see cref="OnnxModelTask.Encoder"/>. The metadata holds the class names (<c>labels</c>, in logit order: "0", "1"
    /// for binary models), <c>classification</c> (<c>binary</c> or <c>multiclass</c>) and the config with the transformer's
    /// settings (<c>roberta_zh_classifier</c>).
    /// </summary>
    /// <exception cref="InvalidDataException">The task asked for is fill-mask (a classifier has no masked-LM head).</exception>
    public static OnnxExportResult ExportOnnx(this RobertaClassifierTransformer transformer, string path, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new OnnxExportOptions();
        var task = options.Task ?? OnnxModelTask.Classifier;
        if (task == OnnxModelTask.FillMask)
            throw new InvalidDataException("A classifier has no masked-LM head: export it as OnnxModelTask.Classifier or OnnxModelTask.Encoder.");
        var config = transformer.Model.Config.Clone();
        transformer.Settings.WriteTo(config, transformer.Labels);
        var metadata = new Dictionary<string, string>
        {
            [MetadataKeys.Classification] = transformer.IsBinary ? "binary" : "multiclass",
        };
        return OnnxExporter.Export(transformer.Model, path, With(options, task), transformer.Tokenizer,
            new ExportExtras(config, transformer.Classes, Truncation(transformer.Settings.MaxSequenceLength, transformer.Model, options), metadata));
    }

    /// <summary>
    /// Exports an encoder: by default its hidden states (<c>last_hidden_state</c>, and <c>pooler_output</c> when it has a
    /// pooler), or with <see cref="OnnxExportOptions.Task"/> = <see cref="OnnxModelTask.FillMask"/> its masked-LM
    /// <c>logits</c>. The metadata holds the embedding pooling (<c>pooling</c>: <c>cls</c> or <c>mean</c>) and the config with
    /// the transformer's columns (<c>roberta_zh_encoder</c>).
    /// </summary>
    /// <exception cref="InvalidDataException">Fill-mask was asked of a model without a masked-LM head, or classifier of an encoder.</exception>
    public static OnnxExportResult ExportOnnx(this RobertaEncoderTransformer transformer, string path, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new OnnxExportOptions();
        var task = options.Task ?? OnnxModelTask.Encoder;
        if (task == OnnxModelTask.Classifier)
            throw new InvalidDataException("An encoder transformer has no classification head: fine-tune it (RobertaClassifier) and export the classifier.");
        var config = transformer.Model.Config.Clone();
        transformer.Settings.WriteTo(config);
        var metadata = new Dictionary<string, string>
        {
            [MetadataKeys.Pooling] = transformer.Pooling == EmbeddingPooling.Mean ? "mean" : "cls",
        };
        return OnnxExporter.Export(transformer.Model, path, With(options, task), transformer.Tokenizer,
            new ExportExtras(config, Labels: null, Truncation(transformer.Settings.MaxSequenceLength, transformer.Model, options), metadata));
    }

    // What the transformer truncates to, within what the graph accepts.
    private static int Truncation(int settings, Model.BertModel model, OnnxExportOptions options) =>
        Math.Min(settings, options.MaxSequenceLength ?? model.Config.MaxPositionEmbeddings);

    private static OnnxExportOptions With(OnnxExportOptions o, OnnxModelTask task) => new()
    {
        Task = task, Opset = o.Opset, MaxSequenceLength = o.MaxSequenceLength, Fused = o.Fused, ExternalData = o.ExternalData,
    };
}
