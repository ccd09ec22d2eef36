using Microsoft.ML.RobertaZh.Hosting;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Loads a model directory as a <see cref="RobertaEncoderTransformer"/> that appends a sentence embedding: what
/// <c>mlContext.Transforms.Text.RobertaEmbedding(...)</c> returns. Nothing is trained; <see cref="Fit"/> loads the
/// weights once (later fits reuse them).
/// </summary>
public sealed class RobertaEmbeddingEstimator : IEstimator<RobertaEncoderTransformer>
{
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;
    private readonly string _modelPath;
    private readonly EmbeddingPooling _pooling;
    private readonly int _maxSequenceLength;
    private readonly int _batchSize;
    private RobertaEncoderTransformer? _loaded;

    /// <summary>An estimator embedding <paramref name="inputColumnName"/> into <paramref name="outputColumnName"/> with the model in <paramref name="modelPath"/>.</summary>
    public RobertaEmbeddingEstimator(IHostEnvironment env, string outputColumnName, string inputColumnName, string modelPath,
        EmbeddingPooling pooling = EmbeddingPooling.Cls, int maxSequenceLength = 128, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSequenceLength, 4);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (!Directory.Exists(modelPath)) throw new DirectoryNotFoundException($"Model directory not found: {modelPath}");
        _outputColumnName = outputColumnName;
        _inputColumnName = inputColumnName;
        _modelPath = modelPath;
        _pooling = pooling;
        _maxSequenceLength = maxSequenceLength;
        _batchSize = batchSize;
    }

    /// <summary>The input shape plus the embedding column.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (inputSchema.Find(_inputColumnName) is not { } text || text.Kind != SchemaShape.Column.VectorKind.Scalar || text.ItemType is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"RobertaEmbedding needs a text column '{_inputColumnName}'. Available columns: {string.Join(", ", inputSchema.Select(c => c.Name))}.");
        var columns = inputSchema.Where(c => c.Name != _outputColumnName).ToList();
        columns.Add(Interop.TryColumn(_outputColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false)
            ?? Interop.FallbackColumn(inputSchema, _inputColumnName, _outputColumnName, NumberDataViewType.Single, vector: true));
        return new SchemaShape(columns);
    }

    /// <summary>The encoder transformer (the input is only checked for the text column).</summary>
    public RobertaEncoderTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var loaded = _loaded ??= RobertaEncoderTransformer.Load(_modelPath);
        var transformer = new RobertaEncoderTransformer(loaded.Model, loaded.Tokenizer, loaded.Settings with
        {
            InputColumnName = _inputColumnName, OutputColumnName = _outputColumnName, Pooling = _pooling, MaxSequenceLength = _maxSequenceLength, BatchSize = _batchSize,
        });
        transformer.GetOutputSchema(input.Schema);
        return transformer;
    }
}
