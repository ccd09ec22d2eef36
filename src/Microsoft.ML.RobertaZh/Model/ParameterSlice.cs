namespace Microsoft.ML.RobertaZh.Model;

/// <summary>A named tensor inside one of the model's flat buffers (parameters, gradients, optimizer moments).</summary>
/// <param name="Name">Hugging Face name, for example <c>bert.encoder.layer.0.attention.self.query.weight</c>.</param>
/// <param name="Shape">PyTorch shape, for example (out, in) for a linear weight.</param>
/// <param name="Offset">First element in the flat buffer.</param>
/// <param name="Length">Number of elements (the product of <paramref name="Shape"/>).</param>
/// <param name="WeightDecay">Whether AdamW decays it (not biases and LayerNorm weights).</param>
public sealed record ParameterSlice(string Name, IReadOnlyList<int> Shape, int Offset, int Length, bool WeightDecay)
{
    /// <summary>This tensor's elements in <paramref name="buffer"/>.</summary>
    public Span<float> Of(float[] buffer) => buffer.AsSpan(Offset, Length);
}
