using System.Text.Json;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Estimators;

public sealed partial class RobertaClassifierTransformer
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// Saves a Hugging Face-compatible directory: <c>config.json</c> (BertForSequenceClassification, with id2label and
    /// label2id, plus this library's column names and input settings under <c>roberta_zh_classifier</c>),
    /// <c>model.safetensors</c>, <c>vocab.txt</c> and <c>tokenizer_config.json</c>. <see cref="Load"/> reads it back.
    /// </summary>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_gate)
        {
            _settings.WriteTo(Model.Config, _labels);
            Model.Save(directory);
        }
        Tokenizer.Vocabulary.Save(Path.Combine(directory, "vocab.txt"));
        var o = Tokenizer.Options;
        var tokenizerConfig = new Dictionary<string, object?>
        {
            ["tokenizer_class"] = "BertTokenizer", ["do_lower_case"] = o.LowerCase, ["strip_accents"] = o.StripAccents,
            ["tokenize_chinese_chars"] = o.TokenizeChineseChars, ["clean_text"] = o.CleanText,
            ["unk_token"] = o.UnknownToken, ["cls_token"] = o.ClassifierToken, ["sep_token"] = o.SeparatorToken,
            ["pad_token"] = o.PaddingToken, ["mask_token"] = o.MaskToken, ["model_max_length"] = _settings.MaxSequenceLength,
        };
        if (o.NeverSplit.Count > 0) tokenizerConfig["never_split"] = o.NeverSplit;
        Tensors.AtomicFile.WriteAllText(Path.Combine(directory, "tokenizer_config.json"),
            JsonSerializer.Serialize(tokenizerConfig, Indented) + "\n");
    }

    /// <summary>
    /// Loads a classifier directory written by <see cref="Save"/>, or any Hugging Face BertForSequenceClassification
    /// directory with id2label and vocab.txt (a multiclass model whose classes are its id2label names, with the default
    /// column names). <paramref name="env"/> (an <see cref="MLContext"/>) receives its log messages and, unless
    /// <paramref name="inference"/> sets a device, gives the device (<c>GpuDeviceId</c>, <c>FallbackToCpu</c>).
    /// <paramref name="inference"/> picks the engine and device (default: managed, CPU) and may override the saved
    /// precision and packing.
    /// </summary>
    /// <exception cref="FileNotFoundException">config.json, the weights or vocab.txt are missing.</exception>
    /// <exception cref="InvalidDataException">The directory holds no classification model.</exception>
    /// <exception cref="Engines.EngineUnavailableException">The engine's assembly or native runtime, or the device, is not available here (the message names the package).</exception>
    /// <exception cref="NotSupportedException">Int8 inference was asked of an engine other than the managed one.</exception>
    public static RobertaClassifierTransformer Load(IHostEnvironment env, string directory, RobertaInferenceOptions? inference = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string configPath = Path.Combine(directory, "config.json"), vocab = Path.Combine(directory, "vocab.txt");
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"Model directory not found: {directory}");
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{directory} has no config.json.", configPath);
        if (!File.Exists(vocab)) throw new FileNotFoundException($"{directory} has no vocab.txt.", vocab);
        var (settings, labels) = ClassifierSettings.ReadFrom(BertConfig.Load(configPath), configPath);
        var model = BertModel.Load(directory, out var report, BertHeads.Classification(labels.Count));
        if (report.Missing.Any(n => n.StartsWith("classifier.", StringComparison.Ordinal)))
            throw new InvalidDataException($"{report.SourcePath} has no classification head (classifier.weight/bias); it is not a fine-tuned classifier.");
        // A plain Hugging Face directory has no input settings: never feed more tokens than the model has positions.
        if (settings.MaxSequenceLength > model.Config.MaxPositionEmbeddings) settings = settings with { MaxSequenceLength = model.Config.MaxPositionEmbeddings };
        var engine = EngineSelection.ForLoad(env, inference, settings.InferencePrecision, settings.PackPaddedSequences);
        return new RobertaClassifierTransformer(env, model, BertTokenizer.Load(vocab), labels, settings, [], engine);
    }
}
