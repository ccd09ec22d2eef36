using System.Runtime.ExceptionServices;

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

    /// <summary>Threads a kernel may use: <see cref="MaxDegreeOfParallelism"/> when set, at most the core count.</summary>
    public static int Threads => MaxDegreeOfParallelism > 0 ? Math.Min(MaxDegreeOfParallelism, Environment.ProcessorCount) : Environment.ProcessorCount;

    /// <summary>True when a job of <paramref name="work"/> elements split into <paramref name="chunks"/> chunks should run in parallel.</summary>
    public static bool ShouldParallelize(long work, int chunks) =>
        chunks > 1 && work >= MinParallelWork && MaxDegreeOfParallelism != 1 && Environment.ProcessorCount > 1;

    /// <summary>Runs <paramref name="body"/> for chunk indices 0 … <paramref name="chunks"/>−1, in parallel.</summary>
    public static void For(int chunks, Action<int> body)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism };
        Parallel.For(0, chunks, options, body);
    }

    /// <summary>
    /// <see cref="For"/> for items of unequal size, ordered largest first by the caller (sequences by length): the
    /// calling thread and up to MaxDegreeOfParallelism − 1 thread-pool helpers claim items one at a time, in index
    /// order, from one counter, so whichever core is free takes the next largest item and the loop ends with the small
    /// ones. (Parallel.For hands each worker a share of the range and grows the pieces it takes, which on the 2-core
    /// target left one core idle for the last long sequences: tiny int8 on ChnSentiCorp dev spent 15–20% longer, see
    /// eval/README.md.) The caller waits only for items already claimed, never for a helper to start. The first
    /// exception an item throws is rethrown once every claimed item has finished; items not yet started are skipped.
    /// </summary>
    public static void ForLargestFirst(int items, Action<int> body)
    {
        int threads = Math.Min(Threads, items);
        if (threads <= 1)
        {
            for (int item = 0; item < items; item++) body(item);
            return;
        }
        var loop = new ClaimedLoop(items, body);
        for (int t = 1; t < threads; t++) ThreadPool.UnsafeQueueUserWorkItem(loop, preferLocal: false);
        loop.Execute();
        loop.WaitForClaimed();
        loop.Error?.Throw();
    }

    /// <summary>One <see cref="ForLargestFirst"/> call: items claimed from a counter by whichever thread asks first.</summary>
    private sealed class ClaimedLoop(int items, Action<int> body) : IThreadPoolWorkItem
    {
        private int _next, _finished;
        private ExceptionDispatchInfo? _error;

        public ExceptionDispatchInfo? Error => Volatile.Read(ref _error);

        public void Execute()
        {
            int item;
            while ((item = Interlocked.Increment(ref _next) - 1) < items)
            {
                try
                {
                    if (Volatile.Read(ref _error) is null) body(item);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null);
                }
                finally
                {
                    Interlocked.Increment(ref _finished);
                }
            }
        }

        /// <summary>Spins (yielding, never sleeping a whole millisecond) until every item is finished.</summary>
        public void WaitForClaimed()
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref _finished) < items) spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Number of chunks of <paramref name="chunkSize"/> items covering <paramref name="count"/> items.</summary>
    public static int ChunkCount(int count, int chunkSize) => (int)(((long)count + chunkSize - 1) / chunkSize);
}
