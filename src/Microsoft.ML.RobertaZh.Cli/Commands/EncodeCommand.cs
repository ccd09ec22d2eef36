using System.CommandLine;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tensors;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

// ML.NET has a namespace Microsoft.ML.Command, which an enclosing namespace would find first.
using Command = System.CommandLine.Command;

/// <summary>
/// <c>roberta-zh encode --model DIR [--top-k K] [--batch-size B] [--engine E] [--device D] [--int8] [--no-pack]</c>: JSON lines
/// of token ids on stdin, one JSON line of hidden states, pooler output and (when the checkpoint has those heads)
/// classification logits and masked-LM top-k on stdout, computed on the chosen engine.
/// </summary>
internal static class EncodeCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Model directory: config.json plus model.safetensors or pytorch_model.bin.", Required = true };
        var topK = new Option<int>("--top-k") { Description = "Masked-LM predictions per position (when the model has the head).", DefaultValueFactory = _ => 5 };
        var batchSize = new Option<int>("--batch-size") { Description = "Inputs per forward pass; results do not depend on it.", DefaultValueFactory = _ => 16 };
        var engine = new EngineCliOptions(training: false);
        var command = new Command("encode", "Run the encoder on JSON lines {\"input_ids\":[...], \"token_type_ids\":[...], \"attention_mask\":[...]} read from stdin.")
        {
            model, topK, batchSize,
        };
        engine.AddTo(command);
        command.SetAction(parse => CliRunner.Run(() =>
        {
            int k = parse.GetValue(topK), size = parse.GetValue(batchSize);
            if (k < 0) throw new CommandLineException("--top-k must be >= 0.");
            if (size <= 0) throw new CommandLineException("--batch-size must be positive.");
            var options = engine.EngineOptions(parse);
            var bert = CliRunner.LoadModel(parse.GetValue(model)!.FullName);
            Run(bert, Console.In, Console.OpenStandardOutput(), k, size, options);
        }));
        return command;
    }

    /// <summary>
    /// Encodes every line of <paramref name="input"/> on an engine made with <paramref name="engine"/> (default: managed,
    /// CPU, packed as the command's default), writing one JSON line per input to <paramref name="output"/>.
    /// </summary>
    public static void Run(BertModel model, TextReader input, Stream output, int topK, int batchSize, EngineOptions? engine = null)
    {
        using var encoder = BertEngines.CreateInference(model, engine ?? Engines.EngineOptions.Default with { PackPaddedSequences = true });
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = false });
        var pending = new List<EncodeRequest>(batchSize);
        int lineNumber = 0;
        string? line;
        while ((line = input.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            pending.Add(EncodeRequest.Parse(line, lineNumber, model.Config));
            if (pending.Count == batchSize) Flush(encoder, pending, writer, output, topK);
        }
        Flush(encoder, pending, writer, output, topK);
    }

    private static void Flush(IBertEngine engine, List<EncodeRequest> pending, Utf8JsonWriter writer, Stream output, int topK)
    {
        var config = engine.Layout.Config;
        var heads = engine.Layout.Heads;
        if (pending.Count == 0) return;
        var batch = BertBatch.Pad(
            pending.Select(r => (IReadOnlyList<int>)r.InputIds).ToList(),
            pending.Select(r => (IReadOnlyList<int>?)r.TokenTypeIds).ToList(),
            pending.Select(r => (IReadOnlyList<int>?)r.AttentionMask).ToList(),
            config.PadTokenId);
        int h = config.HiddenSize, t = batch.SeqLen, v = config.VocabSize;
        // Each input's attended positions; with the masked-LM head, their log-probabilities come from the same pass.
        var rows = pending.Select(r => Enumerable.Range(0, r.InputIds.Length).Where(i => r.AttentionMask is null || r.AttentionMask[i] != 0).ToArray()).ToArray();
        bool topKs = heads.MaskedLm && topK > 0;
        var result = engine.Forward(batch, topKs ? [.. rows.SelectMany((r, b) => r.Select(i => b * t + i))] : null);
        int logProbRow = 0;
        for (int b = 0; b < pending.Count; b++)
        {
            writer.Reset(output);
            writer.WriteStartObject();
            writer.WriteStartArray("last_hidden_state");
            foreach (int i in rows[b]) WriteVector(writer, result.LastHiddenState.AsSpan((b * t + i) * h, h));
            writer.WriteEndArray();
            if (result.PoolerOutput is { } pooled)
            {
                writer.WritePropertyName("pooler_output");
                WriteVector(writer, pooled.AsSpan(b * h, h));
            }
            if (result.Logits is { } logits)
            {
                writer.WritePropertyName("logits");
                WriteVector(writer, logits.AsSpan(b * heads.NumLabels, heads.NumLabels));
            }
            if (topKs)
            {
                WriteTopK(writer, result.MaskedLmLogProbabilities.AsSpan(logProbRow * v, rows[b].Length * v), v, topK);
                logProbRow += rows[b].Length;
            }
            writer.WriteEndObject();
            writer.Flush();
            output.WriteByte((byte)'\n');
        }
        output.Flush();
        pending.Clear();
    }

    private static void WriteTopK(Utf8JsonWriter writer, ReadOnlySpan<float> logProbs, int v, int topK)
    {
        int k = Math.Min(topK, v), rows = logProbs.Length / v;
        writer.WriteStartArray("mlm_top_k");
        var best = new int[k];
        for (int r = 0; r < rows; r++)
        {
            var row = logProbs.Slice(r * v, v);
            TopK.Select(row, best);
            writer.WriteStartArray();
            foreach (int id in best)
            {
                writer.WriteStartObject();
                writer.WriteNumber("token_id", id);
                writer.WriteNumber("score", row[id]);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
    }

    private static void WriteVector(Utf8JsonWriter writer, ReadOnlySpan<float> values)
    {
        writer.WriteStartArray();
        foreach (float x in values) writer.WriteNumberValue(x);
        writer.WriteEndArray();
    }
}
