using System.Text;
using Microsoft.ML.RobertaZh.Data;

namespace Microsoft.ML.RobertaZh.Tests.Data;

public sealed class TextLoaderTests : IDisposable
{
    private readonly TempFiles _files = new();
    private readonly DataOperationsCatalog _data = new RobertaZhContext(1).Data;

    public void Dispose() => _files.Dispose();

    private static List<string[]> ReadAll(IDataView view)
    {
        using var cursor = view.GetRowCursor(view.Schema);
        var getters = view.Schema.Select(c => c.Type == TextDataViewType.Instance ? Text(cursor, c) : Other(cursor, c)).ToArray();
        var rows = new List<string[]>();
        while (cursor.MoveNext()) rows.Add(getters.Select(g => g()).ToArray());
        return rows;

        static Func<string> Text(DataViewRowCursor cursor, DataViewSchema.Column c)
        {
            var g = cursor.GetGetter<string>(c);
            return () =>
            {
                string s = "";
                g(ref s);
                return s;
            };
        }

        static Func<string> Other(DataViewRowCursor cursor, DataViewSchema.Column c)
        {
            var g = cursor.GetGetter<float>(c);
            return () =>
            {
                float f = 0;
                g(ref f);
                return f.ToString(System.Globalization.CultureInfo.InvariantCulture);
            };
        }
    }

    [Fact]
    public void HeaderNamesTheColumnsWhenNoneAreGiven()
    {
        var view = _data.LoadFromTextFile(_files.Write("a.tsv", "label\ttext_a\n1\t好\n0\t差\n"), new TextLoader.Options { HasHeader = true });
        Assert.Equal(["label", "text_a"], view.Schema.Select(c => c.Name));
        Assert.Equal([["1", "好"], ["0", "差"]], ReadAll(view));
        Assert.Equal(2, view.GetLoadReport().Rows);
    }

    [Fact]
    public void WithoutHeaderTheFirstLineIsDataAndColumnsAreNumbered()
    {
        var view = _data.LoadFromTextFile(_files.Write("a.tsv", "label\ttext_a\n1\t好\n"));
        Assert.Equal(["Column0", "Column1"], view.Schema.Select(c => c.Name));
        Assert.Equal([["label", "text_a"], ["1", "好"]], ReadAll(view));
    }

