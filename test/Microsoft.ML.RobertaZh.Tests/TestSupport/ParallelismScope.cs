using Microsoft.ML.RobertaZh.Tensors.Kernels;

namespace Microsoft.ML.RobertaZh.Tests.TestSupport;

/// <summary>Temporarily sets <see cref="KernelParallel.MaxDegreeOfParallelism"/> (results never depend on it; only speed).</summary>
internal sealed class ParallelismScope : IDisposable
{
    private readonly int saved;

    public ParallelismScope(int maxDegree)
    {
        saved = KernelParallel.MaxDegreeOfParallelism;
        KernelParallel.MaxDegreeOfParallelism = maxDegree;
    }

    public void Dispose() => KernelParallel.MaxDegreeOfParallelism = saved;
}
