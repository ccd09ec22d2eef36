using System.Numerics.Tensors;
using Microsoft.ML.RobertaZh.Model.Heads;
using Microsoft.ML.RobertaZh.Model.Inference;

namespace Microsoft.ML.RobertaZh.Model;

/// <summary>
/// A BERT encoder with optional pooler, masked-LM head and sequence-classification head, as Hugging Face's
/// BertForMaskedLM / BertForSequenceClassification compute it. Parameters and gradients each live in one flat array
/// (<see cref="Parameters"/>, <see cref="Gradients"/>) laid out by <see cref="Layout"/>.
/// </summary>
public sealed partial class BertModel
{
    private BertActivations? _activations;
    private BertGradientScratch? _scratch;
    private MaskedLmHead? _mlm;
    private float[]? _gradients;
    private float[] _dPooled = [];
    private EncoderLinears? _linears;
    private InferencePrecision _precision;

    /// <summary>The architecture.</summary>
    public BertConfig Config => Layout.Config;

    /// <summary>The heads on top of the encoder.</summary>
    public BertHeads Heads => Layout.Heads;

    /// <summary>Where each named tensor lives in <see cref="Parameters"/> and <see cref="Gradients"/>.</summary>
    public BertParameterLayout Layout { get; }

    /// <summary>Every parameter, in <see cref="Layout"/> order.</summary>
    public float[] Parameters { get; }

    /// <summary>Gradients of the parameters (same layout), accumulated by <see cref="ForwardBackward"/>; allocated on first use.</summary>
    public float[] Gradients => _gradients ??= new float[Layout.Count];

    /// <summary>Seed of the dropout masks.</summary>
    public ulong DropoutSeed { get; set; }

    /// <summary>
    /// Arithmetic of the encoder's matrix products in <see cref="Forward"/> and <see cref="Evaluate"/> (default
    /// <see cref="InferencePrecision.FullPrecision"/>). With <see cref="InferencePrecision.DynamicInt8"/> the weights are quantized
    /// on the first inference pass and cached; the cache is dropped by <see cref="ForwardBackward"/>, by
    /// <see cref="InvalidateInferenceCaches"/>, and when a sampled check sees the weights changed.
    /// </summary>
    public InferencePrecision InferencePrecision
    {
        get => _precision;
        set
        {
            if (!Enum.IsDefined(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown inference precision.");
            if (value != _precision) InvalidateInferenceCaches();
            _precision = value;
        }
    }

    /// <summary>
    /// When true, inference passes (<see cref="Forward"/>, <see cref="Evaluate"/>) skip padded positions: for batches
    /// whose attention masks are prefixes (as <see cref="BertBatch.Pad"/> makes them), the valid tokens of all
    /// sequences are packed together and only they go through the products and attention. The valid positions'
    /// outputs are unchanged up to float rounding; the padded positions' rows of
    /// <see cref="BertOutput.LastHiddenState"/> are zero instead of Hugging Face's (meaningless) values there.
    /// Default false. Training passes always compute every position.
    /// </summary>
    public bool PackPaddedSequences { get; set; }

    /// <summary>
    /// Drops what inference passes derived from <see cref="Parameters"/> (the quantized weights of
    /// <see cref="InferencePrecision.DynamicInt8"/>). Call it after changing <see cref="Parameters"/> in place between
    /// inference passes; training passes and loading do so already.
    /// </summary>
    public void InvalidateInferenceCaches()
    {
        _linears?.Dispose();
        _linears = null;
    }

    private EncoderLinears Linears()
    {
        if (_linears is not null && _linears.IsStale()) InvalidateInferenceCaches();
        return _linears ??= _precision == InferencePrecision.DynamicInt8 ? new Int8Linears(Layout, Parameters) : new FloatLinears(Layout, Parameters);
    }

    /// <summary>Training passes run so far; each gets its own dropout masks. Saved with a training checkpoint so a resumed run repeats the masks.</summary>
    public long TrainingPasses { get; set; }

    /// <summary>Whether <see cref="ForwardBackward"/> applies the config's dropout. Default true; turn off for exact comparisons.</summary>
    public bool DropoutEnabled { get; set; } = true;

    /// <summary>Wraps <paramref name="parameters"/> (laid out by <paramref name="layout"/>) as a model.</summary>
    public BertModel(BertParameterLayout layout, float[] parameters)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Length != layout.Count)
            throw new ArgumentException($"The parameter array has {parameters.Length} elements; the layout needs {layout.Count}.", nameof(parameters));
        Layout = layout;
        Parameters = parameters;
    }

