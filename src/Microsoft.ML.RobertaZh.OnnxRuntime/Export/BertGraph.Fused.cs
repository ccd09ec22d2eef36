using DataType = Onnx.TensorProto.Types.DataType;
using static Microsoft.ML.RobertaZh.OnnxRuntime.Export.GraphBuilder;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Export;

internal sealed partial class BertGraph
{
    // The same computation with ONNX Runtime's com.microsoft contrib operators (onnxruntime docs/ContribOperators.md):
    // EmbedLayerNormalization = LayerNorm(word + position + token type); Attention = the whole self-attention with one
    // (hidden, 3·hidden) QKV weight and a 2-D 0/1 mask; SkipLayerNormalization = LayerNorm(x + skip + bias);
    // BiasGelu = exact-erf GELU(x + bias).
    private string FusedLayers()
    {
        int h = _c.HiddenSize;
        string ids = _g.Node("Cast", ["input_ids"], Attr("to", (long)DataType.Int32));
        string types = _g.Node("Cast", ["token_type_ids"], Attr("to", (long)DataType.Int32));
        string mask = _g.Node("Cast", ["attention_mask"], Attr("to", (long)DataType.Int32));
        var embedded = _g.Node("EmbedLayerNormalization",
            [ids, types, Weight("bert.embeddings.word_embeddings.weight"), PositionTable(), Weight("bert.embeddings.token_type_embeddings.weight"),
             Weight("bert.embeddings.LayerNorm.weight"), Weight("bert.embeddings.LayerNorm.bias")],
            [Attr("epsilon", _c.LayerNormEps)], MicrosoftDomain, outputCount: 2);
        string x = embedded[0];

        for (int l = 0; l < _c.NumHiddenLayers; l++)
        {
            string p = $"bert.encoder.layer.{l}.";
            // Query, key and value weights sit back to back as one (3·hidden, hidden) block; transposed it is the
            // (hidden, 3·hidden) matrix Attention wants, and the three biases form its (3·hidden) bias.
            var query = _model.Layout[p + "attention.self.query.weight"];
            var queryBias = _model.Layout[p + "attention.self.query.bias"];
            string qkv = _g.Initializer(p + "attention.self.qkv.weight.T",
                Transpose(_model.Parameters.AsSpan(query.Offset, 3 * h * h), 3 * h, h), h, 3 * h);
            string qkvBias = _g.Initializer(p + "attention.self.qkv.bias",
                new ReadOnlyMemory<float>(_model.Parameters, queryBias.Offset, 3 * h), 3 * h);
            string context = _g.Node("Attention", [x, qkv, qkvBias, mask],
                [Attr("num_heads", (long)_c.NumAttentionHeads)], MicrosoftDomain).Single();

            string attention = SkipLayerNorm(MatMul(context, p + "attention.output.dense.weight"), x, p + "attention.output");
            string intermediate = _g.Node("BiasGelu", [MatMul(attention, p + "intermediate.dense.weight"), Weight(p + "intermediate.dense.bias")],
                [], MicrosoftDomain).Single();
            x = SkipLayerNorm(MatMul(intermediate, p + "output.dense.weight"), attention, p + "output");
        }
        return x;
    }

    // LayerNorm(dense output + residual + dense bias) with the config's epsilon.
    private string SkipLayerNorm(string denseOutput, string residual, string prefix) =>
        _g.Node("SkipLayerNormalization",
            [denseOutput, residual, Weight(prefix + ".LayerNorm.weight"), Weight(prefix + ".LayerNorm.bias"), Weight(prefix + ".dense.bias")],
            [Attr("epsilon", _c.LayerNormEps)], MicrosoftDomain).Single();
}
