using System.Diagnostics;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// Single-precision general matrix multiply on row-major matrices:
/// C[m,n] = op(A)[m,k] · op(B)[k,n] (+ C when accumulating) (+ bias[n] per row).
/// op(X) is X or Xᵀ. Leading dimensions are row strides in elements.
/// </summary>
internal static partial class Gemm
{
    /// <summary>
    /// C = op(A)·op(B) (+ bias broadcast over rows), or C += op(A)·op(B) when <paramref name="accumulate"/>.
    /// A is stored (m,k) with stride lda, or (k,m) when <paramref name="transA"/>; B is stored (k,n) with stride ldb,
    /// or (n,k) when <paramref name="transB"/>; C is (m,n) with stride ldc. <paramref name="bias"/> is empty or length n.
    /// When <paramref name="parallel"/> is false the call runs on the calling thread only (for callers that already
    /// parallelize over independent products, such as attention over batch × heads).
    /// </summary>
    public static void Multiply(
        bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc,
        bool accumulate = false,
        ReadOnlySpan<float> bias = default,
        bool parallel = true)
    {
        Debug.Assert(bias.IsEmpty || bias.Length >= n);
        MultiplyNaive(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias);
    }

    /// <summary>The scalar specification every optimized path is checked against.</summary>
    internal static void MultiplyNaive(
        bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc,
        bool accumulate, ReadOnlySpan<float> bias)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                }
                if (!bias.IsEmpty) sum += bias[j];
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum;
            }
        }
    }
}
