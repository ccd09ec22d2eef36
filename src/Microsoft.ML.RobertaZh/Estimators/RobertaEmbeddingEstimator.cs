using Microsoft.ML.RobertaZh.Hosting;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Loads a model directory as a <see cref="RobertaEncoderTransformer"/> that appends a sentence embedding: what
/// <c>mlContext.Transforms.Text.RobertaEmbedding(...)</c> returns. Nothing is trained; <see cref="Fit"/> loads the
/// weights once (later fits reuse them) and gives each transformer its own engine (<see cref="RobertaEmbeddingOptions.Engine"/>,
/// <see cref="RobertaEmbeddingOptions.Device"/> or the MLContext's GPU settings), so a missing engine or device fails at
/// <see cref="Fit"/>.
/// </summary>
public sealed class RobertaEmbeddingEstimator : IEstimator<RobertaEncoderTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly RobertaEmbeddingOptions _options;
    private (BertModel Model, BertTokenizer Tokenizer, EncoderSettings Settings)? _loaded;

    /// <summary>An estimator embedding <paramref name="inputColumnName"/> into <paramref name="outputColumnName"/> with the model in <paramref name="modelPath"/>.</summary>
    public RobertaEmbeddingEstimator(IHostEnvironment env, string outputColumnName, string inputColumnName, string modelPath,
        EmbeddingPooling pooling = EmbeddingPooling.Cls, int maxSequenceLength = 128, int batchSize = 32)
        : this(env, new RobertaEmbeddingOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, ModelPath = modelPath, Pooling = pooling,
            MaxSequenceLength = maxSequenceLength, BatchSize = batchSize,
        })
    {
    }

    /// <summary>An estimator with <paramref name="options"/> on <paramref name="env"/> (an <see cref="MLContext"/>).</summary>
    /// <exception cref="DirectoryNotFoundException">The model directory does not exist.</exception>
    public RobertaEmbeddingEstimator(IHostEnvironment env, RobertaEmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!Directory.Exists(options.ModelPath)) throw new DirectoryNotFoundException($"Model directory not found: {options.ModelPath}");
        _env = env;
        _options = options;
    }

    /// <summary>The input shape plus the embedding column.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        string input = _options.InputColumnName, output = _options.OutputColumnName;
        if (inputSchema.Find(input) is not { } text || text.Kind != SchemaShape.Column.VectorKind.Scalar || text.ItemType is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"RobertaEmbedding needs a text column '{input}'. Available columns: {string.Join(", ", inputSchema.Select(c => c.Name))}.");
        var columns = inputSchema.Where(c => c.Name != output).ToList();
        columns.Add(Interop.TryColumn(output, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false)
            ?? Interop.FallbackColumn(inputSchema, input, output, NumberDataViewType.Single, vector: true));
        return new SchemaShape(columns);
    }

    /// <summary>The encoder transformer (the input is only checked for the text column); dispose it to free its engine.</summary>
    /// <exception cref="Engines.EngineUnavailableException">The engine's assembly or native runtime, or the device, is not available here.</exception>
    public RobertaEncoderTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        var engine = EngineSelection.Resolve(_env, o.Engine, o.Device, o.FallbackToCpu, o.InferencePrecision, o.PackPaddedSequences);
        var (model, tokenizer, settings) = _loaded ??= RobertaEncoderTransformer.LoadParts(o.ModelPath!);
        var transformer = new RobertaEncoderTransformer(model, tokenizer, settings with
        {
            InputColumnName = o.InputColumnName, OutputColumnName = o.OutputColumnName, Pooling = o.Pooling, MaxSequenceLength = o.MaxSequenceLength, BatchSize = o.BatchSize,
        }, engine);
        try
        {
            transformer.GetOutputSchema(input.Schema);
        }
        catch
        {
            transformer.Dispose();
            throw;
        }

        return transformer;
    }
}
