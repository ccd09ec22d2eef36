namespace Microsoft.ML.RobertaZh.Model;

/// <summary>What one transformer layer saves in its forward pass for its backward pass. Shapes in comments; N = batch·seqLen.</summary>
internal sealed class LayerActivations
{
    public required float[] Qkv;               // (N, 3·hidden): query | key | value per row
    public required float[] AttentionProbs;    // (batch, heads, seqLen, seqLen) softmax output
    public required byte[] AttentionDropout;   // same shape as AttentionProbs; keep mask (training with dropout only)
    public required float[] Context;           // (N, hidden) attention output, heads concatenated
    public required float[] Residual1;         // (N, hidden) dropout(dense(context)) + layer input: LayerNorm 1's input
    public required byte[] Dropout1;           // (N, hidden) keep mask of the attention-output dropout
    public required float[] LayerNorm1;        // (N, hidden)
    public required float[] Mean1, Rstd1;      // (N)
    public required float[] IntermediatePre;   // (N, intermediate) GELU input
    public required float[] Intermediate;      // (N, intermediate) GELU output
    public required float[] Residual2;         // (N, hidden) dropout(dense(intermediate)) + LayerNorm1: LayerNorm 2's input
    public required byte[] Dropout2;           // (N, hidden)
    public required float[] LayerNorm2;        // (N, hidden) the layer's output
    public required float[] Mean2, Rstd2;      // (N)
}

/// <summary>
/// Every activation of one forward pass, sized for a batch shape. In inference mode one set of layer buffers is
/// reused by every layer (nothing is kept for a backward pass), which bounds memory by one layer; and a new shape's
/// token-sized buffers can be taken over from the previous inference-mode set when they are long enough (serving
/// batches are padded to their longest sequence, so the shape changes from batch to batch: allocating and first
/// touching fresh buffers cost 40–55% of a tiny model's pass). Such buffers are longer than the shape needs and hold
/// stale values past it: every reader takes the lengths from <see cref="Batch"/>, <see cref="SeqLen"/> and the config,
/// never from an array's length, and every pass writes what it reads. The head buffers (batch-sized) are always exact.
/// </summary>
internal sealed class BertActivations
{
    public int Batch { get; }
    public int SeqLen { get; }
    public int Tokens => Batch * SeqLen;
    public bool Training { get; }

    public float[] AdditiveMask { get; }       // (batch, seqLen): 0 or float.MinValue (HF: (1 − mask)·finfo.min)
    public float[] EmbeddingSum { get; }       // (N, hidden): word + position + type, the embedding LayerNorm's input
    public float[] EmbeddingOutput { get; }    // (N, hidden): after LayerNorm and dropout, the first layer's input
    public float[] EmbeddingMean { get; }
    public float[] EmbeddingRstd { get; }
    public byte[] EmbeddingDropout { get; }
    public LayerActivations[] Layers { get; }

    // Pooler: first-token rows gathered, then dense + tanh.
    public float[] FirstTokens { get; }        // (batch, hidden)
    public float[] Pooled { get; }             // (batch, hidden)

    // Classification head: dropout(pooled) → classifier.
    public float[] ClassifierInput { get; }    // (batch, hidden)
    public byte[] ClassifierDropout { get; }
    public float[] ClassLogits { get; }        // (batch, labels)
    public float[] ClassProbs { get; }         // (batch, labels)
    public float[] ClassLosses { get; }        // (batch)

    // Backward scratch of the pooler and classification head, kept so a training step allocates nothing.
    public float[] HeadScratchA { get; }       // (batch, hidden)
    public float[] HeadScratchB { get; }       // (batch, hidden)
    public float[] ClassLogitsGrad { get; }    // (batch, labels)

    /// <param name="config">Model configuration.</param>
    /// <param name="heads">Heads present.</param>
    /// <param name="batch">Sequences.</param>
    /// <param name="seqLen">Tokens per sequence (padded).</param>
    /// <param name="training">Training mode: every layer keeps its own buffers, with dropout masks.</param>
    /// <param name="reuse">Inference mode only: a previous inference-mode set whose token-sized buffers are taken over
    /// where they are long enough (it must not be used afterwards).</param>
    public BertActivations(BertConfig config, BertHeads heads, int batch, int seqLen, bool training, BertActivations? reuse = null)
    {
        if (training || reuse is { Training: true }) reuse = null;
        var old = reuse?.Layers[0];
        static float[] Take(float[]? previous, int length) => previous is not null && previous.Length >= length ? previous : new float[length];
        Batch = batch;
        SeqLen = seqLen;
        Training = training;
        int n = batch * seqLen, h = config.HiddenSize, ff = config.IntermediateSize, heads_ = config.NumAttentionHeads;
        bool hiddenDrop = training && config.HiddenDropoutProb > 0;
        bool attnDrop = training && config.AttentionProbsDropoutProb > 0;
        AdditiveMask = Take(reuse?.AdditiveMask, n);
        EmbeddingSum = Take(reuse?.EmbeddingSum, n * h);
        EmbeddingOutput = Take(reuse?.EmbeddingOutput, n * h);
        EmbeddingMean = Take(reuse?.EmbeddingMean, n);
        EmbeddingRstd = Take(reuse?.EmbeddingRstd, n);
        EmbeddingDropout = hiddenDrop ? new byte[n * h] : [];
        int slots = training ? config.NumHiddenLayers : 1;
        Layers = new LayerActivations[slots];
        for (int i = 0; i < slots; i++)
        {
            Layers[i] = new LayerActivations
            {
                Qkv = Take(old?.Qkv, n * 3 * h),
                AttentionProbs = Take(old?.AttentionProbs, batch * heads_ * seqLen * seqLen),
                AttentionDropout = attnDrop ? new byte[batch * heads_ * seqLen * seqLen] : [],
                Context = Take(old?.Context, n * h),
                Residual1 = Take(old?.Residual1, n * h),
                Dropout1 = hiddenDrop ? new byte[n * h] : [],
                LayerNorm1 = Take(old?.LayerNorm1, n * h),
                Mean1 = Take(old?.Mean1, n), Rstd1 = Take(old?.Rstd1, n),
                IntermediatePre = Take(old?.IntermediatePre, n * ff),
                Intermediate = Take(old?.Intermediate, n * ff),
                Residual2 = Take(old?.Residual2, n * h),
                Dropout2 = hiddenDrop ? new byte[n * h] : [],
                LayerNorm2 = Take(old?.LayerNorm2, n * h),
                Mean2 = Take(old?.Mean2, n), Rstd2 = Take(old?.Rstd2, n),
            };
        }
        FirstTokens = heads.Pooler ? new float[batch * h] : [];
        Pooled = heads.Pooler ? new float[batch * h] : [];
        int labels = heads.NumLabels;
        ClassifierInput = labels > 0 ? new float[batch * h] : [];
        ClassifierDropout = labels > 0 && hiddenDrop ? new byte[batch * h] : [];
        ClassLogits = new float[batch * labels];
        ClassProbs = new float[batch * labels];
        ClassLosses = new float[batch];
        HeadScratchA = heads.Pooler && training ? new float[batch * h] : [];
        HeadScratchB = heads.Pooler && training ? new float[batch * h] : [];
        ClassLogitsGrad = training ? new float[batch * labels] : [];
    }

    /// <summary>The buffers layer <paramref name="layer"/> writes (shared by all layers in inference mode).</summary>
    public LayerActivations Layer(int layer) => Layers[Training ? layer : 0];

    /// <summary>The encoder's output, (N, hidden).</summary>
    public float[] LastHiddenState(int numLayers) => Layer(numLayers - 1).LayerNorm2;
}
