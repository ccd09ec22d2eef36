using System.Text;
using Microsoft.ML.RobertaZh.Data;

namespace Microsoft.ML.RobertaZh.Tests.Data;

/// <summary>Bad input in task files: labels unlike the rest, invalid UTF-8, quoting; each an error naming file, line and value, or skipped and counted.</summary>
public sealed partial class TaskDatasetTests
{
    [Fact]
    public void AWordAmongIntegerLabelsNamesFileLineAndValue()
    {
        var sb = new StringBuilder("label\ttext_a\n");
        for (int i = 0; i < 20; i++) sb.Append(i % 2).Append("\t第").Append(i).Append("条\n");
        sb.Insert(sb.ToString().IndexOf("1\t第7条", StringComparison.Ordinal), "abc\t打错的标签\n");
        string path = _files.Write("typo.tsv", sb.ToString());
        var ex = Assert.Throws<DataFormatException>(() => _data.LoadTaskDataset(path));
        Assert.Equal(path, ex.FilePath);
        Assert.Equal(9, ex.LineNumber);
        Assert.Contains("label 'abc' is not an integer, unlike the other 20 labels", ex.Message, StringComparison.Ordinal);

        var skipped = _data.LoadTaskDataset(path, onMalformedRow: MalformedRowHandling.Skip);
        Assert.Equal(20, skipped.GetRowCount());
        Assert.Equal(20, _data.CreateEnumerable<SingleRow>(skipped, false).Count());
        Assert.Equal(1, skipped.GetLoadReport().SkippedReasons["label unlike the rest"]);
        Assert.Equal(21, _data.LoadTaskDataset(path, new TaskDatasetOptions { CheckLabels = false }).GetRowCount());
    }

    [Fact]
    public void AClassSeenOnceInALargeFileIsAnError()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 1200; i++) sb.Append("{\"sentence1\":\"句子").Append(i).Append("\",\"sentence2\":\"对\",\"label\":\"").Append(i % 2 == 0 ? "entailment" : "neutral").Append("\"}\n");
        sb.Append("{\"sentence1\":\"句子\",\"sentence2\":\"对\",\"label\":\"entailmnet\"}\n");
        string path = _files.Write("once.json", sb.ToString());
        var ex = Assert.Throws<DataFormatException>(() => _data.LoadTaskDataset(path));
        Assert.Equal(1201, ex.LineNumber);
        Assert.Contains("'entailmnet' occurs only once", ex.Message, StringComparison.Ordinal);
        // A small file keeps its rare classes.
        string small = _files.Write("small.json", string.Join("\n", File.ReadLines(path).Skip(1100)));
        Assert.Equal(101, _data.LoadTaskDataset(small).GetRowCount());
    }

    [Fact]
    public void InvalidUtf8NamesFileAndLineUnlessSkippedAndCounted()
    {
        string path = Path.Combine(_files.Root, "bad-utf8.tsv");
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.UTF8.GetBytes("label\ttext_a\n1\t好\n"));
        bytes.AddRange([(byte)'0', (byte)'\t', 0xE5, 0xA5, (byte)'\n']); // a cut multi-byte character
        bytes.AddRange(Encoding.UTF8.GetBytes("1\t很好\n"));
        File.WriteAllBytes(path, [.. bytes]);
        var ex = Assert.Throws<DataFormatException>(() => _data.LoadTaskDataset(path));
        Assert.Equal(3, ex.LineNumber);
        Assert.Contains("invalid UTF-8", ex.Problem, StringComparison.Ordinal);
        Assert.StartsWith(path + ", line 3: ", ex.Message, StringComparison.Ordinal);

        var lenient = _data.LoadTaskDataset(path, onMalformedRow: MalformedRowHandling.Skip);
        Assert.Equal(["好", "很好"], _data.CreateEnumerable<SingleRow>(lenient, false).Select(r => r.Sentence1));
        Assert.Equal(1, lenient.GetLoadReport().SkippedReasons["invalid UTF-8"]);
    }

    [Fact]
    public void CsvQuotingAndAnUnterminatedQuoteNameTheLine()
    {
        string ok = _files.Write("q.csv", "sentence,label\n\"x, \"\"y\"\"\",1\n\"two\nlines\",0\n");
        Assert.Equal(["x, \"y\"", "two\nlines"], _data.CreateEnumerable<SingleRow>(_data.LoadTaskDataset(ok), false).Select(r => r.Sentence1));
        string bad = _files.Write("u.csv", "sentence,label\n好,1\n\"open,0\n坏,0\n");
        var ex = Assert.Throws<DataFormatException>(() => _data.LoadTaskDataset(bad));
        Assert.Equal(3, ex.LineNumber);
        Assert.Contains("unterminated quoted field", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonLinesLoadWithInferredTypes()
    {
        string path = _files.Write("x.jsonl", "{\"text\":\"好\",\"score\":0.5,\"ok\":true}\n{\"text\":\"坏\",\"score\":1,\"ok\":false}\n");
        var view = _data.LoadFromJsonLines(path);
        Assert.Equal(["text", "score", "ok"], view.Schema.Select(c => c.Name));
        Assert.Equal(NumberDataViewType.Single, view.Schema["score"].Type);
        Assert.Equal(BooleanDataViewType.Instance, view.Schema["ok"].Type);
        var rows = _data.CreateEnumerable<JsonRow>(view, false).ToList();
        Assert.Equal([0.5f, 1f], rows.Select(r => r.score));
        Assert.Equal([true, false], rows.Select(r => r.ok));
    }

#pragma warning disable IDE1006, SA1300 // Members named as the JSON keys they receive.
    public sealed class JsonRow
    {
        public string text { get; set; } = "";

        public float score { get; set; }

        public bool ok { get; set; }
    }
#pragma warning restore IDE1006, SA1300
}
