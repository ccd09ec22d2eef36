namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// Chunked parallel loops for the elementwise and row-wise kernels. Work is always cut into the same chunks for a
/// given problem size (never depending on the number of threads), so every kernel whose chunks write disjoint outputs
/// or reduce per-chunk partials in a fixed order gives bit-identical results whatever the thread count.
/// <para>
/// Kernels take their parallel path only above <see cref="MinParallelWork"/>; there the delegate/closure and
/// Parallel.For bookkeeping allocate a few small objects per call, negligible against the work. Below it (and for the
/// per-row helpers called inside attention) nothing is allocated.
/// </para>
/// </summary>
internal static class KernelParallel
{
    /// <summary>
    /// Below this many elements of work a call stays on the calling thread: on the 2-core target a Parallel.For costs
    /// a few microseconds, which only pays off above roughly this size for the cheap kernels here.
    /// </summary>
    public const long MinParallelWork = 1 << 15;

    /// <summary>
    /// Upper bound on threads used by kernels; -1 (default) means all cores. Results never depend on it, tests set it
    /// to 1 to prove that.
    /// </summary>
    public static int MaxDegreeOfParallelism { get; set; } = -1;

    /// <summary>True when a job of <paramref name="work"/> elements split into <paramref name="chunks"/> chunks should run in parallel.</summary>
    public static bool ShouldParallelize(long work, int chunks) =>
        chunks > 1 && work >= MinParallelWork && MaxDegreeOfParallelism != 1 && Environment.ProcessorCount > 1;

    /// <summary>Runs <paramref name="body"/> for chunk indices 0 … <paramref name="chunks"/>−1, in parallel.</summary>
    public static void For(int chunks, Action<int> body)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism };
        Parallel.For(0, chunks, options, body);
    }

    /// <summary>Number of chunks of <paramref name="chunkSize"/> items covering <paramref name="count"/> items.</summary>
    public static int ChunkCount(int count, int chunkSize) => (int)(((long)count + chunkSize - 1) / chunkSize);
}
