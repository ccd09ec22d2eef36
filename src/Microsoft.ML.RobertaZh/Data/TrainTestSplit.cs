#pragma warning disable CA1822 // Catalog operations are instance members, as in ML.NET, so they are reached from the context.
namespace Microsoft.ML.RobertaZh.Data;

public sealed partial class DataOperationsCatalog
{
    /// <summary>
    /// Splits <paramref name="data"/> into a train and a test view (ML.NET's <c>TrainTestSplit</c>); the two are disjoint
    /// and together hold every row, and the same seed gives the same split. Without
    /// <paramref name="samplingKeyColumnName"/> exactly round(n·<paramref name="testFraction"/>) rows, drawn at random,
    /// go to the test set (the rows are counted once, lazily). With it, rows whose key column has the same value go
    /// to the same side (for example OCNLI's prem_id, so a premise is not in both), and the test fraction is approximate.
    /// </summary>
    public TrainTestData TrainTestSplit(IDataView data, double testFraction = 0.1, string? samplingKeyColumnName = null, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(testFraction >= 0 && testFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be in [0, 1].");
        int s = ResolveSeed(seed);
        if (samplingKeyColumnName is not null)
        {
            var key = data.Schema[samplingKeyColumnName];
            return new TrainTestData(KeySplit(data, key, testFraction, s, test: false), KeySplit(data, key, testFraction, s, test: true));
        }

        var assignment = new Lazy<bool[]>(() =>
        {
            long n = data.GetRowCount() ?? CountRows(data);
            var order = Enumerable.Range(0, checked((int)n)).ToArray();
            new Random(s).Shuffle(order);
            var isTest = new bool[n];
            int testCount = (int)Math.Round(n * testFraction, MidpointRounding.AwayFromZero);
            for (int i = 0; i < testCount; i++) isTest[order[i]] = true;
            return isTest;
        });
        return new TrainTestData(IndexSplit(data, assignment, test: false), IndexSplit(data, assignment, test: true));
    }

    private static DerivedDataView IndexSplit(IDataView data, Lazy<bool[]> assignment, bool test) =>
        new DerivedDataView(data.Schema, (active, _) => Rows(data, active, assignment, test),
            () => data.GetRowCount() is null && !assignment.IsValueCreated ? null : assignment.Value.LongCount(t => t == test));

    private static IEnumerable<object?[]> Rows(IDataView data, bool[] active, Lazy<bool[]> assignment, bool test)
    {
        var isTest = assignment.Value;
        long i = 0;
        foreach (var row in DataViewRows.Read(data, active))
        {
            if (i >= isTest.Length) throw new InvalidOperationException("The data view produced more rows than when it was counted for TrainTestSplit.");
            if (isTest[i++] == test) yield return row;
        }
    }

    private static DerivedDataView KeySplit(IDataView data, DataViewSchema.Column key, double testFraction, int seed, bool test)
    {
        return new DerivedDataView(data.Schema, (active, _) => Filter(active), () => null);

        IEnumerable<object?[]> Filter(bool[] active)
        {
            var withKey = (bool[])active.Clone();
            withKey[key.Index] = true;
            foreach (var row in DataViewRows.Read(data, withKey))
            {
                // A seeded hash of the key's text maps each key to [0, 1): below the fraction goes to test.
                string text = row[key.Index] is ReadOnlyMemory<char> m ? m.ToString() : Convert.ToString(row[key.Index], System.Globalization.CultureInfo.InvariantCulture) ?? "";
                ulong h = KeyHash(text, seed);
                bool isTest = (h >> 11) * (1.0 / (1UL << 53)) < testFraction;
                if (isTest != test) continue;
                if (!active[key.Index]) row[key.Index] = null;
                yield return row;
            }
        }
    }

    /// <summary>FNV-1a over the UTF-16 units, then a SplitMix64 finalizer mixed with the seed: stable across runs and platforms.</summary>
    private static ulong KeyHash(string text, int seed)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in text) h = (h ^ c) * 1099511628211UL;
        h ^= (ulong)(uint)seed * 0x9E3779B97F4A7C15UL;
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
        return h ^ (h >> 31);
    }

    private static long CountRows(IDataView data)
    {
        using var cursor = data.GetRowCursor([]);
        long n = 0;
        while (cursor.MoveNext()) n++;
        return n;
    }

    /// <summary>The two views of <see cref="TrainTestSplit"/>.</summary>
    /// <param name="TrainSet">The training rows.</param>
    /// <param name="TestSet">The test rows.</param>
    public sealed record TrainTestData(IDataView TrainSet, IDataView TestSet);
}