    /// <summary>
    /// A freshly initialized model, as Hugging Face's <c>_init_weights</c> does: linear and embedding weights from
    /// N(0, initializer_range), biases 0, LayerNorm weights 1, the padding token's embedding row 0.
    /// </summary>
    public static BertModel Create(BertConfig config, BertHeads heads, int seed)
    {
        var layout = new BertParameterLayout(config, heads);
        var model = new BertModel(layout, new float[layout.Count]) { DropoutSeed = (ulong)seed };
        model.Initialize(seed);
        return model;
    }

    /// <summary>Re-initializes the named tensors (all when <paramref name="only"/> is null) as <see cref="Create"/> does.</summary>
    public void Initialize(int seed, IReadOnlyCollection<string>? only = null)
    {
        var rng = new Random(seed);
        float std = Config.InitializerRange;
        foreach (var slice in Layout.Slices)
        {
            if (only is not null && !only.Contains(slice.Name)) continue;
            var values = slice.Of(Parameters);
            if (slice.Name.EndsWith("LayerNorm.weight", StringComparison.Ordinal)) values.Fill(1f);
            else if (slice.Shape.Count == 1) values.Clear();
            else
            {
                for (int i = 0; i < values.Length; i++) values[i] = (float)(std * NextGaussian(rng));
                if (slice.Name == "bert.embeddings.word_embeddings.weight" && Config.PadTokenId >= 0 && Config.PadTokenId < Config.VocabSize)
                    values.Slice(Config.PadTokenId * Config.HiddenSize, Config.HiddenSize).Clear();
            }
        }
    }

    private static double NextGaussian(Random rng)
    {
        // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>The values of the parameter called <paramref name="name"/>.</summary>
    public Span<float> Parameter(string name) => Layout[name].Of(Parameters);

    /// <summary>The gradient of the parameter called <paramref name="name"/>.</summary>
    public Span<float> Gradient(string name) => Layout[name].Of(Gradients);

    /// <summary>Sets every gradient to zero (call once per optimizer step; <see cref="ForwardBackward"/> adds).</summary>
    public void ZeroGradients() => Array.Clear(Gradients);

    /// <summary>
    /// Runs the model in inference mode (no dropout). With <paramref name="maskedLmLogProbabilities"/> and a masked-LM
    /// head, also returns (batch, seqLen, vocab) log-probabilities.
    /// </summary>
    public BertOutput Forward(BertBatch batch, bool maskedLmLogProbabilities = false)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Validate(Config);
        var a = Activations(batch, training: false);
        var drop = new DropoutContext(false, DropoutSeed, 0, Config.NumHiddenLayers);
        BertInference.Forward(Layout, Parameters, a, batch, Linears(), PackPaddedSequences);
        int n = a.Tokens, h = Config.HiddenSize;
        var last = a.LastHiddenState(Config.NumHiddenLayers).AsSpan(0, n * h).ToArray();
        float[]? pooled = null, logits = null, logProbs = null;
        if (Heads.Pooler)
        {
            BertPooler.Forward(Layout, Parameters, a, last);
            pooled = a.Pooled.AsSpan(0, batch.Batch * h).ToArray();
        }
        if (Heads.NumLabels > 0)
        {
            SequenceClassificationHead.Forward(Layout, Parameters, a, drop);
            logits = a.ClassLogits.ToArray();
        }
        if (maskedLmLogProbabilities && Heads.MaskedLm)
            logProbs = MaskedLmLogProbabilities(last, Enumerable.Range(0, n).ToArray());
        return new BertOutput { Batch = batch.Batch, SeqLen = batch.SeqLen, LastHiddenState = last, PoolerOutput = pooled, Logits = logits, MaskedLmLogProbabilities = logProbs };
    }

