using Microsoft.ML.RobertaZh.Model;
using DataType = Onnx.TensorProto.Types.DataType;
using static Microsoft.ML.RobertaZh.OnnxRuntime.Export.GraphBuilder;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Export;

/// <summary>
/// Writes Hugging Face's BertModel / BertForSequenceClassification / BertForMaskedLM forward pass as standard ONNX
/// operators, in the shapes torch.onnx gives it: (batch, seq, hidden) activations, MatMul against (in, out) weights plus
/// Add, heads split with Reshape/Transpose. With <see cref="Fused"/>, the embeddings and transformer layers use ONNX
/// Runtime's com.microsoft operators instead (<see cref="FusedLayers"/>).
/// </summary>
internal sealed partial class BertGraph
{
    private const string MicrosoftDomain = "com.microsoft";
    private readonly GraphBuilder _g;
    private readonly BertModel _model;
    private readonly BertConfig _c;
    private readonly int _opset;
    private readonly int _maxSequenceLength;

    public BertGraph(GraphBuilder g, BertModel model, int opset, int maxSequenceLength, bool fused)
    {
        _g = g;
        _model = model;
        _c = model.Config;
        _opset = opset;
        _maxSequenceLength = maxSequenceLength;
        Fused = fused;
    }

    /// <summary>Whether the embeddings and layers use ONNX Runtime's fused contrib operators.</summary>
    public bool Fused { get; }

    /// <summary>Builds the graph for <paramref name="task"/>; returns the output names.</summary>
    public IReadOnlyList<string> Build(Metadata.OnnxModelTask task, bool pooler)
    {
        int h = _c.HiddenSize;
        // Hugging Face's export names and types: int64 ids with dynamic batch and sequence axes.
        _g.Input("input_ids", DataType.Int64, "batch_size", "sequence_length");
        _g.Input("attention_mask", DataType.Int64, "batch_size", "sequence_length");
        _g.Input("token_type_ids", DataType.Int64, "batch_size", "sequence_length");

        string hidden = Fused ? FusedLayers() : PlainLayers();
        hidden = Rename(hidden, "last_hidden_state");
        var outputs = new List<string> { hidden };
        _g.Output(hidden, DataType.Float, "batch_size", "sequence_length", h);

        if (task == Metadata.OnnxModelTask.FillMask)
        {
            string logits = Rename(MaskedLmHead(hidden), "logits");
            _g.Output(logits, DataType.Float, "batch_size", "sequence_length", _c.VocabSize);
            outputs.Add(logits);
            return outputs;
        }
        if (pooler)
        {
            string pooled = Rename(Pooler(hidden), "pooler_output");
            _g.Output(pooled, DataType.Float, "batch_size", h);
            outputs.Add(pooled);
            if (task == Metadata.OnnxModelTask.Classifier)
            {
                // BertForSequenceClassification: classifier(dropout(pooled)); dropout is the identity at inference.
                string logits = Rename(Linear(pooled, "classifier"), "logits");
                _g.Output(logits, DataType.Float, "batch_size", _model.Heads.NumLabels);
                outputs.Add(logits);
                // softmax(logits): ML.NET's multiclass evaluator reads class probabilities from a vector of known size,
                // which ApplyOnnxModel gives for this output; Hugging Face consumers fetch "logits" and ignore it.
                string probabilities = Rename(_g.Node("Softmax", [logits], Attr("axis", -1L)), "probabilities");
                _g.Output(probabilities, DataType.Float, "batch_size", _model.Heads.NumLabels);
                outputs.Add(probabilities);
            }
        }
        return outputs;
    }

