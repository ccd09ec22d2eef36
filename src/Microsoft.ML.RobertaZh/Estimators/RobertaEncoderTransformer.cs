using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Scoring;
using Microsoft.ML.RobertaZh.Tensors;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// A RoBERTa encoder with its tokenizer: what <see cref="RobertaPretrainEstimator"/> fits and
/// <c>mlContext.Transforms.Text.RobertaEmbedding</c> loads. As an ML.NET transformer it appends a sentence embedding
/// (Vector&lt;Single, hidden&gt;, the [CLS] state or the mean over real tokens) computed lazily in batches from a text
/// column, so any ML.NET trainer can follow it. It also fills masks (when it has a masked-LM head), embeds texts
/// directly, saves as a Hugging Face-compatible directory, and can be the starting point of a classifier
/// (<see cref="RobertaClassifierOptions.PretrainedModel"/>). It owns the inference engine its forward passes run on
/// (<see cref="Engine"/>, <see cref="Device"/>, <see cref="InferencePrecision"/>, <see cref="PackPaddedSequences"/>), which
/// <see cref="Dispose"/> frees.
/// </summary>
public sealed class RobertaEncoderTransformer : ITransformer, IDisposable
{
    private readonly Lock _gate = new();
    private readonly EncoderScorer _scorer;
    private readonly ScoringEngine _engine;
    private bool _disposed;

    /// <summary>
    /// Pairs a model with its tokenizer; the transformer reads "Text" and writes "Features" ([CLS] pooling), on the engine,
    /// device and arithmetic of <paramref name="inference"/> (default: managed, CPU, full precision, packed).
    /// </summary>
    /// <exception cref="EngineUnavailableException">The engine's assembly or native runtime, or the device, is not available here.</exception>
    public RobertaEncoderTransformer(BertModel model, BertTokenizer tokenizer, RobertaInferenceOptions? inference = null)
        : this(model, tokenizer, new EncoderSettings(), EngineSelection.ForLoad(null, inference, InferencePrecision.FullPrecision, savedPacking: true))
    {
    }

