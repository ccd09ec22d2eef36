using System.Globalization;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Export;

/// <summary>
/// Writes a model as an ONNX graph that ONNX Runtime (or any ONNX runtime) runs: int64 inputs <c>input_ids</c>,
/// <c>attention_mask</c>, <c>token_type_ids</c> of shape (batch_size, sequence_length), both axes dynamic; float outputs
/// named as Hugging Face's exports name them — <c>last_hidden_state</c> (batch, seq, hidden), <c>pooler_output</c>
/// (batch, hidden) when the model has a pooler, <c>logits</c> (batch, labels) for a classifier or (batch, seq, vocab) for
/// fill-mask. The class names, tokenizer settings, config and maximum length go into the model's <c>metadata_props</c>
/// (see <see cref="OnnxModelInfo"/>); <c>vocab.txt</c> and <c>tokenizer_config.json</c> are written beside the file.
/// </summary>
public static class OnnxExporter
{
    /// <summary>
    /// Exports a model directory (<c>config.json</c>, <c>model.safetensors</c> or <c>pytorch_model.bin</c>, and
    /// <c>vocab.txt</c> with an optional <c>tokenizer_config.json</c>).
    /// </summary>
    /// <exception cref="FileNotFoundException">The directory has no config.json or no weights.</exception>
    /// <exception cref="InvalidDataException">The model cannot be exported (unsupported architecture, weights the task needs are missing); the message names the file.</exception>
    public static OnnxExportResult Export(string modelDirectory, string outputPath, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelDirectory);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        options ??= new OnnxExportOptions();
        if (!Directory.Exists(modelDirectory)) throw new DirectoryNotFoundException($"Model directory not found: {modelDirectory}");
        string configPath = Path.Combine(modelDirectory, "config.json");
        if (!File.Exists(configPath)) throw new FileNotFoundException($"Cannot export {modelDirectory}: it has no config.json.", configPath);
        CheckArchitecture(ReadConfig(configPath), configPath);

        var model = BertModel.Load(modelDirectory, out var report);
        var missing = report.Missing;
        var encoderMissing = missing.Where(n => n.StartsWith("bert.embeddings.", StringComparison.Ordinal) || n.StartsWith("bert.encoder.", StringComparison.Ordinal)).ToList();
        if (encoderMissing.Count > 0)
            throw new InvalidDataException($"Cannot export {report.SourcePath}: it lacks {encoderMissing.Count} encoder tensor(s) ({Sample(encoderMissing)}), so the graph would hold random weights.");
        var task = options.Task ?? (model.Heads.NumLabels > 0 && !missing.Any(IsClassifier) ? OnnxModelTask.Classifier : OnnxModelTask.Encoder);
        bool poolerMissing = missing.Any(n => n.StartsWith("bert.pooler.", StringComparison.Ordinal));
        if (task == OnnxModelTask.Classifier && (model.Heads.NumLabels == 0 || missing.Any(IsClassifier) || poolerMissing))
            throw new InvalidDataException($"Cannot export {report.SourcePath} as a classifier: it has no trained classification head (classifier.* and bert.pooler.* weights).");
        if (task == OnnxModelTask.FillMask && (!model.Heads.MaskedLm || missing.Any(n => n.StartsWith("cls.predictions.", StringComparison.Ordinal))))
            throw new InvalidDataException($"Cannot export {report.SourcePath} for fill-mask: it has no masked-LM head (cls.predictions.* weights).");

