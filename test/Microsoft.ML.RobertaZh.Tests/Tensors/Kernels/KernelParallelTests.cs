using Microsoft.ML.RobertaZh.Tensors.Kernels;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Tensors.Kernels;

[Collection(ParallelismScope.Collection)]
public class KernelParallelTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(1000)]
    public void ForLargestFirstRunsEveryItemExactlyOnce(int items)
    {
        var runs = new int[items];
        var threads = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        KernelParallel.ForLargestFirst(items, i =>
        {
            Interlocked.Increment(ref runs[i]);
            threads[Environment.CurrentManagedThreadId] = true;
            if (i % 50 == 0) Thread.SpinWait(20_000); // uneven items, so a second thread has time to join
        });
        Assert.All(runs, count => Assert.Equal(1, count));
        Assert.True(threads.Count <= Math.Max(1, Environment.ProcessorCount), $"{threads.Count} threads on {Environment.ProcessorCount} cores");
    }

    [Fact]
    public void ForLargestFirstStaysOnTheCallingThreadWithParallelismOne()
    {
        using var scope = new ParallelismScope(1);
        int caller = Environment.CurrentManagedThreadId;
        var order = new List<int>();
        KernelParallel.ForLargestFirst(20, i =>
        {
            Assert.Equal(caller, Environment.CurrentManagedThreadId);
            order.Add(i);
        });
        Assert.Equal(Enumerable.Range(0, 20), order);
    }

    [Fact]
    public void ForLargestFirstReturnsOnlyAfterEveryClaimedItemFinished()
    {
        // The caller holds item 0 until a helper has claimed item 1, which is long: the caller must then wait for it.
        int caller = Environment.CurrentManagedThreadId, finished = 0;
        bool helperStarted = false;
        KernelParallel.ForLargestFirst(2, i =>
        {
            if (Environment.CurrentManagedThreadId != caller)
            {
                Volatile.Write(ref helperStarted, true);
                Thread.Sleep(50);
            }
            else if (i == 0)
            {
                SpinWait.SpinUntil(() => Volatile.Read(ref helperStarted), 2000); // one core: no helper, the caller runs both
            }
            Interlocked.Increment(ref finished);
        });
        Assert.Equal(2, Volatile.Read(ref finished));
    }

    [Fact]
    public void ForLargestFirstRethrowsTheItemsExceptionAndSkipsUnstartedItems()
    {
        int ran = 0;
        var error = Assert.Throws<InvalidOperationException>(() => KernelParallel.ForLargestFirst(10_000, i =>
        {
            Interlocked.Increment(ref ran);
            if (i == 3) throw new InvalidOperationException("item 3 failed");
            Thread.SpinWait(200);
        }));
        Assert.Equal("item 3 failed", error.Message);
        Assert.True(Volatile.Read(ref ran) < 10_000, $"{ran} items ran after the failure");
    }
}
