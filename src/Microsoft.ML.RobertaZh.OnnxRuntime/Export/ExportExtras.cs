using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Export;

/// <summary>
/// What a transformer adds to its model's export: its class names (in logit order), the config to record (with the
/// transformer's settings in it), the length it truncates input to (recorded as the tokenizer's <c>model_max_length</c>),
/// and further <c>metadata_props</c> entries.
/// </summary>
internal sealed record ExportExtras(BertConfig? Config = null, IReadOnlyList<string>? Labels = null, int? TokenizerMaxLength = null,
    IReadOnlyDictionary<string, string>? Metadata = null);
