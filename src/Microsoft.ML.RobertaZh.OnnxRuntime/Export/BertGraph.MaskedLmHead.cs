using DataType = Onnx.TensorProto.Types.DataType;
using static Microsoft.ML.RobertaZh.OnnxRuntime.Export.GraphBuilder;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Export;

internal sealed partial class BertGraph
{
    /// <summary>The input of <see cref="BuildMaskedLmHeadOnly"/>: float (rows, hidden) final hidden states.</summary>
    public const string HeadInput = "hidden_states";

    /// <summary>The output of <see cref="BuildMaskedLmHeadOnly"/>: float (rows, vocab) log-probabilities.</summary>
    public const string HeadOutput = "log_probabilities";

    /// <summary>
    /// The masked-LM head alone, over any number of token rows of final hidden states: log_softmax(LayerNorm(gelu(dense(h)))
    /// · word_embeddingsᵀ + bias). The engine runs it on the rows it is asked for, so that a fill-mask or held-out pass
    /// does not compute (batch·seq, vocab) logits it throws away.
    /// </summary>
    public IReadOnlyList<string> BuildMaskedLmHeadOnly()
    {
        if (!_model.Heads.MaskedLm) throw new InvalidOperationException("The model has no masked-LM head.");
        _g.Input(HeadInput, DataType.Float, "rows", _c.HiddenSize);
        string t = Gelu(Linear(HeadInput, "cls.predictions.transform.dense"));
        t = LayerNorm(t, "cls.predictions.transform.LayerNorm");
        string logits = _g.Node("Gemm", [t, Weight("bert.embeddings.word_embeddings.weight"), Weight("cls.predictions.bias")], Attr("transB", 1L));
        string logProbs = Rename(_g.Node("LogSoftmax", [logits], Attr("axis", -1L)), HeadOutput);
        _g.Output(logProbs, DataType.Float, "rows", _c.VocabSize);
        return [logProbs];
    }
}
