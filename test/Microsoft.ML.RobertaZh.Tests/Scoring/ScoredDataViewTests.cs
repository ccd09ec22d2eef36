using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Scoring;

namespace Microsoft.ML.RobertaZh.Tests.Scoring;

/// <summary>The lazy, batched output view with a scorer that counts its calls (one call = one forward pass).</summary>
public class ScoredDataViewTests
{
    private sealed class CountingScorer(int batchSize) : IBatchScorer
    {
        public int Calls;
        public int Rows;

        public int BatchSize => batchSize;

        public IReadOnlyList<string> InputColumnNames { get; } = ["Text"];

        public IReadOnlyList<OutputColumn> Outputs { get; } = [new("Length", NumberDataViewType.Single, new DataViewSchema.Annotations.Builder().ToAnnotations())];

        public float[][] Score(IReadOnlyList<(string Text, string? Pair)> rows)
        {
            Interlocked.Increment(ref Calls);
            Interlocked.Add(ref Rows, rows.Count);
            return [.. rows.Select(r => new[] { (float)r.Text.Length })];
        }

        public Delegate MakeGetter(int output, Func<float[]> current) => (ValueGetter<float>)((ref float v) => v = current()[0]);
    }

    public sealed class Row
    {
        public string Text { get; set; } = "";
    }

    public sealed class Scored
    {
        public string Text { get; set; } = "";

        public float Length { get; set; }
    }

    private static (IDataView View, CountingScorer Scorer, MLContext Ml) Make(int rows, int batch)
    {
        var ml = new MLContext(seed: 1);
        var input = ml.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(i => new Row { Text = new string('x', i + 1) }).ToList());
        var scorer = new CountingScorer(batch);
        return (new ScoredDataView(input, ClassifierSchema.Append(input.Schema, scorer.Outputs), scorer), scorer, ml);
    }

    [Fact]
    public void OneScoringCallPerBatchAndNoneBeforeTheOutputIsRead()
    {
        var (view, scorer, ml) = Make(18, 4);
        var rows = ml.Data.CreateEnumerable<Row>(view, reuseRowObject: false).ToList();
        Assert.Equal(18, rows.Count);
        Assert.Equal(0, scorer.Calls); // the output column was not asked for
        var scored = ml.Data.CreateEnumerable<Scored>(view, reuseRowObject: false).ToList();
        Assert.Equal(5, scorer.Calls);
        Assert.Equal(18, scorer.Rows);
        Assert.All(scored, s => Assert.Equal(s.Text.Length, s.Length));
    }

    [Fact]
    public void AShuffledCursorScoresRowByRowAndKeepsEveryRow()
    {
        var (view, scorer, ml) = Make(18, 4);
        var shuffled = ml.Data.ShuffleRows(view, seed: 3);
        var scored = ml.Data.CreateEnumerable<Scored>(shuffled, reuseRowObject: false).ToList();
        Assert.Equal(18, scored.Count);
        Assert.All(scored, s => Assert.Equal(s.Text.Length, s.Length));
        Assert.Equal(18, scored.Select(s => s.Text).Distinct().Count());
    }

    [Fact]
    public void SeveralCursorsAtOnceEachGetTheirOwnBatches()
    {
        var (view, _, ml) = Make(30, 7);
        var results = new List<Scored>[4];
        Parallel.For(0, 4, i => results[i] = [.. ml.Data.CreateEnumerable<Scored>(view, reuseRowObject: false)]);
        Assert.All(results, r => Assert.Equal(Enumerable.Range(1, 30).Select(n => (float)n), r.Select(s => s.Length)));
    }

    [Fact]
    public void SkippedRowsAreNotScored()
    {
        var (view, scorer, ml) = Make(40, 4);
        var column = view.Schema["Length"];
        using var cursor = view.GetRowCursor([column]);
        var get = cursor.GetGetter<float>(column);
        float v = 0;
        for (int i = 0; i < 30; i++) Assert.True(cursor.MoveNext());
        get(ref v);
        Assert.Equal(30f, v);
        Assert.Equal(1, scorer.Calls);
        Assert.Equal(4, scorer.Rows);
    }
}