        var warnings = new List<string>();
        if (task == OnnxModelTask.Encoder && model.Heads.Pooler && poolerMissing)
            warnings.Add($"{report.SourcePath} has no pooler weights (bert.pooler.*): the graph has no pooler_output.");
        // The vocabulary and settings are recorded as they are; a tokenizer is not built (a vocabulary without the
        // special tokens is still worth carrying along).
        Vocabulary? vocabulary = null;
        BertTokenizerOptions? tokenizerOptions = null;
        string vocab = Path.Combine(modelDirectory, "vocab.txt"), tokenizerConfig = Path.Combine(modelDirectory, "tokenizer_config.json");
        if (File.Exists(vocab))
        {
            vocabulary = Vocabulary.Load(vocab);
            tokenizerOptions = File.Exists(tokenizerConfig) ? BertTokenizerOptions.FromConfigFile(tokenizerConfig) : new BertTokenizerOptions();
            var absent = tokenizerOptions.SpecialTokens.Where(t => vocabulary.GetId(t) is null).ToList();
            if (absent.Count > 0) warnings.Add($"{vocab} lacks the special token(s) {string.Join(", ", absent)}: a BERT tokenizer cannot be built from it.");
        }
        else
        {
            warnings.Add($"{modelDirectory} has no vocab.txt: none is written beside the ONNX file and the metadata has no tokenizer settings.");
        }
        return Write(model, outputPath, options, vocabulary, tokenizerOptions, task, pooler: model.Heads.Pooler && !poolerMissing, warnings, modelDirectory,
            task == OnnxModelTask.Classifier ? SavedClassifier(model.Config) : null);
    }

    // A directory written by RobertaClassifierTransformer.Save records its task and truncation length under
    // roberta_zh_classifier: export it as transformer.ExportOnnx would (classification metadata, model_max_length).
    private static ExportExtras? SavedClassifier(BertConfig config)
    {
        if (config.ExtensionData?.TryGetValue("roberta_zh_classifier", out var settings) != true || settings.ValueKind != JsonValueKind.Object) return null;
        var metadata = new Dictionary<string, string>();
        if (settings.TryGetProperty("task", out var task) && task.GetString() is "binary" or "multiclass")
            metadata[MetadataKeys.Classification] = task.GetString()!;
        int? truncation = settings.TryGetProperty("max_sequence_length", out var max) && max.TryGetInt32(out int m) && m > 0
            ? Math.Min(m, config.MaxPositionEmbeddings)
            : null;
        return new ExportExtras(TokenizerMaxLength: truncation, Metadata: metadata);
    }

    /// <summary>
    /// Exports a loaded model. <paramref name="tokenizer"/> (optional) supplies the vocabulary written beside the file
    /// and the tokenizer settings recorded in the metadata.
    /// </summary>
    /// <exception cref="InvalidDataException">The model cannot be exported as asked (no such head, unsupported architecture).</exception>
    public static OnnxExportResult Export(BertModel model, string outputPath, OnnxExportOptions? options = null, BertTokenizer? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        options ??= new OnnxExportOptions();
        CheckArchitecture(model.Config, "the model's config");
        var task = options.Task ?? (model.Heads.NumLabels > 0 ? OnnxModelTask.Classifier : OnnxModelTask.Encoder);
        if (task == OnnxModelTask.Classifier && model.Heads.NumLabels == 0)
            throw new InvalidDataException("Cannot export the model as a classifier: it has no classification head.");
        if (task == OnnxModelTask.FillMask && !model.Heads.MaskedLm)
            throw new InvalidDataException("Cannot export the model for fill-mask: it has no masked-LM head.");
        return Write(model, outputPath, options, tokenizer?.Vocabulary, tokenizer?.Options, task, model.Heads.Pooler, [], sourceDirectory: null);
    }

    /// <summary>
    /// Exports a loaded model with what a transformer knows besides its weights (<paramref name="extras"/>: class names,
    /// the config with its settings, the truncation length, further metadata).
    /// </summary>
    internal static OnnxExportResult Export(BertModel model, string outputPath, OnnxExportOptions options, BertTokenizer tokenizer, ExportExtras extras)
    {
        CheckArchitecture(model.Config, "the model's config");
        var task = options.Task ?? OnnxModelTask.Encoder;
        if (task == OnnxModelTask.Classifier && model.Heads.NumLabels == 0)
            throw new InvalidDataException("Cannot export the model as a classifier: it has no classification head.");
        if (task == OnnxModelTask.FillMask && !model.Heads.MaskedLm)
            throw new InvalidDataException("Cannot export the model for fill-mask: it has no masked-LM head (cls.predictions.*); export it as an encoder.");
        return Write(model, outputPath, options, tokenizer.Vocabulary, tokenizer.Options, task, model.Heads.Pooler, [], sourceDirectory: null, extras);
    }

    private static OnnxExportResult Write(BertModel model, string outputPath, OnnxExportOptions options, Vocabulary? vocabulary, BertTokenizerOptions? tokenizerOptions,
        OnnxModelTask task, bool pooler, List<string> warnings, string? sourceDirectory, ExportExtras? extras = null)
    {
        var c = model.Config;
        if (options.Opset is < OnnxExportOptions.MinimumOpset or > OnnxExportOptions.MaximumOpset)
            throw new ArgumentException($"Opset {options.Opset} is not supported; choose {OnnxExportOptions.MinimumOpset}..{OnnxExportOptions.MaximumOpset} (17 or later writes LayerNormalization as one operator).", nameof(options));
        int maxLength = options.MaxSequenceLength ?? c.MaxPositionEmbeddings;
        if (maxLength < 1 || maxLength > c.MaxPositionEmbeddings)
            throw new ArgumentException($"The maximum sequence length {maxLength} is outside 1..{c.MaxPositionEmbeddings} (the model's max_position_embeddings).", nameof(options));
        if (vocabulary is not null && vocabulary.Count != c.VocabSize)
            warnings.Add($"The vocabulary has {vocabulary.Count} tokens but the model's vocab_size is {c.VocabSize}.");

        var g = new GraphBuilder();
        var outputs = new BertGraph(g, model, options.Opset, maxLength, options.Fused).Build(task, pooler);
        var labels = task != OnnxModelTask.Classifier ? null
            : extras?.Labels is { } given ? (given.Count == model.Heads.NumLabels ? [.. given] : throw new ArgumentException($"{given.Count} class names for a head of {model.Heads.NumLabels} classes.", nameof(extras)))
            : Labels(c, model.Heads.NumLabels);
        if (tokenizerOptions is not null && extras?.TokenizerMaxLength is int truncation) tokenizerOptions = tokenizerOptions with { ModelMaxLength = truncation };
        string? tokenizerConfig = tokenizerOptions is null ? null : TokenizerConfigJson.Write(tokenizerOptions, maxLength);
        var config = extras?.Config ?? c;

        var metadata = new Dictionary<string, string>
        {
            [MetadataKeys.Task] = MetadataKeys.Name(task),
            [MetadataKeys.MaxSequenceLength] = maxLength.ToString(CultureInfo.InvariantCulture),
            [MetadataKeys.Opset] = options.Opset.ToString(CultureInfo.InvariantCulture),
            [MetadataKeys.Fused] = options.Fused ? "true" : "false",
            [MetadataKeys.Config] = (labels is null ? config : config.WithLabels(labels)).ToJson(),
        };
        foreach (var (key, value) in extras?.Metadata ?? new Dictionary<string, string>()) metadata[key] = value;
        if (labels is not null) metadata[MetadataKeys.Labels] = JsonSerializer.Serialize(labels);
        if (tokenizerConfig is not null) metadata[MetadataKeys.TokenizerConfig] = tokenizerConfig;

        string fullPath = Path.GetFullPath(outputPath);
        long weightBytes = OnnxModelWriter.WeightBytes(g);
        string? dataPath = OnnxModelWriter.Write(g, fullPath, options.Opset, metadata, options.ExternalData);

        string? vocabPath = null, tokenizerConfigPath = null;
        string directory = Path.GetDirectoryName(fullPath)!;
        // Beside the model directory's own files there is nothing to write (and its tokenizer_config.json may hold more keys).
        bool sameDirectory = sourceDirectory is not null && string.Equals(Path.GetFullPath(sourceDirectory).TrimEnd(Path.DirectorySeparatorChar), directory, StringComparison.Ordinal);
        if (vocabulary is not null && sameDirectory)
        {
            vocabPath = Path.Combine(directory, "vocab.txt");
            tokenizerConfigPath = File.Exists(Path.Combine(directory, "tokenizer_config.json")) ? Path.Combine(directory, "tokenizer_config.json") : null;
        }
        else if (vocabulary is not null)
        {
            vocabPath = Path.Combine(directory, "vocab.txt");
            vocabulary.Save(vocabPath);
            if (tokenizerConfig is not null)
            {
                tokenizerConfigPath = Path.Combine(directory, "tokenizer_config.json");
                WriteText(tokenizerConfigPath, tokenizerConfig + "\n");
            }
        }
        return new OnnxExportResult
        {
            ModelPath = fullPath, ExternalDataPath = dataPath, VocabularyPath = vocabPath, TokenizerConfigPath = tokenizerConfigPath,
            Task = task, Opset = options.Opset, Fused = options.Fused, MaxSequenceLength = maxLength, Outputs = outputs,
            WeightBytes = weightBytes, Warnings = warnings,
        };
    }

    // The managed engine runs absolute positions and exact-erf GELU only; refuse what it would silently compute differently.
    private static void CheckArchitecture(BertConfig config, string source)
    {
        if (!string.Equals(config.HiddenAct, "gelu", StringComparison.Ordinal))
            throw new InvalidDataException($"Cannot export {source}: hidden_act '{config.HiddenAct}' is not supported; only 'gelu' (exact erf) is.");
        if (config.ExtensionData?.TryGetValue("position_embedding_type", out var type) == true
            && !(type.ValueKind == JsonValueKind.String && type.GetString() == "absolute"))
            throw new InvalidDataException($"Cannot export {source}: position_embedding_type {type.GetRawText()} is not supported; only \"absolute\" is.");
    }

    // Reads config.json without validation, so that an unsupported activation gets the exporter's message rather than a load error.
    private static BertConfig ReadConfig(string path)
    {
        try { return JsonSerializer.Deserialize<BertConfig>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty."); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    private static string[] Labels(BertConfig c, int count)
    {
        var names = new string[count];
        for (int i = 0; i < count; i++)
            names[i] = c.Id2Label?.GetValueOrDefault(i.ToString(CultureInfo.InvariantCulture)) ?? $"LABEL_{i}";
        return names;
    }

    private static bool IsClassifier(string name) => name.StartsWith("classifier.", StringComparison.Ordinal);

    private static string Sample(List<string> names) =>
        string.Join(", ", names.Take(3)) + (names.Count > 3 ? $", … {names.Count - 3} more" : "");

    private static void WriteText(string path, string text)
    {
        string temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