    /// <summary>
    /// The classification logits, (batch, <see cref="BertHeads.NumLabels"/>), of an inference pass: the values of
    /// <c>Forward(batch).Logits</c>, computed with less work — the last layer runs for each sequence's first token only
    /// (the one the pooler reads) and no hidden state is copied out. What a classifier needs per batch.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no sequence-classification head.</exception>
    public float[] ForwardLogits(BertBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (Heads.NumLabels == 0 || !Heads.Pooler)
            throw new InvalidOperationException("This model has no sequence-classification head: load it with BertHeads.Classification(labels), or call Forward for hidden states.");
        batch.Validate(Config);
        var a = Activations(batch, training: false);
        BertInference.Forward(Layout, Parameters, a, batch, Linears(), PackPaddedSequences, firstTokensOnly: true);
        BertPooler.ForwardFirstTokens(Layout, Parameters, a);
        SequenceClassificationHead.Forward(Layout, Parameters, a, new DropoutContext(false, DropoutSeed, 0, Config.NumHiddenLayers));
        return a.ClassLogits.AsSpan(0, batch.Batch * Heads.NumLabels).ToArray();
    }

    /// <summary>
    /// Masked-LM log-probabilities, (rows.Length, vocab), of the given token rows of a (N, hidden) hidden-state array.
    /// </summary>
    public float[] MaskedLmLogProbabilities(ReadOnlySpan<float> lastHiddenState, int[] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (!Heads.MaskedLm) throw new InvalidOperationException("This model has no masked-LM head.");
        var head = _mlm ??= new MaskedLmHead(Layout);
        head.Forward(Parameters, lastHiddenState, rows);
        int v = Config.VocabSize;
        var result = new float[rows.Length * v];
        Tensors.Kernels.Softmax.LogForward(result, head.Logits, rows.Length, v);
        return result;
    }

    /// <summary>
    /// One training pass: forward with dropout, the losses of every head that has labels in <paramref name="batch"/>
    /// (masked-LM and classification losses are means and are summed), and backward, which ADDS
    /// <paramref name="lossScale"/> × the gradient of the total loss into <see cref="Gradients"/>
    /// (use 1/accumulationSteps to accumulate gradients over several batches).
    /// </summary>
    public BertLoss ForwardBackward(BertBatch batch, float lossScale = 1f)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Validate(Config);
        if (batch.MaskedLmLabels is not null && !Heads.MaskedLm) throw new InvalidOperationException("The batch has masked-LM labels but the model has no masked-LM head.");
        if (batch.ClassLabels is not null && Heads.NumLabels == 0) throw new InvalidOperationException("The batch has class labels but the model has no classification head.");
        if (batch.MaskedLmLabels is null && batch.ClassLabels is null) throw new ArgumentException("The batch has no labels to train on.", nameof(batch));

        InvalidateInferenceCaches(); // the weights are about to change
        var a = Activations(batch, training: true);
        var drop = new DropoutContext(DropoutEnabled, DropoutSeed, (ulong)TrainingPasses++, Config.NumHiddenLayers);
        var p = Parameters;
        var g = Gradients;
        BertEncoder.Forward(Layout, p, a, batch, drop);
        int n = a.Tokens, h = Config.HiddenSize;
        float[] last = a.LastHiddenState(Config.NumHiddenLayers);

        float mlmLoss = 0, clsLoss = 0;
        int mlmCount = 0, mlmCorrect = 0, clsCount = 0;
        int[]? mlmRows = null;
        if (batch.MaskedLmLabels is { } mlmLabels)
        {
            mlmRows = Enumerable.Range(0, n).Where(i => mlmLabels[i] != -100).ToArray();
            if (mlmRows.Length > 0)
            {
                var head = _mlm ??= new MaskedLmHead(Layout);
                head.Forward(p, last, mlmRows);
                mlmLoss = head.Loss(mlmRows.Select(i => mlmLabels[i]).ToArray(), out mlmCorrect);
                mlmCount = mlmRows.Length;
            }
        }
        if (Heads.Pooler && Heads.NumLabels > 0 && batch.ClassLabels is { } classLabels)
        {
            BertPooler.Forward(Layout, p, a, last);
            SequenceClassificationHead.Forward(Layout, p, a, drop);
            clsLoss = SequenceClassificationHead.Loss(Layout, a, classLabels, out clsCount);
        }

