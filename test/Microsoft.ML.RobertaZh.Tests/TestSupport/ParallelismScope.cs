using Microsoft.ML.RobertaZh.Tensors.Kernels;

namespace Microsoft.ML.RobertaZh.Tests.TestSupport;

/// <summary>
/// Temporarily sets <see cref="KernelParallel.MaxDegreeOfParallelism"/> (results never depend on it; only speed).
/// Test classes that use it belong to the <see cref="Collection"/> collection so that xunit never runs two of them at
/// once: otherwise interleaved save/restore could leave the process-wide setting at 1 and silently turn the
/// "parallel" half of a thread-count comparison serial.
/// </summary>
internal sealed class ParallelismScope : IDisposable
{
    public const string Collection = "KernelParallelism";

    private readonly int saved;

    public ParallelismScope(int maxDegree)
    {
        saved = KernelParallel.MaxDegreeOfParallelism;
        KernelParallel.MaxDegreeOfParallelism = maxDegree;
    }

    public void Dispose() => KernelParallel.MaxDegreeOfParallelism = saved;
}
