using System.CommandLine;
using System.Globalization;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.OnnxRuntime.Export;
using Microsoft.ML.RobertaZh.OnnxRuntime.Inference;
using Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

using Command = System.CommandLine.Command;

/// <summary>
/// <c>roberta-zh export-onnx --model DIR --output FILE.onnx [--task encoder|classifier|fill-mask] [--opset 17]
/// [--max-sequence-length N] [--fused] [--external-data] [--no-verify]</c>: writes the model as an ONNX graph (vocab.txt
/// and tokenizer_config.json beside it), then runs it with ONNX Runtime against the managed engine on a test batch.
/// </summary>
internal static class ExportOnnxCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Model directory (config.json, model.safetensors or pytorch_model.bin, vocab.txt).", Required = true };
        var output = new Option<FileInfo>("--output") { Description = "The .onnx file to write; vocab.txt and tokenizer_config.json go beside it.", Required = true };
        var task = new Option<string?>("--task") { Description = "encoder, classifier or fill-mask (default: classifier when the model has a classification head, else encoder)." };
        var opset = new Option<int>("--opset") { Description = $"ONNX opset, {OnnxExportOptions.MinimumOpset}..{OnnxExportOptions.MaximumOpset}.", DefaultValueFactory = _ => 17 };
        var maxLength = new Option<int?>("--max-sequence-length") { Description = "Longest sequence the graph accepts (default: the model's max_position_embeddings)." };
        var fused = new Option<bool>("--fused") { Description = "Use ONNX Runtime's fused com.microsoft operators (Attention, SkipLayerNormalization, ...); runs only on ONNX Runtime." };
        var external = new Option<bool>("--external-data") { Description = "Write the weights to FILE.onnx.data beside the graph (automatic above 1.8 GB)." };
        var noVerify = new Option<bool>("--no-verify") { Description = "Skip running the exported graph against the managed engine." };
        var command = new Command("export-onnx", "Export a model as an ONNX graph for ONNX Runtime (Hugging Face input and output names).")
        {
            model, output, task, opset, maxLength, fused, external, noVerify,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var options = new OnnxExportOptions
            {
                Task = ParseTask(parse.GetValue(task)), Opset = parse.GetValue(opset), MaxSequenceLength = parse.GetValue(maxLength),
                Fused = parse.GetValue(fused), ExternalData = parse.GetValue(external) ? true : null,
            };
            Run(parse.GetValue(model)!.FullName, parse.GetValue(output)!.FullName, options, verify: !parse.GetValue(noVerify), Console.Error);
        }));
        return command;
    }

    /// <summary>Exports, prints what was written (and the verification) to <paramref name="log"/>; returns the result.</summary>
    public static OnnxExportResult Run(string modelDirectory, string outputPath, OnnxExportOptions options, bool verify, TextWriter log)
    {
        var result = OnnxExporter.Export(modelDirectory, outputPath, options);
        foreach (string warning in result.Warnings) log.WriteLine($"roberta-zh: warning: {warning}");
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {result.ModelPath}: {MetadataKeys.Name(result.Task)}, opset {result.Opset}{(result.Fused ? ", fused" : "")}, " +
            $"sequences up to {result.MaxSequenceLength}, {result.WeightBytes / 1048576.0:F1} MiB of weights{(result.ExternalDataPath is null ? "" : $" in {result.ExternalDataPath}")}; " +
            $"outputs {string.Join(", ", result.Outputs)}."));
        if (result.VocabularyPath is not null)
            log.WriteLine($"Tokenizer files: {result.VocabularyPath}{(result.TokenizerConfigPath is null ? "" : ", " + result.TokenizerConfigPath)}.");
        if (verify) log.WriteLine(Verify(modelDirectory, result));
        return result;
    }

    // Optimum-style check after export: the graph and the managed engine on the same two padded sequences.
    private static string Verify(string modelDirectory, OnnxExportResult result)
    {
        var managed = BertModel.Load(modelDirectory);
        int length = Math.Min(result.MaxSequenceLength, 16), vocab = managed.Config.VocabSize;
        var rng = new Random(1);
        int[] Sequence(int n) => [.. Enumerable.Range(0, n).Select(_ => rng.Next(Math.Min(100, vocab - 1), vocab))];
        var batch = BertBatch.Pad([Sequence(length), Sequence(Math.Max(1, length / 2))]);
        var expected = managed.Forward(batch, maskedLmLogProbabilities: true);
        using var session = OnnxBertSession.Load(result.ModelPath);
        var actual = session.Forward(batch, maskedLmLogProbabilities: true);
        var errors = new List<string> { Error("last_hidden_state", actual.LastHiddenState, expected.LastHiddenState) };
        if (actual.PoolerOutput is not null) errors.Add(Error("pooler_output", actual.PoolerOutput, expected.PoolerOutput));
        if (actual.Logits is not null) errors.Add(Error("logits", actual.Logits, expected.Logits));
        if (actual.MaskedLmLogProbabilities is not null) errors.Add(Error("log-probabilities", actual.MaskedLmLogProbabilities, expected.MaskedLmLogProbabilities));
        return $"Verified with ONNX Runtime against the managed engine on 2 sequences (lengths {length} and {Math.Max(1, length / 2)}), relative error: {string.Join(", ", errors)}.";
    }

    private static string Error(string name, float[] actual, float[]? expected)
    {
        if (expected is null || expected.Length != actual.Length)
            throw new InvalidDataException($"Verification failed: the managed engine has no matching {name}.");
        double diff = 0, norm = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double d = (double)actual[i] - expected[i];
            diff += d * d;
            norm += (double)expected[i] * expected[i];
        }
        double error = Math.Sqrt(diff / Math.Max(norm, double.Epsilon));
        // The same bound the engines are held to against PyTorch.
        if (!(error <= 1e-4)) throw new InvalidDataException($"Verification failed: {name} differs from the managed engine by {error:E2} (relative); the export is wrong.");
        return string.Create(CultureInfo.InvariantCulture, $"{name} {error:E1}");
    }

    private static OnnxModelTask? ParseTask(string? name) => name is null ? null
        : MetadataKeys.Parse(name.Trim().ToLowerInvariant()) ?? throw new CommandLineException($"Unknown --task '{name}': use encoder, classifier or fill-mask.");
}
