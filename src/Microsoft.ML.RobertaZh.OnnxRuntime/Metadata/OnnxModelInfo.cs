using System.Globalization;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;

/// <summary>
/// What an ONNX BERT graph is, read from its inputs, outputs and <c>metadata_props</c>. The exporter writes these keys
/// (all values are strings, for any ONNX consumer):
/// <c>task</c> (<c>encoder</c>, <c>classifier</c>, <c>fill-mask</c>); <c>labels</c> (JSON array of class names in index
/// order, classifiers only); <c>tokenizer_config</c> (Hugging Face <c>tokenizer_config.json</c> text: do_lower_case,
/// strip_accents, special tokens, model_max_length, ...); <c>max_sequence_length</c>; <c>config</c> (the model's
/// <c>config.json</c> text); <c>opset</c>; <c>fused</c> (<c>true</c> when com.microsoft operators are used).
/// Graphs exported from a fitted transformer (<c>transformer.ExportOnnx</c>) also have <c>classification</c>
/// (<c>binary</c> or <c>multiclass</c>, classifiers) or <c>pooling</c> (<c>cls</c> or <c>mean</c>, encoders), and their
/// <c>config</c> carries the transformer's settings (<c>roberta_zh_classifier</c> / <c>roberta_zh_encoder</c>).
/// A graph from elsewhere has none of them: its task is then inferred from its outputs.
/// </summary>
public sealed class OnnxModelInfo
{
    /// <summary>The .onnx file.</summary>
    public required string ModelPath { get; init; }

    /// <summary>The graph's producer (<c>Microsoft.ML.RobertaZh</c> for our exports).</summary>
    public required string Producer { get; init; }

    /// <summary>What the graph computes (from the metadata, or inferred from the outputs).</summary>
    public required OnnxModelTask Task { get; init; }

    /// <summary>Width of the hidden states.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Class names of a classifier, in logit order; empty otherwise.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>The tokenizer settings the model was trained with, or null when the metadata has none.</summary>
    public BertTokenizerOptions? TokenizerOptions { get; init; }

    /// <summary>The longest sequence the graph accepts, or null when unknown (a graph from elsewhere).</summary>
    public int? MaxSequenceLength { get; init; }

    /// <summary>The model's config (with the class names of a classifier), or null when the metadata has none.</summary>
    public BertConfig? Config { get; init; }

    /// <summary>The default-domain opset recorded at export, or null when unknown.</summary>
    public int? Opset { get; init; }

    /// <summary>Whether the graph uses ONNX Runtime's fused com.microsoft operators.</summary>
    public bool Fused { get; init; }

    /// <summary>Whether the graph has a <c>pooler_output</c>.</summary>
    public required bool HasPooler { get; init; }

    /// <summary>Whether the graph takes <c>token_type_ids</c> (if not, every token type must be 0).</summary>
    public required bool HasTokenTypeIds { get; init; }

    /// <summary>Every <c>metadata_props</c> entry.</summary>
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <summary>
    /// Reads the metadata entries, with the structural facts the caller took from the graph's inputs and outputs.
    /// </summary>
    /// <exception cref="InvalidDataException">An entry the exporter writes holds something it would not write.</exception>
    internal static OnnxModelInfo From(string path, string producer, IReadOnlyDictionary<string, string> metadata,
        OnnxModelTask inferredTask, int hiddenSize, int? classCount, bool hasPooler, bool hasTokenTypeIds)
    {
        string Bad(string key, string problem) => $"{path}: metadata '{key}' {problem}.";
        OnnxModelTask task = inferredTask;
        if (metadata.TryGetValue(MetadataKeys.Task, out var taskName))
            task = MetadataKeys.Parse(taskName) ?? throw new InvalidDataException(Bad(MetadataKeys.Task, $"is '{taskName}', not encoder, classifier or fill-mask"));

        string[] labels = [];
        if (metadata.TryGetValue(MetadataKeys.Labels, out var labelJson))
        {
            try { labels = JsonSerializer.Deserialize<string[]>(labelJson) ?? []; }
            catch (JsonException e) { throw new InvalidDataException(Bad(MetadataKeys.Labels, $"is not a JSON array of strings ({e.Message})"), e); }
        }
        if (task == OnnxModelTask.Classifier && classCount is int count && labels.Length != count)
        {
            if (labels.Length > 0) throw new InvalidDataException(Bad(MetadataKeys.Labels, $"names {labels.Length} classes but the logits have {count}"));
            labels = [.. Enumerable.Range(0, count).Select(i => $"LABEL_{i}")];
        }

        BertTokenizerOptions? tokenizer = null;
        if (metadata.TryGetValue(MetadataKeys.TokenizerConfig, out var tokenizerJson))
        {
            try { tokenizer = BertTokenizerOptions.FromConfigJson(tokenizerJson); }
            catch (Exception e) when (e is JsonException or InvalidDataException) { throw new InvalidDataException(Bad(MetadataKeys.TokenizerConfig, $"is not a tokenizer config ({e.Message})"), e); }
        }

        BertConfig? config = null;
        if (metadata.TryGetValue(MetadataKeys.Config, out var configJson))
        {
            try { config = BertConfig.Parse(configJson); }
            catch (Exception e) when (e is JsonException or InvalidOperationException) { throw new InvalidDataException(Bad(MetadataKeys.Config, $"is not a BERT config ({e.Message})"), e); }
        }

        return new OnnxModelInfo
        {
            ModelPath = path, Producer = producer, Task = task, HiddenSize = hiddenSize, Labels = labels, TokenizerOptions = tokenizer,
            MaxSequenceLength = PositiveInt(metadata, MetadataKeys.MaxSequenceLength, Bad),
            Opset = PositiveInt(metadata, MetadataKeys.Opset, Bad),
            Fused = metadata.TryGetValue(MetadataKeys.Fused, out var fused) && fused == "true",
            Config = config, HasPooler = hasPooler, HasTokenTypeIds = hasTokenTypeIds, Metadata = metadata,
        };
    }

    private static int? PositiveInt(IReadOnlyDictionary<string, string> metadata, string key, Func<string, string, string> bad)
    {
        if (!metadata.TryGetValue(key, out var text)) return null;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new InvalidDataException(bad(key, $"is '{text}', not a positive integer"));
    }
}
