using Microsoft.ML.RobertaZh.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.RobertaZh.TorchSharp.Modules;

/// <summary>
/// Hugging Face's BertForMaskedLM / BertForSequenceClassification with TorchSharp modules: embeddings, post-LN layers
/// with <c>scaled_dot_product_attention</c> and exact-erf GELU, tanh pooler, masked-LM head whose decoder is the word
/// embedding table (tied), classification head. Parameter names are the Hugging Face ones of <see cref="BertParameterLayout"/>.
/// Each layer runs in its own dispose scope, so only its output survives it (at inference nothing else is kept).
/// </summary>
internal sealed class TorchBert : torch.nn.Module
{
    private readonly BertConfig _config;
    private readonly Embedding _word, _position, _tokenType;
    private readonly LayerNorm _embeddingNorm;
    private readonly Layer[] _layers;
    private readonly Linear? _pooler, _mlmTransform, _classifier;
    private readonly LayerNorm? _mlmNorm;
    private readonly Parameter? _mlmBias;

    private sealed record Layer(Linear Query, Linear Key, Linear Value, Linear AttentionOutput, LayerNorm AttentionNorm,
        Linear Intermediate, Linear Output, LayerNorm OutputNorm);

    public TorchBert(BertParameterLayout layout)
        : base("TorchBert")
    {
        var c = _config = layout.Config;
        var heads = layout.Heads;
        long h = c.HiddenSize, ff = c.IntermediateSize;
        double eps = c.LayerNormEps;
        var bert = Add(this, "bert", new ModuleNode("bert"));
        var embeddings = bert.Add("embeddings", new ModuleNode("embeddings"));
        _word = embeddings.Add("word_embeddings", nn.Embedding(c.VocabSize, h));
        _position = embeddings.Add("position_embeddings", nn.Embedding(c.MaxPositionEmbeddings, h));
        _tokenType = embeddings.Add("token_type_embeddings", nn.Embedding(c.TypeVocabSize, h));
        _embeddingNorm = embeddings.Add("LayerNorm", nn.LayerNorm(h, eps));
        var layerList = bert.Add("encoder", new ModuleNode("encoder")).Add("layer", new ModuleNode("layer"));
        _layers = new Layer[c.NumHiddenLayers];
        for (int i = 0; i < _layers.Length; i++)
        {
            var layer = layerList.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture), new ModuleNode("BertLayer"));
            var attention = layer.Add("attention", new ModuleNode("attention"));
            var self = attention.Add("self", new ModuleNode("self"));
            var selfOutput = attention.Add("output", new ModuleNode("output"));
            var intermediate = layer.Add("intermediate", new ModuleNode("intermediate"));
            var output = layer.Add("output", new ModuleNode("output"));
            _layers[i] = new Layer(
                self.Add("query", nn.Linear(h, h)), self.Add("key", nn.Linear(h, h)), self.Add("value", nn.Linear(h, h)),
                selfOutput.Add("dense", nn.Linear(h, h)), selfOutput.Add("LayerNorm", nn.LayerNorm(h, eps)),
                intermediate.Add("dense", nn.Linear(h, ff)),
                output.Add("dense", nn.Linear(ff, h)), output.Add("LayerNorm", nn.LayerNorm(h, eps)));
        }
        if (heads.Pooler) _pooler = bert.Add("pooler", new ModuleNode("pooler")).Add("dense", nn.Linear(h, h));
        if (heads.MaskedLm)
        {
            var predictions = Add(this, "cls", new ModuleNode("cls")).Add("predictions", new ModuleNode("predictions"));
            var transform = predictions.Add("transform", new ModuleNode("transform"));
            _mlmTransform = transform.Add("dense", nn.Linear(h, h));
            _mlmNorm = transform.Add("LayerNorm", nn.LayerNorm(h, eps));
            // The decoder's weight is the word-embedding table (tied, as in HF); only its bias is a parameter of its own.
            _mlmBias = predictions.AddParameter("bias", new Parameter(zeros(c.VocabSize)));
        }
        if (heads.NumLabels > 0) _classifier = Add(this, "classifier", nn.Linear(h, heads.NumLabels));
    }

    private static T Add<T>(torch.nn.Module parent, string name, T child)
        where T : torch.nn.Module
    {
        parent.register_module(name, child);
        return child;
    }

    /// <summary>
    /// Dropout of a pass: probabilities (zero at inference or with dropout off; read from the config at each pass) and the
    /// engine's own generator, so that masks depend on the engine's seed alone and not on other users of libtorch's global
    /// generator (which, for one, initializes every new module's weights).
    /// </summary>
    public readonly record struct Dropout(double Hidden, double Attention, double Classifier, Generator? Generator)
    {
        public static Dropout None => default;

        public static Dropout From(BertConfig c, Generator generator) =>
            new(c.HiddenDropoutProb, c.AttentionProbsDropoutProb, c.ClassifierDropout ?? c.HiddenDropoutProb, generator);

        /// <summary>torch's dropout: zero each element with probability <paramref name="p"/>, scale the rest by 1/(1 − p).</summary>
        public Tensor Apply(Tensor x, double p)
        {
            if (p <= 0) return x.alias();
            // The mask is scaled before use, so autograd records one multiplication.
            using var keep = empty_like(x).bernoulli_(1 - p, Generator).div_(1 - p);
            return x.mul(keep);
        }
    }

    public Dropout TrainingDropout(Generator generator) => Dropout.From(_config, generator);

    /// <summary>
    /// The encoder: (batch, seqLen) ids, token types and 0/1 attention mask (int64) → (batch, seqLen, hidden) last hidden states.
    /// </summary>
    public Tensor Encode(Tensor inputIds, Tensor tokenTypeIds, Tensor attentionMask, Dropout drop)
    {
        long seqLen = inputIds.shape[1], hidden = _config.HiddenSize, heads = _config.NumAttentionHeads, headDim = hidden / heads;
        Tensor x;
        Tensor? additive;
        using (var scope = NewDisposeScope())
        {
            using var positions = arange(seqLen, device: inputIds.device).unsqueeze(0);
            var sum = _word.forward(inputIds) + _position.forward(positions) + _tokenType.forward(tokenTypeIds);
            x = scope.MoveToOuter(drop.Apply(_embeddingNorm.forward(sum), drop.Hidden));
            // HF get_extended_attention_mask: (1 − mask) · finfo(float32).min added to the scores, as (batch, 1, 1, seqLen);
            // a batch without padding needs no mask at all.
            additive = attentionMask.min().item<long>() == 1
                ? null
                : scope.MoveToOuter(((1 - attentionMask.to(ScalarType.Float32)) * float.MinValue).view(-1, 1, 1, seqLen));
        }
        using (additive)
        {
            foreach (var layer in _layers)
            {
                using var scope = NewDisposeScope();
                var input = x;
                // BertSelfAttention: softmax(QKᵀ/√d + mask)·V per head. With attention dropout the probabilities are
                // spelled out so the engine's generator draws the mask (libtorch's SDPA falls back to this math on the CPU then).
                Tensor Heads(Linear projection) => projection.forward(input).view(-1, seqLen, heads, headDim).transpose(1, 2);
                var context = (drop.Attention > 0
                        ? Attend(Heads(layer.Query), Heads(layer.Key), Heads(layer.Value), additive, drop, headDim)
                        : F.scaled_dot_product_attention(Heads(layer.Query), Heads(layer.Key), Heads(layer.Value), additive))
                    .transpose(1, 2).reshape(-1, seqLen, hidden);
                // BertSelfOutput and BertOutput: LayerNorm(dropout(dense(·)) + residual), post-LN.
                var attended = layer.AttentionNorm.forward(drop.Apply(layer.AttentionOutput.forward(context), drop.Hidden) + input);
                var inner = F.gelu(layer.Intermediate.forward(attended)); // exact erf GELU, HF's "gelu"
                x = scope.MoveToOuter(layer.OutputNorm.forward(drop.Apply(layer.Output.forward(inner), drop.Hidden) + attended));
                input.Dispose();
            }
        }
        return x;
    }

    private static Tensor Attend(Tensor q, Tensor k, Tensor v, Tensor? additive, Dropout drop, long headDim)
    {
        var scores = q.matmul(k.transpose(-1, -2)).mul_(1.0 / Math.Sqrt(headDim));
        if (additive is not null) scores.add_(additive);
        return drop.Apply(scores.softmax(-1), drop.Attention).matmul(v);
    }

    /// <summary>HF BertPooler: tanh(dense(hidden state of the first token)), (batch, hidden).</summary>
    public Tensor Pool(Tensor lastHidden)
    {
        using var first = lastHidden.select(1, 0);
        using var dense = Required(_pooler, "pooler").forward(first);
        return dense.tanh();
    }

    /// <summary>Classification logits (batch, labels) from the pooled output, with the classifier's dropout.</summary>
    public Tensor Classify(Tensor pooled, Dropout drop)
    {
        using var dropped = drop.Apply(pooled, drop.Classifier);
        return Required(_classifier, "classification").forward(dropped);
    }

    /// <summary>Masked-LM logits (rows, vocab) of the given token rows (int64 indexes into batch·seqLen).</summary>
    public Tensor MaskedLmLogits(Tensor lastHidden, Tensor rows)
    {
        using var scope = NewDisposeScope();
        var gathered = lastHidden.reshape(-1, _config.HiddenSize).index_select(0, rows);
        var transformed = Required(_mlmNorm, "masked-LM").forward(F.gelu(_mlmTransform!.forward(gathered)));
        return scope.MoveToOuter(F.linear(transformed, _word.weight!, _mlmBias));
    }

    private static T Required<T>(T? module, string head)
        where T : class => module ?? throw new InvalidOperationException($"This model has no {head} head.");
}