    private string PlainLayers()
    {
        // HF BertEmbeddings: word + token type, then + position (absolute positions 0..seq-1, whatever the padding).
        string words = _g.Node("Gather", Weight("bert.embeddings.word_embeddings.weight"), "input_ids");
        string types = _g.Node("Gather", Weight("bert.embeddings.token_type_embeddings.weight"), "token_type_ids");
        string seqLen = _g.Node("Slice", _g.Node("Shape", "input_ids"), _g.Int64s(1), _g.Int64s(2), _g.Int64s(0));
        string positions = _g.Node("Slice", PositionTable(), _g.Int64s(0), seqLen, _g.Int64s(0));
        string embeddings = _g.Node("Add", _g.Node("Add", words, types), positions);
        string x = LayerNorm(embeddings, "bert.embeddings.LayerNorm");

        // HF get_extended_attention_mask: (1 - mask) · finfo(float32).min, shaped (batch, 1, 1, seq), added to the scores.
        string mask = _g.Node("Cast", ["attention_mask"], Attr("to", (long)DataType.Float));
        mask = _g.Node("Unsqueeze", mask, _g.Int64s(1, 2));
        mask = _g.Node("Mul", _g.Node("Sub", _g.FloatScalar(1f), mask), _g.FloatScalar(float.MinValue));

        for (int l = 0; l < _c.NumHiddenLayers; l++)
            x = PlainLayer(x, mask, $"bert.encoder.layer.{l}.");
        return x;
    }

    private string PlainLayer(string x, string mask, string p)
    {
        int heads = _c.NumAttentionHeads, headSize = _c.HeadSize;
        // BertSelfAttention: per-head softmax(Q·Kᵀ / √headSize + mask) · V.
        string q = SplitHeads(Linear(x, p + "attention.self.query"), [0, 2, 1, 3]);
        string kT = SplitHeads(Linear(x, p + "attention.self.key"), [0, 2, 3, 1]);
        string v = SplitHeads(Linear(x, p + "attention.self.value"), [0, 2, 1, 3]);
        string scores = _g.Node("Div", _g.Node("MatMul", q, kT), _g.FloatScalar(MathF.Sqrt(headSize)));
        string probs = _g.Node("Softmax", [_g.Node("Add", scores, mask)], Attr("axis", -1L));
        string context = _g.Node("Transpose", [_g.Node("MatMul", probs, v)], Attr("perm", new long[] { 0, 2, 1, 3 }));
        context = _g.Node("Reshape", context, _g.Int64s(0, 0, (long)heads * headSize));
        // BertSelfOutput and BertOutput: LayerNorm(dense(.) + residual); dropout is the identity at inference.
        string attention = LayerNorm(_g.Node("Add", Linear(context, p + "attention.output.dense"), x), p + "attention.output.LayerNorm");
        string intermediate = Gelu(Linear(attention, p + "intermediate.dense"));
        return LayerNorm(_g.Node("Add", Linear(intermediate, p + "output.dense"), attention), p + "output.LayerNorm");
    }

    // (batch, seq, hidden) → (batch, seq, heads, headSize) → permuted.
    private string SplitHeads(string x, long[] perm)
    {
        string split = _g.Node("Reshape", x, _g.Int64s(0, 0, _c.NumAttentionHeads, _c.HeadSize));
        return _g.Node("Transpose", [split], Attr("perm", perm));
    }

    // HF BertPooler: tanh(dense(hidden state of the first token)).
    private string Pooler(string hidden)
    {
        string first = _g.Node("Gather", [hidden, _g.Int64Scalar(0)], Attr("axis", 1L));
        return _g.Node("Tanh", Linear(first, "bert.pooler.dense"));
    }

    // HF BertOnlyMLMHead: LayerNorm(gelu(dense(h))) · word_embeddingsᵀ + bias. The decoder is tied to the word
    // embeddings, so the product is a Gemm with transB over the (batch·seq, hidden) view: the table is stored once.
    private string MaskedLmHead(string hidden)
    {
        string t = Fused
            ? _g.Node("BiasGelu", [MatMul(hidden, "cls.predictions.transform.dense.weight"), Weight("cls.predictions.transform.dense.bias")], [], MicrosoftDomain).Single()
            : Gelu(Linear(hidden, "cls.predictions.transform.dense"));
        t = LayerNorm(t, "cls.predictions.transform.LayerNorm");
        string flat = _g.Node("Reshape", t, _g.Int64s(-1, _c.HiddenSize));
        string logits = _g.Node("Gemm", [flat, Weight("bert.embeddings.word_embeddings.weight"), Weight("cls.predictions.bias")], Attr("transB", 1L));
        string batchAndSeq = _g.Node("Slice", _g.Node("Shape", "input_ids"), _g.Int64s(0), _g.Int64s(2), _g.Int64s(0));
        string shape = _g.Node("Concat", [batchAndSeq, _g.Int64s(_c.VocabSize)], Attr("axis", 0L));
        return _g.Node("Reshape", logits, shape);
    }

