using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Inference;

/// <summary>
/// Checks that a graph has the inputs and outputs of a Hugging Face BERT export and reads their sizes: int64
/// <c>input_ids</c> and <c>attention_mask</c> (and optionally <c>token_type_ids</c>) of rank 2; float
/// <c>last_hidden_state</c> (batch, seq, hidden); optionally <c>pooler_output</c> (batch, hidden) and <c>logits</c>,
/// (batch, labels) for a classifier or (batch, seq, vocab) for fill-mask.
/// </summary>
internal sealed record GraphSignature(bool HasTokenTypeIds, int HiddenSize, bool HasPooler, OnnxModelTask Task, int? LogitsSize)
{
    public static readonly string[] RequiredInputs = ["input_ids", "attention_mask"];

    /// <exception cref="InvalidDataException">An input or output is missing or has the wrong type or rank; the message lists what the graph has.</exception>
    public static GraphSignature Read(string path, IReadOnlyDictionary<string, NodeMetadata> inputs, IReadOnlyDictionary<string, NodeMetadata> outputs)
    {
        string Found() => $"The graph has inputs {Describe(inputs)} and outputs {Describe(outputs)}.";
        InvalidDataException Error(string problem) =>
            new($"{path}: {problem} {Found()} Models written by `roberta-zh export-onnx` (or Hugging Face's BERT exports) have int64 inputs input_ids, attention_mask, token_type_ids and float outputs last_hidden_state, pooler_output, logits.");

        foreach (string name in RequiredInputs)
            if (!inputs.ContainsKey(name)) throw Error($"the input '{name}' is missing.");
        foreach (var (name, meta) in inputs)
        {
            if (name is not ("input_ids" or "attention_mask" or "token_type_ids"))
                throw Error($"the input '{name}' is not one this session feeds (input_ids, attention_mask, token_type_ids).");
            if (!meta.IsTensor || meta.ElementDataType != TensorElementType.Int64 || meta.Dimensions.Length != 2)
                throw Error($"the input '{name}' is {Describe(meta)}, not int64[batch, sequence].");
        }

        if (!outputs.TryGetValue("last_hidden_state", out var hidden)) throw Error("the output 'last_hidden_state' is missing.");
        int hiddenSize = FixedLast(hidden, 3) ?? throw Error($"the output 'last_hidden_state' is {Describe(hidden)}, not float[batch, sequence, hidden] with a fixed hidden size.");
        bool pooler = false;
        if (outputs.TryGetValue("pooler_output", out var pooled))
        {
            if (FixedLast(pooled, 2) != hiddenSize) throw Error($"the output 'pooler_output' is {Describe(pooled)}, not float[batch, {hiddenSize}].");
            pooler = true;
        }
        var task = OnnxModelTask.Encoder;
        int? logitsSize = null;
        if (outputs.TryGetValue("logits", out var logits))
        {
            int rank = logits.Dimensions.Length;
            logitsSize = (rank is 2 or 3 ? FixedLast(logits, rank) : null)
                ?? throw Error($"the output 'logits' is {Describe(logits)}, not float[batch, labels] or float[batch, sequence, vocab].");
            task = rank == 2 ? OnnxModelTask.Classifier : OnnxModelTask.FillMask;
        }
        return new GraphSignature(inputs.ContainsKey("token_type_ids"), hiddenSize, pooler, task, logitsSize);
    }

    /// <summary>Checks that what the metadata says the graph is matches its outputs.</summary>
    public void CheckAgainst(OnnxModelTask declared, string path)
    {
        if (declared == Task) return;
        throw new InvalidDataException(
            $"{path}: the metadata says task '{MetadataKeys.Name(declared)}' but the outputs are those of '{MetadataKeys.Name(Task)}' " +
            (LogitsSize is null ? "(no logits)." : $"(logits of size {LogitsSize})."));
    }

    // The last dimension when the value is a float tensor of the given rank whose last dimension is fixed, else null.
    private static int? FixedLast(NodeMetadata meta, int rank) =>
        meta.IsTensor && meta.ElementDataType == TensorElementType.Float && meta.Dimensions.Length == rank && meta.Dimensions[^1] > 0
            ? meta.Dimensions[^1]
            : null;

    private static string Describe(IReadOnlyDictionary<string, NodeMetadata> values) =>
        values.Count == 0 ? "(none)" : string.Join(", ", values.Select(v => $"{v.Key} {Describe(v.Value)}"));

    internal static string Describe(NodeMetadata meta)
    {
        if (!meta.IsTensor) return meta.OnnxValueType.ToString();
        var dims = meta.Dimensions.Select((d, i) => d > 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : string.IsNullOrEmpty(meta.SymbolicDimensions[i]) ? "?" : meta.SymbolicDimensions[i]);
        return $"{meta.ElementDataType.ToString().ToLowerInvariant()}[{string.Join(", ", dims)}]";
    }
}