    internal RobertaEncoderTransformer(BertModel model, BertTokenizer tokenizer, EncoderSettings settings, EngineOptions engine)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer.Vocabulary.Count != model.Config.VocabSize)
            throw new ArgumentException($"The vocabulary has {tokenizer.Vocabulary.Count} tokens but the model's vocab_size is {model.Config.VocabSize}.", nameof(tokenizer));
        Model = model;
        Tokenizer = tokenizer;
        Settings = settings with { InferencePrecision = engine.InferencePrecision, PackPaddedSequences = engine.PackPaddedSequences };
        _engine = new ScoringEngine(model, engine, nameof(RobertaEncoderTransformer));
        _scorer = new EncoderScorer(_engine, model.Config, tokenizer, Settings);
    }

    /// <summary>
    /// The network, whose weights <see cref="Save"/> writes. The managed engine runs these weights (in-place changes are
    /// seen); other engines hold a copy made when the transformer was created.
    /// </summary>
    public BertModel Model { get; }

    /// <summary>The engine the forward passes run on.</summary>
    public EngineKind Engine => _engine.Kind;

    /// <summary>The device the forward passes run on (<c>cpu</c> or <c>cuda:N</c>; <c>cpu</c> after a fallback).</summary>
    public string Device => _engine.Device;

    /// <summary>The arithmetic of the forward passes (saved with the model).</summary>
    public InferencePrecision InferencePrecision => Settings.InferencePrecision;

    /// <summary>Whether the forward passes skip padded positions (saved with the model).</summary>
    public bool PackPaddedSequences => Settings.PackPaddedSequences;

    /// <summary>The tokenizer matching the model's vocabulary.</summary>
    public BertTokenizer Tokenizer { get; }

    /// <summary>The text column read by <see cref="Transform"/>.</summary>
    public string InputColumnName => Settings.InputColumnName;

    /// <summary>The embedding column added by <see cref="Transform"/>.</summary>
    public string OutputColumnName => Settings.OutputColumnName;

    /// <summary>How token states become one vector.</summary>
    public EmbeddingPooling Pooling => Settings.Pooling;

    internal EncoderSettings Settings { get; }

    /// <summary>True: one row maps to one row.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>
    /// This encoder reading <paramref name="inputColumnName"/> and writing <paramref name="outputColumnName"/> (same weights,
    /// engine settings; a new engine of its own, which the new transformer's <see cref="Dispose"/> frees).
    /// </summary>
    public RobertaEncoderTransformer WithColumns(string outputColumnName, string inputColumnName, EmbeddingPooling? pooling = null) =>
        new(Model, Tokenizer, Settings with { OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Pooling = pooling ?? Settings.Pooling }, _engine.Options);

    /// <summary>
    /// Loads a model directory holding config.json, weights and vocab.txt (the columns saved with it, else "Text" →
    /// "Features"), on the engine and device of <paramref name="inference"/> (default: managed, CPU) with the saved precision
    /// and packing unless it overrides them.
    /// </summary>
    /// <exception cref="EngineUnavailableException">The engine's assembly or native runtime, or the device, is not available here.</exception>
    public static RobertaEncoderTransformer Load(string directory, RobertaInferenceOptions? inference = null) => Load(null, directory, inference);

    /// <summary>
    /// As <see cref="Load(string, RobertaInferenceOptions?)"/>, with the device from <paramref name="env"/> (an
    /// <see cref="MLContext"/>: <c>GpuDeviceId</c>, <c>FallbackToCpu</c>) unless <paramref name="inference"/> sets one.
    /// </summary>
    /// <exception cref="EngineUnavailableException">The engine's assembly or native runtime, or the device, is not available here.</exception>
    public static RobertaEncoderTransformer Load(IHostEnvironment? env, string directory, RobertaInferenceOptions? inference = null)
    {
        var (model, tokenizer, settings) = LoadParts(directory);
        return new RobertaEncoderTransformer(model, tokenizer, settings, EngineSelection.ForLoad(env, inference, settings.InferencePrecision, settings.PackPaddedSequences));
    }

    /// <summary>The model, tokenizer and saved settings of a directory, without an engine.</summary>
    internal static (BertModel Model, BertTokenizer Tokenizer, EncoderSettings Settings) LoadParts(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string vocab = Path.Combine(directory, "vocab.txt");
        if (!File.Exists(vocab)) throw new FileNotFoundException($"{directory} has no vocab.txt.", vocab);
        var model = BertModel.Load(directory, out _);
        return (model, BertTokenizer.Load(vocab), EncoderSettings.ReadFrom(model.Config) ?? new EncoderSettings());
    }

    /// <summary>Saves config.json (with this transformer's columns), model.safetensors and vocab.txt into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        lock (_gate)
        {
            Settings.WriteTo(Model.Config);
            Model.Save(directory);
        }

        Tokenizer.Vocabulary.Save(Path.Combine(directory, "vocab.txt"));
    }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var c = inputSchema.GetColumnOrNull(InputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Could not find text column '{InputColumnName}'. Available columns: {string.Join(", ", inputSchema.Select(x => x.Name))}.");
        if (c.Type is not TextDataViewType) throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Schema mismatch for text column '{InputColumnName}': expected String, got {c.Type}.");
        return ClassifierSchema.Append(inputSchema, _scorer.Outputs);
    }

    /// <summary>A lazy view of <paramref name="input"/> with the embedding column; rows are embedded in batches as a cursor reads them.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new ScoredDataView(input, GetOutputSchema(input.Schema), _scorer);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new ScoringRowMapper(inputSchema, GetOutputSchema(inputSchema), _scorer);

    void ICanSaveModel.Save(ModelSaveContext ctx) => throw PersistenceMessages.NativeSaveNotSupported(nameof(RobertaEncoderTransformer));

    /// <summary>One vector (hidden size) per text: the <c>[CLS]</c> state or the mean over real tokens. Texts are truncated to the model's length.</summary>
    public float[][] Embed(IReadOnlyList<string> texts, EmbeddingPooling pooling = EmbeddingPooling.Cls, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return _scorer.Embed(texts, pooling, batchSize);
    }

    /// <summary>
    /// The <paramref name="topK"/> most probable tokens for every <c>[MASK]</c> in <paramref name="text"/>, one list per mask
    /// in text order (Hugging Face fill-mask semantics: masks are predicted independently, scores are probabilities).
    /// </summary>
    /// <exception cref="ArgumentException">The text has no [MASK] token.</exception>
    /// <exception cref="InvalidOperationException">The model has no masked-LM head.</exception>
    public IReadOnlyList<IReadOnlyList<FillMaskResult>> FillMask(string text, int topK = 5)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        if (!Model.Heads.MaskedLm) throw new InvalidOperationException("The model has no masked-LM head (cls.predictions.*); it cannot fill masks.");
        var encoding = Tokenizer.Encode(text, options: new EncodeOptions { MaxLength = Math.Min(Model.Config.MaxPositionEmbeddings, 512) });
        int maskId = Tokenizer.Vocabulary.GetId(Tokenizer.Options.MaskToken) ?? throw new InvalidOperationException("The vocabulary has no mask token.");
        var ids = encoding.Ids.ToArray();
        int[] maskPositions = [.. Enumerable.Range(0, ids.Length).Where(i => ids[i] == maskId)];
        if (maskPositions.Length == 0) throw new ArgumentException($"The text has no {Tokenizer.Options.MaskToken} token: \"{text}\"", nameof(text));
        var batch = new BertBatch(1, ids.Length, ids, encoding.TypeIds.ToArray());
        float[] logProbs = _engine.Run(e => e.Forward(batch, maskPositions).MaskedLmLogProbabilities!);

        int v = Model.Config.VocabSize, k = Math.Min(topK, v);
        bool single = maskPositions.Length == 1;
        var results = new List<IReadOnlyList<FillMaskResult>>(maskPositions.Length);
        for (int m = 0; m < maskPositions.Length; m++)
        {
            var row = logProbs.AsSpan(m * v, v);
            var best = new int[k];
            TopK.Select(row, best);
            var candidates = new List<FillMaskResult>(k);
            foreach (int id in best)
            {
                var filled = (int[])ids.Clone();
                filled[maskPositions[m]] = id;
                // HF: with one mask the sequence drops special tokens; with several the other [MASK]s stay visible.
                string sequence = Tokenizer.Decode(filled, skipSpecialTokens: single);
                candidates.Add(new FillMaskResult(sequence, MathF.Exp(row[id]), id, Tokenizer.Decode([id])));
            }

            results.Add(candidates);
        }

        return results;
    }

    /// <summary>Frees the inference engine (after a pass in progress); the transformer cannot score afterwards.</summary>
    public void Dispose()
    {
        _disposed = true;
        _engine.Dispose();
        GC.SuppressFinalize(this);
    }
}