    [Fact]
    public void ColumnsMapByIndexOrHeaderNameWithTypes()
    {
        string path = _files.Write("a.csv", "id,score,text\n7,0.5,甲\n8,1.5,乙\n");
        var view = _data.LoadFromTextFile(path, new TextLoader.Options
        {
            Separators = [','], HasHeader = true,
            Columns = [new("Text", DataKind.String, "text"), new("Score", DataKind.Single, 1)],
        });
        Assert.Equal(["Text", "Score"], view.Schema.Select(c => c.Name));
        Assert.Same(NumberDataViewType.Single, view.Schema["Score"].Type);
        Assert.Equal([["甲", "0.5"], ["乙", "1.5"]], ReadAll(view));

        var ex = Assert.Throws<ArgumentException>(() => _data.LoadFromTextFile(path, new TextLoader.Options
        {
            Separators = [','], HasHeader = true, Columns = [new("Text", DataKind.String, "sentence")],
        }));
        Assert.Contains("no header field 'sentence'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("id, score, text", ex.Message, StringComparison.Ordinal);
    }

    private sealed class Row
    {
        [LoadColumn(0)]
        public string Label { get; set; } = "";

        [LoadColumn(1), ColumnName("Sentence1")]
        public string Text { get; set; } = "";
    }

    [Fact]
    public void LoadFromTextFileOfTReadsLoadColumnMembers()
    {
        var view = _data.LoadFromTextFile<Row>(_files.Write("a.tsv", "label\ttext_a\n1\t好\n"), hasHeader: true);
        var rows = _data.CreateEnumerable<Row>(view, false).ToList();
        Assert.Equal("好", Assert.Single(rows).Text);
        Assert.Equal("Sentence1", view.Schema[1].Name);
    }

    [Fact]
    public void QuotingFollowsRfc4180WhenAllowed()
    {
        string path = _files.Write("q.csv", "a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\nplain,\"\"\n");
        var quoted = _data.LoadFromTextFile(path, new TextLoader.Options { Separators = [','], HasHeader = true, AllowQuoting = true });
        Assert.Equal([["x, y", "say \"hi\""], ["two\nlines", "z"], ["plain", ""]], ReadAll(quoted));

        // Without quoting a quote is an ordinary character (UER/CLUE behaviour), so "x, y" splits and the row is malformed.
        var plain = _data.LoadFromTextFile(path, new TextLoader.Options { Separators = [','], HasHeader = true });
        var ex = Assert.Throws<DataFormatException>(() => ReadAll(plain));
        Assert.Equal(2, ex.LineNumber);
        Assert.Contains("expected 2 fields", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnterminatedQuoteNamesFileAndLine()
    {
        string path = _files.Write("u.csv", "a,b\n1,2\n\"open,3\n4,5\n");
        var view = _data.LoadFromTextFile(path, new TextLoader.Options { Separators = [','], HasHeader = true, AllowQuoting = true });
        var ex = Assert.Throws<DataFormatException>(() => ReadAll(view));
        Assert.Equal(path, ex.FilePath);
        Assert.Equal(3, ex.LineNumber);
        Assert.Contains("unterminated quoted field", ex.Problem, StringComparison.Ordinal);
        Assert.StartsWith(path + ", line 3: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedRowsThrowOrAreSkippedAndCounted()
    {
        string path = _files.Write("m.tsv", "label\tscore\n1\t0.5\n2\n3\tabc\n4\t1\textra\n5\t2\n");
        var options = new TextLoader.Options { HasHeader = true, Columns = [new("Label", DataKind.String, 0), new("Score", DataKind.Single, 1)] };
        var strict = _data.LoadFromTextFile(path, options);
        var ex = Assert.Throws<DataFormatException>(() => ReadAll(strict));
        Assert.Equal(3, ex.LineNumber);
        Assert.Contains("expected 2 fields (as in the header), separated by TAB, but found 1", ex.Problem, StringComparison.Ordinal);

        options.OnMalformedRow = MalformedRowHandling.Skip;
        var lenient = _data.LoadFromTextFile(path, options);
        Assert.Equal([["1", "0.5"], ["5", "2"]], ReadAll(lenient));
        var report = lenient.GetLoadReport();
        Assert.Equal(2, report.Rows);
        Assert.Equal(3, report.SkippedRows);
        Assert.Equal(2, report.SkippedReasons["wrong field count"]);
        Assert.Equal(1, report.SkippedReasons["bad value"]);
        Assert.Contains(report.SkippedExamples, e => e.StartsWith("line 4: column 'Score' (field 2): cannot parse 'abc' as Single", StringComparison.Ordinal));
        Assert.Equal(2, lenient.GetRowCount());
    }

    [Fact]
    public void TrimWhitespaceTrimsFieldsAndBlankLinesAreIgnored()
    {
        string path = _files.Write("t.tsv", "a\tb\n  x \t y\n\n   \nz\tw\r\n");
        var trimmed = _data.LoadFromTextFile(path, new TextLoader.Options { HasHeader = true, TrimWhitespace = true });
        Assert.Equal([["x", "y"], ["z", "w"]], ReadAll(trimmed));
    }

    [Fact]
    public void CursorReadsLazilySoAMalformedTailIsNotReachedByTakeRows()
    {
        // 200,000 good rows and then a malformed one: reading the first rows must succeed without touching the tail.
        var sb = new StringBuilder("label\ttext_a\n");
        for (int i = 0; i < 200_000; i++) sb.Append(i % 2).Append("\t这是第").Append(i).Append("条评论\n");
        sb.Append("oops-no-tab\n");
        string path = _files.Write("big.tsv", sb.ToString());
        var view = _data.LoadFromTextFile(path, new TextLoader.Options { HasHeader = true });
        Assert.Null(view.GetRowCount());
        var first = ReadAll(_data.TakeRows(view, 5));
        Assert.Equal(5, first.Count);
        Assert.Equal(["1", "这是第1条评论"], first[1]);

        using (var cursor = view.GetRowCursor([]))
        {
            for (int i = 0; i < 1000; i++) Assert.True(cursor.MoveNext());
            Assert.Equal(999, cursor.Position);
        }

        var ex = Assert.Throws<DataFormatException>(() => ReadAll(view));
        Assert.Equal(200_002, ex.LineNumber);
    }
}