    // nn.Linear: x · Wᵀ + b, with W stored transposed as torch.onnx does.
    private string Linear(string x, string prefix) => _g.Node("Add", MatMul(x, prefix + ".weight"), Weight(prefix + ".bias"));

    private string MatMul(string x, string weightName) => _g.Node("MatMul", x, TransposedWeight(weightName));

    // HF "gelu" = exact erf form: x · 0.5 · (1 + erf(x / √2)), the node sequence torch.onnx writes for it.
    private string Gelu(string x)
    {
        string erf = _g.Node("Erf", _g.Node("Div", x, _g.FloatScalar(MathF.Sqrt(2f))));
        return _g.Node("Mul", _g.Node("Mul", x, _g.Node("Add", erf, _g.FloatScalar(1f))), _g.FloatScalar(0.5f));
    }

    // LayerNorm over the last axis with the config's epsilon (HF: nn.LayerNorm(hidden, eps=layer_norm_eps), 1e-12 for BERT).
    private string LayerNorm(string x, string prefix)
    {
        string gamma = Weight(prefix + ".weight"), beta = Weight(prefix + ".bias");
        float eps = _c.LayerNormEps;
        if (_opset >= 17)
            return _g.Node("LayerNormalization", [x, gamma, beta], Attr("axis", -1L), Attr("epsilon", eps));
        // Before opset 17: biased variance, epsilon inside the square root, as nn.LayerNorm.
        var axes = Attr("axes", new long[] { -1 });
        string mean = _g.Node("ReduceMean", [x], axes);
        string centered = _g.Node("Sub", x, mean);
        string variance = _g.Node("ReduceMean", [_g.Node("Mul", centered, centered)], axes);
        string std = _g.Node("Sqrt", _g.Node("Add", variance, _g.FloatScalar(eps)));
        return _g.Node("Add", _g.Node("Mul", _g.Node("Div", centered, std), gamma), beta);
    }

    // The first rows of the position table: the graph accepts sequences up to the export's maximum length.
    private string PositionTable()
    {
        const string name = "bert.embeddings.position_embeddings.weight";
        if (_g.HasInitializer(name)) return name;
        var slice = _model.Layout[name];
        int rows = _maxSequenceLength, h = _c.HiddenSize;
        return _g.Initializer(name, new ReadOnlyMemory<float>(_model.Parameters, slice.Offset, rows * h), rows, h);
    }

    // A parameter as stored by the model, shared by every use.
    private string Weight(string name)
    {
        if (name == "bert.embeddings.position_embeddings.weight") return PositionTable();
        if (_g.HasInitializer(name)) return name;
        var slice = _model.Layout[name];
        return _g.Initializer(name, new ReadOnlyMemory<float>(_model.Parameters, slice.Offset, slice.Length), [.. slice.Shape.Select(d => (long)d)]);
    }

    // An (out, in) linear weight as the (in, out) matrix MatMul multiplies by (one transposed copy; named *.weight.T).
    private string TransposedWeight(string name)
    {
        var slice = _model.Layout[name];
        int rows = slice.Shape[0], cols = slice.Shape[1];
        return _g.Initializer(name + ".T", Transpose(_model.Parameters.AsSpan(slice.Offset, slice.Length), rows, cols), cols, rows);
    }

    internal static float[] Transpose(ReadOnlySpan<float> source, int rows, int cols)
    {
        var result = new float[source.Length];
        const int block = 32; // tiles keep both the reads and the strided writes in cache
        for (int r0 = 0; r0 < rows; r0 += block)
            for (int c0 = 0; c0 < cols; c0 += block)
                for (int r = r0; r < Math.Min(r0 + block, rows); r++)
                    for (int c = c0; c < Math.Min(c0 + block, cols); c++)
                        result[c * rows + r] = source[r * cols + c];
        return result;
    }

    private string Rename(string value, string name)
    {
        var producer = _g.Graph.Node.Last(n => n.Output.Contains(value));
        producer.Output[producer.Output.IndexOf(value)] = name;
        foreach (var node in _g.Graph.Node)
            for (int i = 0; i < node.Input.Count; i++)
                if (node.Input[i] == value) node.Input[i] = name;
        return name;
    }
}
