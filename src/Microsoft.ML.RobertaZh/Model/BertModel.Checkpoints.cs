using Microsoft.ML.RobertaZh.Checkpoints;

namespace Microsoft.ML.RobertaZh.Model;

public sealed partial class BertModel
{
    private const string DecoderWeight = "cls.predictions.decoder.weight";
    private const string DecoderBias = "cls.predictions.decoder.bias";
    private const string PredictionBias = "cls.predictions.bias";

    /// <summary>
    /// Loads a Hugging Face-style model directory: <c>config.json</c> and <c>model.safetensors</c> or
    /// <c>pytorch_model.bin</c> (Hugging Face, UER-py or old TF-converted names). With <paramref name="heads"/> null the
    /// heads are those the checkpoint has weights for (and a classification head when the config lists labels).
    /// Parameters the checkpoint lacks are freshly initialized from <paramref name="seed"/>; see <paramref name="report"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The directory has no config.json or no weights file.</exception>
    /// <exception cref="InvalidDataException">A tensor's shape does not fit the config; the message names the tensor and the file.</exception>
    public static BertModel Load(string directory, out CheckpointLoadReport report, BertHeads? heads = null, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"Model directory not found: {directory}");
        string configPath = Path.Combine(directory, "config.json");
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{directory} has no config.json.", configPath);
        var config = BertConfig.Load(configPath);
        var weights = CheckpointReader.ReadDirectory(directory);
        return FromStateDict(config, weights, out report, heads, seed);
    }

    /// <summary>Loads a model directory (see <see cref="Load(string, out CheckpointLoadReport, BertHeads?, int)"/>), discarding the report.</summary>
    public static BertModel Load(string directory, BertHeads? heads = null, int seed = 0) => Load(directory, out _, heads, seed);

    /// <summary>Builds a model of <paramref name="config"/> from checkpoint tensors under any supported naming.</summary>
    public static BertModel FromStateDict(BertConfig config, StateDict weights, out CheckpointLoadReport report, BertHeads? heads = null, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(weights);
        var normalized = ParameterNameMap.Normalize(weights);
        var tensors = normalized.Tensors;
        heads ??= new BertHeads(
            Pooler: tensors.ContainsKey("bert.pooler.dense.weight") || tensors.ContainsKey("classifier.weight") || config.NumLabels > 0,
            MaskedLm: tensors.ContainsKey("cls.predictions.transform.dense.weight"),
            NumLabels: tensors.TryGetValue("classifier.weight", out var cw) ? cw.Shape[0] : config.NumLabels);

        var model = Create(config, heads, seed);
        var missing = new List<string>();
        var ignored = new List<string>(normalized.Ignored);
        var unexpected = new List<string>(normalized.Unrecognized);
        foreach (var slice in model.Layout.Slices)
        {
            var tensor = tensors.GetValueOrDefault(slice.Name);
            // HF checkpoints may keep the MLM bias only as the decoder's bias.
            if (tensor is null && slice.Name == PredictionBias) tensor = tensors.GetValueOrDefault(DecoderBias);
            if (tensor is null) { missing.Add(slice.Name); continue; }
            if (!tensor.Shape.SequenceEqual(slice.Shape))
                throw new InvalidDataException(
                    $"{weights.SourcePath}: tensor '{slice.Name}' has shape [{string.Join(", ", tensor.Shape)}]; the config needs [{string.Join(", ", slice.Shape)}].");
            tensor.Data.AsSpan().CopyTo(slice.Of(model.Parameters));
        }
        foreach (string name in tensors.Keys)
        {
            if (model.Layout.Find(name) is not null) continue;
            if (name is DecoderWeight or DecoderBias) { ignored.Add(name); continue; } // tied to word embeddings / cls.predictions.bias
            unexpected.Add(name);
        }
        report = new CheckpointLoadReport { SourcePath = weights.SourcePath, Missing = missing, Unexpected = unexpected, Ignored = ignored };
        return model;
    }

    /// <summary>
    /// Saves the model as a Hugging Face-compatible directory: <c>config.json</c>, <c>model.safetensors</c> (the tied
    /// decoder is not duplicated, as Hugging Face saves it) and, when <paramref name="vocabularyPath"/> is given, a copy of
    /// it as <c>vocab.txt</c>. Every file is written atomically.
    /// </summary>
    public void Save(string directory, string? vocabularyPath = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        var config = Config.Clone();
        config.Architectures = [Heads.NumLabels > 0 ? "BertForSequenceClassification" : Heads.MaskedLm ? "BertForMaskedLM" : "BertModel"];
        if (Heads.NumLabels > 0 && config.NumLabels != Heads.NumLabels)
            config = config.WithLabels([.. Enumerable.Range(0, Heads.NumLabels).Select(i => $"LABEL_{i}")]);
        var tensors = Layout.Slices.Select(s => new KeyValuePair<string, (int[] Shape, ReadOnlyMemory<float> Data)>(
            s.Name, (s.Shape.ToArray(), new ReadOnlyMemory<float>(Parameters, s.Offset, s.Length))));
        SafeTensorsWriter.Write(Path.Combine(directory, "model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        config.Save(Path.Combine(directory, "config.json"));
        if (vocabularyPath is not null)
        {
            string target = Path.Combine(directory, "vocab.txt");
            if (!string.Equals(Path.GetFullPath(vocabularyPath), Path.GetFullPath(target), StringComparison.Ordinal))
            {
                var bytes = File.ReadAllBytes(vocabularyPath);
                Tensors.AtomicFile.Write(target, s => s.Write(bytes));
            }
        }
    }
}
