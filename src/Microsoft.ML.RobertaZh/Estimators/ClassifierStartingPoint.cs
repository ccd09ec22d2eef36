using Microsoft.ML.RobertaZh.Checkpoints;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Where fine-tuning starts: a model directory (Hugging Face, UER-py or ours, with vocab.txt) or a fitted masked language
/// model. The weights are read once; <see cref="CreateModel"/> builds a fresh classification model from them as many times
/// as needed (one per sweep trial). A classification head in the checkpoint with the right number of labels is kept as
/// is (so a run can be compared step for step with another framework's from the same checkpoint); otherwise the pooler
/// and head missing from the checkpoint are initialized from the seed.
/// </summary>
internal sealed class ClassifierStartingPoint
{
    private readonly BertConfig _config;
    private readonly StateDict? _weights;
    private readonly BertModel? _pretrained;

    private ClassifierStartingPoint(BertTokenizer tokenizer, BertConfig config, StateDict? weights, BertModel? pretrained, string? vocabularyPath)
    {
        Tokenizer = tokenizer;
        _config = config;
        _weights = weights;
        _pretrained = pretrained;
        VocabularyPath = vocabularyPath;
    }

    /// <summary>The tokenizer of the starting model.</summary>
    public BertTokenizer Tokenizer { get; }

    /// <summary>The vocabulary file, when the start is a directory (copied into checkpoints).</summary>
    public string? VocabularyPath { get; }

    /// <summary>Maximum sequence length the model accepts.</summary>
    public int MaxPositions => _config.MaxPositionEmbeddings;

    /// <summary>What loading the checkpoint matched, after <see cref="CreateModel"/> from a directory.</summary>
    public CheckpointLoadReport? LoadReport { get; private set; }

    public static ClassifierStartingPoint From(RobertaClassifierOptions o)
    {
        if (o.PretrainedModel is { } pm)
            return new ClassifierStartingPoint(pm.Tokenizer, pm.Model.Config, null, pm.Model, null);
        string dir = o.ModelPath ?? throw new ArgumentException("Set ModelPath or PretrainedModel.");
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"Model directory not found: {dir}");
        string vocab = Path.Combine(dir, "vocab.txt");
        if (!File.Exists(vocab)) throw new FileNotFoundException($"{dir} has no vocab.txt.", vocab);
        string configPath = Path.Combine(dir, "config.json");
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{dir} has no config.json.", configPath);
        var tokenizer = BertTokenizer.Load(vocab);
        return new ClassifierStartingPoint(tokenizer, BertConfig.Load(configPath), CheckpointReader.ReadDirectory(dir), null, vocab);
    }

    /// <summary>A classification model over <paramref name="numLabels"/> classes, its new parts initialized from <paramref name="seed"/>.</summary>
    public BertModel CreateModel(int numLabels, int seed)
    {
        var heads = BertHeads.Classification(numLabels);
        if (_pretrained is not null)
        {
            var config = _pretrained.Config.Clone();
            config.Id2Label = null;
            config.Label2Id = null;
            var model = BertModel.Create(config, heads, seed);
            // Copy every tensor both layouts have, by name (encoder, embeddings, and the pooler when pretrained with one).
            foreach (var slice in model.Layout.Slices)
                if (_pretrained.Layout.Find(slice.Name) is { } source && source.Shape.SequenceEqual(slice.Shape))
                    source.Of(_pretrained.Parameters).CopyTo(slice.Of(model.Parameters));
            return model;
        }

        var normalized = ParameterNameMap.Normalize(_weights!);
        bool headFits = !normalized.Tensors.TryGetValue("classifier.weight", out var head) || head.Shape[0] == numLabels;
        var kept = headFits ? _weights! : new StateDict(_weights!.SourcePath,
            normalized.Tensors.Values.Where(t => !t.Name.StartsWith("classifier.", StringComparison.Ordinal)));
        var result = BertModel.FromStateDict(_config.Clone(), kept, out var report, heads, seed);
        LoadReport = report;
        return result;
    }
}
