namespace Microsoft.ML.RobertaZh.Training;

/// <summary>Clipping by global norm, as torch.nn.utils.clip_grad_norm_ with the L2 norm.</summary>
public static class GradientClipping
{
    /// <summary>The L2 norm of all of <paramref name="gradients"/>, accumulated in double.</summary>
    public static double GlobalNorm(ReadOnlySpan<float> gradients)
    {
        double sum = 0;
        const int Chunk = 4096;
        // Float sums over short chunks are exact enough; the chunk totals are added in double.
        for (int i = 0; i < gradients.Length; i += Chunk)
            sum += System.Numerics.Tensors.TensorPrimitives.SumOfSquares(gradients.Slice(i, Math.Min(Chunk, gradients.Length - i)));
        return Math.Sqrt(sum);
    }

    /// <summary>
    /// Scales <paramref name="gradients"/> by max_norm / (norm + 1e-6) when that factor is below 1; returns the norm
    /// before clipping (torch's return value).
    /// </summary>
    public static double ClipByGlobalNorm(Span<float> gradients, double maxNorm)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "must be positive.");
        double norm = GlobalNorm(gradients);
        double coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1)
            System.Numerics.Tensors.TensorPrimitives.Multiply(gradients, (float)coefficient, gradients);
        return norm;
    }
}