        var d = _scratch!;
        var dLast = d.DHidden.AsSpan(0, n * h);
        dLast.Clear();
        if (mlmCount > 0) _mlm!.Backward(p, g, lossScale, dLast);
        if (clsCount > 0)
        {
            var dPooled = _dPooled.AsSpan(0, batch.Batch * h);
            dPooled.Clear();
            SequenceClassificationHead.Backward(Layout, p, g, a, batch.ClassLabels!, clsCount, lossScale, drop, dPooled);
            BertPooler.Backward(Layout, p, g, a, dPooled, dLast);
        }
        BertEncoder.Backward(Layout, p, g, a, batch, d, drop);
        return new BertLoss(mlmLoss + clsLoss, mlmLoss, mlmCount, mlmCorrect, clsLoss, clsCount);
    }

    /// <summary>
    /// The losses of the heads that have labels in <paramref name="batch"/>, in inference mode (no dropout, no gradients):
    /// for held-out evaluation.
    /// </summary>
    public BertLoss Evaluate(BertBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Validate(Config);
        var a = Activations(batch, training: false);
        var drop = new DropoutContext(false, DropoutSeed, 0, Config.NumHiddenLayers);
        bool maskedLm = batch.MaskedLmLabels is not null && Heads.MaskedLm;
        bool classification = batch.ClassLabels is not null && Heads.NumLabels > 0;
        // Without masked-LM rows to score, the classifier reads each sequence's first token only (see ForwardLogits).
        bool firstTokensOnly = classification && !maskedLm;
        BertInference.Forward(Layout, Parameters, a, batch, Linears(), PackPaddedSequences, firstTokensOnly);
        float[] last = a.LastHiddenState(Config.NumHiddenLayers);
        float mlmLoss = 0, clsLoss = 0;
        int mlmCount = 0, mlmCorrect = 0, clsCount = 0;
        if (batch.MaskedLmLabels is { } labels && Heads.MaskedLm)
        {
            int[] rows = [.. Enumerable.Range(0, a.Tokens).Where(i => labels[i] != -100)];
            if (rows.Length > 0)
            {
                var head = _mlm ??= new MaskedLmHead(Layout);
                head.Forward(Parameters, last, rows);
                mlmLoss = head.Loss([.. rows.Select(i => labels[i])], out mlmCorrect);
                mlmCount = rows.Length;
            }
        }
        if (batch.ClassLabels is { } classes && Heads.NumLabels > 0)
        {
            if (firstTokensOnly) BertPooler.ForwardFirstTokens(Layout, Parameters, a);
            else BertPooler.Forward(Layout, Parameters, a, last);
            SequenceClassificationHead.Forward(Layout, Parameters, a, drop);
            clsLoss = SequenceClassificationHead.Loss(Layout, a, classes, out clsCount);
        }
        return new BertLoss(mlmLoss + clsLoss, mlmLoss, mlmCount, mlmCorrect, clsLoss, clsCount);
    }

    private BertActivations Activations(BertBatch batch, bool training)
    {
        var a = _activations;
        if (a is null || a.Batch != batch.Batch || a.SeqLen != batch.SeqLen || a.Training != training)
        {
            // Inference passes take over the previous inference buffers that are long enough (see BertActivations);
            // otherwise let the old buffers go before allocating new ones.
            var reuse = !training && a is { Training: false } ? a : null;
            _activations = null;
            a = _activations = new BertActivations(Config, Heads, batch.Batch, batch.SeqLen, training, reuse);
        }
        if (training && (_scratch is null || _scratch.DHidden.Length != a.Tokens * Config.HiddenSize))
        {
            _scratch = new BertGradientScratch(Config, a.Tokens);
            _dPooled = new float[batch.Batch * Config.HiddenSize];
        }
        return a;
    }

    /// <summary>Frees the activation buffers kept between calls (they are rebuilt on the next pass).</summary>
    public void ReleaseBuffers()
    {
        _activations = null;
        _scratch = null;
        _mlm = null;
        InvalidateInferenceCaches();
    }
}
