using System.Diagnostics;
using System.Numerics.Tensors;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// Fully connected (linear) layer, forward and backward side by side, with llm.c's argument order
/// (outputs first, then inputs, then sizes). All tensors are dense row-major float spans.
/// The weight is stored (outFeatures, inFeatures), as in PyTorch's <c>nn.Linear</c>.
/// </summary>
internal static class MatMul
{
    /// <summary>
    /// output (rows, outFeatures) = input (rows, inFeatures) · weight (outFeatures, inFeatures)ᵀ + bias (outFeatures).
    /// </summary>
    /// <param name="output">Overwritten; length rows·outFeatures.</param>
    /// <param name="input">Length rows·inFeatures.</param>
    /// <param name="weight">Length outFeatures·inFeatures, row o holds the weights of output feature o.</param>
    /// <param name="bias">Length outFeatures, or empty for no bias.</param>
    /// <param name="rows">Number of rows (batch × sequence positions).</param>
    /// <param name="inFeatures">Input width.</param>
    /// <param name="outFeatures">Output width.</param>
    public static void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, int rows, int inFeatures, int outFeatures)
    {
        CheckShapes(output.Length, input.Length, weight.Length, bias.Length, rows, inFeatures, outFeatures);
        Gemm.Multiply(transA: false, transB: true, rows, outFeatures, inFeatures,
            input, inFeatures, weight, inFeatures, output, outFeatures, accumulate: false, bias);
    }

    /// <summary>
    /// Backward pass of <see cref="Forward"/>. Every gradient is ADDED to (not written into) its buffer, so
    /// gradients of shared parameters accumulate across calls; zero them first when that is not wanted.
    /// <list type="bullet">
    /// <item>dInput (rows, inFeatures) += dOutput · weight; skipped when <paramref name="dInput"/> is empty.</item>
    /// <item>dWeight (outFeatures, inFeatures) += dOutputᵀ · input.</item>
    /// <item>dBias (outFeatures) += column sums of dOutput; skipped when <paramref name="dBias"/> is empty.</item>
    /// </list>
    /// </summary>
    /// <param name="dInput">Gradient w.r.t. the input, length rows·inFeatures, or empty.</param>
    /// <param name="dWeight">Gradient w.r.t. the weight, length outFeatures·inFeatures.</param>
    /// <param name="dBias">Gradient w.r.t. the bias, length outFeatures, or empty.</param>
    /// <param name="dOutput">Gradient w.r.t. the output, length rows·outFeatures.</param>
    /// <param name="input">The forward input, length rows·inFeatures.</param>
    /// <param name="weight">The forward weight, length outFeatures·inFeatures.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="inFeatures">Input width.</param>
    /// <param name="outFeatures">Output width.</param>
    /// <param name="accumulateInput">False to overwrite <paramref name="dInput"/> (equal to clearing it first, without
    /// the extra pass, and the product then does not read it); the weight and bias gradients always accumulate.</param>
    public static void Backward(Span<float> dInput, Span<float> dWeight, Span<float> dBias,
        ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input, ReadOnlySpan<float> weight,
        int rows, int inFeatures, int outFeatures, bool accumulateInput = true)
    {
        CheckShapes(dOutput.Length, input.Length, weight.Length, dBias.Length, rows, inFeatures, outFeatures);
        if (dWeight.Length != outFeatures * inFeatures)
            throw new ArgumentException("dWeight must have outFeatures·inFeatures elements.", nameof(dWeight));
        if (!dInput.IsEmpty && dInput.Length != rows * inFeatures)
            throw new ArgumentException("dInput must be empty or have rows·inFeatures elements.", nameof(dInput));

        if (!dInput.IsEmpty)
        {
            // (rows, out) · (out, in): plain A·B.
            Gemm.Multiply(transA: false, transB: false, rows, inFeatures, outFeatures,
                dOutput, outFeatures, weight, inFeatures, dInput, inFeatures, accumulate: accumulateInput);
        }

        // (out, rows) · (rows, in) with dOutput read transposed: Aᵀ·B, k = rows is the long dimension.
        Gemm.Multiply(transA: true, transB: false, outFeatures, inFeatures, rows,
            dOutput, outFeatures, input, inFeatures, dWeight, inFeatures, accumulate: true);

        if (!dBias.IsEmpty)
        {
            // Row-by-row vector adds read dOutput sequentially; this is memory-bound and tiny next to the GEMMs.
            for (int r = 0; r < rows; r++)
                TensorPrimitives.Add(dBias, dOutput.Slice(r * outFeatures, outFeatures), dBias);
        }
    }

    private static void CheckShapes(int outputLength, int inputLength, int weightLength, int biasLength,
        int rows, int inFeatures, int outFeatures)
    {
        Debug.Assert(rows >= 0 && inFeatures >= 0 && outFeatures >= 0);
        if (rows < 0 || inFeatures < 0 || outFeatures < 0)
            throw new ArgumentOutOfRangeException(nameof(rows), "Sizes must be non-negative.");
        if (outputLength != rows * outFeatures)
            throw new ArgumentException("output/dOutput must have rows·outFeatures elements.", nameof(outputLength));
        if (inputLength != rows * inFeatures)
            throw new ArgumentException("input must have rows·inFeatures elements.", nameof(inputLength));
        if (weightLength != outFeatures * inFeatures)
            throw new ArgumentException("weight must have outFeatures·inFeatures elements.", nameof(weightLength));
        if (biasLength != 0 && biasLength != outFeatures)
            throw new ArgumentException("bias/dBias must be empty or have outFeatures elements.", nameof(biasLength));
    }
}
