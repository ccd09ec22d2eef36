namespace Microsoft.ML.RobertaZh.Model;

/// <summary>Offsets of one transformer layer's parameters in the flat buffer.</summary>
internal readonly record struct LayerParameterOffsets(
    int QkvWeight, int QkvBias,
    int AttentionOutputWeight, int AttentionOutputBias,
    int AttentionLayerNormWeight, int AttentionLayerNormBias,
    int IntermediateWeight, int IntermediateBias,
    int OutputWeight, int OutputBias,
    int OutputLayerNormWeight, int OutputLayerNormBias);

/// <summary>
/// Where every parameter lives in the model's single flat buffer, computed from the config and the heads.
/// Gradients and AdamW moments use the same layout, so the optimizer and clipping are flat loops.
/// </summary>
/// <remarks>
/// The query, key and value projections of a layer are stored back to back ((3·hidden, hidden) weight,
/// (3·hidden) bias) so one matrix product computes all three; their Hugging Face names are views into it.
/// </remarks>
public sealed class BertParameterLayout
{
    private readonly List<ParameterSlice> _slices = [];
    private readonly Dictionary<string, ParameterSlice> _byName = new(StringComparer.Ordinal);
    private int _next;

    /// <summary>The architecture.</summary>
    public BertConfig Config { get; }

    /// <summary>The heads included.</summary>
    public BertHeads Heads { get; }

    /// <summary>Total number of parameters (the length of every flat buffer).</summary>
    public int Count => _next;

    /// <summary>Every named tensor, in buffer order.</summary>
    public IReadOnlyList<ParameterSlice> Slices => _slices;

    internal int WordEmbeddings { get; }
    internal int PositionEmbeddings { get; }
    internal int TokenTypeEmbeddings { get; }
    internal int EmbeddingLayerNormWeight { get; }
    internal int EmbeddingLayerNormBias { get; }
    internal LayerParameterOffsets[] Layers { get; }
    internal int PoolerWeight { get; } = -1;
    internal int PoolerBias { get; } = -1;
    internal int MlmTransformWeight { get; } = -1;
    internal int MlmTransformBias { get; } = -1;
    internal int MlmLayerNormWeight { get; } = -1;
    internal int MlmLayerNormBias { get; } = -1;
    internal int MlmDecoderBias { get; } = -1;
    internal int ClassifierWeight { get; } = -1;
    internal int ClassifierBias { get; } = -1;

    /// <summary>Lays out the parameters of <paramref name="config"/> with <paramref name="heads"/>.</summary>
    public BertParameterLayout(BertConfig config, BertHeads heads)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(heads);
        config.Validate();
        if (heads.NumLabels < 0) throw new ArgumentException("NumLabels must be >= 0.", nameof(heads));
        if (heads.NumLabels > 0 && !heads.Pooler) throw new ArgumentException("A classification head needs the pooler.", nameof(heads));
        Config = config;
        Heads = heads;
        int h = config.HiddenSize, ff = config.IntermediateSize, v = config.VocabSize;

        WordEmbeddings = Add("bert.embeddings.word_embeddings.weight", true, v, h);
        PositionEmbeddings = Add("bert.embeddings.position_embeddings.weight", true, config.MaxPositionEmbeddings, h);
        TokenTypeEmbeddings = Add("bert.embeddings.token_type_embeddings.weight", true, config.TypeVocabSize, h);
        EmbeddingLayerNormWeight = Add("bert.embeddings.LayerNorm.weight", false, h);
        EmbeddingLayerNormBias = Add("bert.embeddings.LayerNorm.bias", false, h);

        Layers = new LayerParameterOffsets[config.NumHiddenLayers];
        for (int i = 0; i < Layers.Length; i++)
        {
            string p = $"bert.encoder.layer.{i}.";
            // Query, key, value weights as three consecutive (h, h) blocks = one (3h, h) matrix; same for the biases.
            int qkvWeight = Add(p + "attention.self.query.weight", true, h, h);
            Add(p + "attention.self.key.weight", true, h, h);
            Add(p + "attention.self.value.weight", true, h, h);
            int qkvBias = Add(p + "attention.self.query.bias", false, h);
            Add(p + "attention.self.key.bias", false, h);
            Add(p + "attention.self.value.bias", false, h);
            Layers[i] = new LayerParameterOffsets(
                qkvWeight, qkvBias,
                Add(p + "attention.output.dense.weight", true, h, h),
                Add(p + "attention.output.dense.bias", false, h),
                Add(p + "attention.output.LayerNorm.weight", false, h),
                Add(p + "attention.output.LayerNorm.bias", false, h),
                Add(p + "intermediate.dense.weight", true, ff, h),
                Add(p + "intermediate.dense.bias", false, ff),
                Add(p + "output.dense.weight", true, h, ff),
                Add(p + "output.dense.bias", false, h),
                Add(p + "output.LayerNorm.weight", false, h),
                Add(p + "output.LayerNorm.bias", false, h));
        }

        if (heads.Pooler)
        {
            PoolerWeight = Add("bert.pooler.dense.weight", true, h, h);
            PoolerBias = Add("bert.pooler.dense.bias", false, h);
        }
        if (heads.MaskedLm)
        {
            MlmTransformWeight = Add("cls.predictions.transform.dense.weight", true, h, h);
            MlmTransformBias = Add("cls.predictions.transform.dense.bias", false, h);
            MlmLayerNormWeight = Add("cls.predictions.transform.LayerNorm.weight", false, h);
            MlmLayerNormBias = Add("cls.predictions.transform.LayerNorm.bias", false, h);
            // The decoder weight is the word-embedding table (tied); only its bias is a parameter of its own.
            MlmDecoderBias = Add("cls.predictions.bias", false, v);
        }
        if (heads.NumLabels > 0)
        {
            ClassifierWeight = Add("classifier.weight", true, heads.NumLabels, h);
            ClassifierBias = Add("classifier.bias", false, heads.NumLabels);
        }
    }

    /// <summary>The tensor called <paramref name="name"/>, or null.</summary>
    public ParameterSlice? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The tensor called <paramref name="name"/>; throws <see cref="KeyNotFoundException"/> naming it otherwise.</summary>
    public ParameterSlice this[string name] =>
        _byName.TryGetValue(name, out var s) ? s : throw new KeyNotFoundException($"The model has no parameter '{name}'.");

    private int Add(string name, bool decay, params int[] shape)
    {
        long length = 1;
        foreach (int d in shape) length *= d;
        if (_next + length > Array.MaxLength)
            throw new InvalidOperationException($"The model has more than {Array.MaxLength} parameters; this engine keeps them in one array.");
        var slice = new ParameterSlice(name, shape, _next, (int)length, decay);
        _slices.Add(slice);
        _byName.Add(name, slice);
        _next += (int)length;
        return slice.Offset;
    }
}
