using Microsoft.ML.RobertaZh.Data;

namespace Microsoft.ML.RobertaZh.Tests.Data;

public sealed class DataViewTests
{
    private sealed class Review
    {
        [ColumnName("Label")]
        public string Sentiment { get; set; } = "";

        public string Text { get; set; } = "";

        public float Weight { get; set; }

        [VectorType(3)]
        public float[] Features { get; set; } = [];

        [NoColumn]
        public string Ignored { get; set; } = "x";
    }

    private sealed class LabelOnly
    {
        public string Label { get; set; } = "";
    }

    private static readonly Review[] Reviews =
    [
        new() { Sentiment = "1", Text = "很好", Weight = 0.5f, Features = [1, 2, 3] },
        new() { Sentiment = "0", Text = "太差了", Weight = 2f, Features = [4, 5, 6] },
    ];

    [Fact]
    public void LoadFromEnumerableMapsMembersAttributesAndTypes()
    {
        var view = new RobertaZhContext(1).Data.LoadFromEnumerable(Reviews);
        Assert.Equal(["Label", "Text", "Weight", "Features"], view.Schema.Select(c => c.Name));
        Assert.Same(TextDataViewType.Instance, view.Schema["Label"].Type);
        Assert.Same(NumberDataViewType.Single, view.Schema["Weight"].Type);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3), view.Schema["Features"].Type);
        Assert.Equal(2, view.GetRowCount());

        using var cursor = view.GetRowCursor(view.Schema);
        var text = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema["Text"]);
        var textAsString = cursor.GetGetter<string>(view.Schema["Text"]);
        var features = cursor.GetGetter<VBuffer<float>>(view.Schema["Features"]);
        var featuresArray = cursor.GetGetter<float[]>(view.Schema["Features"]);
        Assert.Equal(-1, cursor.Position);
        Assert.True(cursor.MoveNext());
        Assert.True(cursor.MoveNext());
        Assert.Equal(1, cursor.Position);
        ReadOnlyMemory<char> m = default;
        text(ref m);
        string s = "";
        textAsString(ref s);
        Assert.Equal("太差了", m.ToString());
        Assert.Equal("太差了", s);
        VBuffer<float> v = default;
        features(ref v);
        Assert.Equal([4f, 5f, 6f], v.GetValues().ToArray());
        float[] a = [];
        featuresArray(ref a);
        Assert.Equal([4f, 5f, 6f], a);
        Assert.False(cursor.MoveNext());
    }

    [Fact]
    public void CreateEnumerableRoundTripsThroughAttributes()
    {
        var data = new RobertaZhContext(1).Data;
        var back = data.CreateEnumerable<Review>(data.LoadFromEnumerable(Reviews), reuseRowObject: false).ToList();
        Assert.Equal(2, back.Count);
        Assert.Equal("0", back[1].Sentiment);
        Assert.Equal("太差了", back[1].Text);
        Assert.Equal(2f, back[1].Weight);
        Assert.Equal([1f, 2f, 3f], back[0].Features);
        Assert.Equal("x", back[0].Ignored);
        Assert.NotSame(back[0], back[1]);

        var reused = data.CreateEnumerable<Review>(data.LoadFromEnumerable(Reviews), reuseRowObject: true).ToList();
        Assert.Same(reused[0], reused[1]);
    }

    [Fact]
    public void CreateEnumerableMissingColumnIsAnErrorNamingIt()
    {
        var data = new RobertaZhContext(1).Data;
        var view = data.LoadFromEnumerable(new[] { new LabelOnly { Label = "a" } });
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => data.CreateEnumerable<Review>(view, false).ToList());
        Assert.Contains("'Text'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Label (String)", ex.Message, StringComparison.Ordinal);
        Assert.Single(data.CreateEnumerable<Review>(view, false, ignoreMissingColumns: true));
    }

    [Fact]
    public void SchemaUnknownColumnListsAvailableColumns()
    {
        var view = new RobertaZhContext(1).Data.LoadFromEnumerable(Reviews);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => view.Schema["Sentence1"]);
        Assert.Contains("'Sentence1' not found", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Label (String), Text (String), Weight (Single), Features (Vector<Single, 3>)", ex.Message, StringComparison.Ordinal);
        Assert.Null(view.Schema.GetColumnOrNull("Sentence1"));
    }

    [Fact]
    public void GetterWrongTypeOrInactiveColumnThrowsClearly()
    {
        var view = new RobertaZhContext(1).Data.LoadFromEnumerable(Reviews);
        using var cursor = view.GetRowCursor([view.Schema["Weight"]]);
        Assert.True(cursor.IsColumnActive(view.Schema["Weight"]));
        Assert.False(cursor.IsColumnActive(view.Schema["Text"]));
        var wrong = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<double>(view.Schema["Weight"]));
        Assert.Contains("Single", wrong.Message, StringComparison.Ordinal);
        var inactive = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<string>(view.Schema["Text"]));
        Assert.Contains("not active", inactive.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TakeSkipAndShuffleAreLazyAndDeterministic()
    {
        var data = new RobertaZhContext(7).Data;
        var rows = Enumerable.Range(0, 100).Select(i => new LabelOnly { Label = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ToList();
        var view = data.LoadFromEnumerable(rows);
        Assert.Equal(["0", "1", "2"], data.CreateEnumerable<LabelOnly>(data.TakeRows(view, 3), false).Select(r => r.Label));
        Assert.Equal(["98", "99"], data.CreateEnumerable<LabelOnly>(data.SkipRows(view, 98), false).Select(r => r.Label));
        var a = data.CreateEnumerable<LabelOnly>(data.ShuffleRows(view, seed: 3, shufflePoolSize: 10), false).Select(r => r.Label).ToList();
        var b = data.CreateEnumerable<LabelOnly>(data.ShuffleRows(view, seed: 3, shufflePoolSize: 10), false).Select(r => r.Label).ToList();
        Assert.Equal(a, b);
        Assert.NotEqual(rows.Select(r => r.Label), a);
        Assert.Equal(rows.Select(r => r.Label).Order(), a.Order());
    }

    [Fact]
    public void TrainTestSplitIsExactDisjointCompleteAndSeeded()
    {
        var data = new RobertaZhContext(1).Data;
        var rows = Enumerable.Range(0, 200).Select(i => new LabelOnly { Label = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ToList();
        var view = data.LoadFromEnumerable(rows);
        var split = data.TrainTestSplit(view, testFraction: 0.25, seed: 42);
        var train = data.CreateEnumerable<LabelOnly>(split.TrainSet, false).Select(r => r.Label).ToList();
        var test = data.CreateEnumerable<LabelOnly>(split.TestSet, false).Select(r => r.Label).ToList();
        Assert.Equal(50, test.Count);
        Assert.Equal(150, train.Count);
        Assert.Empty(train.Intersect(test));
        Assert.Equal(200, train.Union(test).Count());
        var again = data.TrainTestSplit(view, testFraction: 0.25, seed: 42);
        Assert.Equal(test, data.CreateEnumerable<LabelOnly>(again.TestSet, false).Select(r => r.Label));
        var other = data.TrainTestSplit(view, testFraction: 0.25, seed: 43);
        Assert.NotEqual(test, data.CreateEnumerable<LabelOnly>(other.TestSet, false).Select(r => r.Label));
        var (trainSet, testSet) = split;
        Assert.Equal(150, trainSet.GetRowCount());
        Assert.Equal(50, testSet.GetRowCount());
    }

    [Fact]
    public void TrainTestSplitByKeyKeepsGroupsTogether()
    {
        var data = new RobertaZhContext(1).Data;
        var rows = Enumerable.Range(0, 300).Select(i => new LabelOnly { Label = "g" + (i % 30).ToString(System.Globalization.CultureInfo.InvariantCulture) }).ToList();
        var split = data.TrainTestSplit(data.LoadFromEnumerable(rows), 0.3, samplingKeyColumnName: "Label", seed: 5);
        var train = data.CreateEnumerable<LabelOnly>(split.TrainSet, false).Select(r => r.Label).ToHashSet();
        var test = data.CreateEnumerable<LabelOnly>(split.TestSet, false).Select(r => r.Label).ToHashSet();
        Assert.Empty(train.Intersect(test));
        Assert.Equal(30, train.Count + test.Count);
        Assert.NotEmpty(test);
    }
}
