using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Data;

public sealed partial class TaskDatasetTests : IDisposable
{
    private readonly TempFiles _files = new();
    private readonly DataOperationsCatalog _data = new MLContext(1).Data;

    public void Dispose() => _files.Dispose();

    public sealed class Pair
    {
        public string Label { get; set; } = "";

        public string Sentence1 { get; set; } = "";

        public string Sentence2 { get; set; } = "";
    }

    public sealed class SingleRow
    {
        public string Label { get; set; } = "";

        public string Sentence1 { get; set; } = "";
    }

    private static string Shared(string relative) => Path.Combine(Fixtures.SharedData!, relative);

    [Fact]
    public void UerTsvIsDetectedAndQuotesAreOrdinaryCharacters()
    {
        string path = _files.Write("train.tsv", "label\ttext_a\n1\t\"好\"书,值得\n0\t差\n\t没有标签\n");
        var view = _data.LoadTaskDataset(path);
        Assert.Equal(TaskFormat.UerTsv, view.Format);
        Assert.Equal([TaskColumns.Label, TaskColumns.Sentence1], view.Schema.Select(c => c.Name));
        var rows = _data.CreateEnumerable<SingleRow>(view, false).ToList();
        Assert.Equal(["1", "0"], rows.Select(r => r.Label));
        Assert.Equal("\"好\"书,值得", rows[0].Sentence1);
        var report = view.GetLoadReport();
        Assert.Equal(1, report.SkippedRows);
        Assert.Equal(1, report.SkippedReasons["no gold label (empty)"]);
    }

    [Fact]
    public void UerPairHeaderInAnyOrderAndUnlabeledFiles()
    {
        var pair = _data.LoadTaskDataset(_files.Write("p.tsv", "text_a\ttext_b\tlabel\n甲\t乙\t1\n"));
        Assert.Equal([TaskColumns.Label, TaskColumns.Sentence1, TaskColumns.Sentence2], pair.Schema.Select(c => c.Name));
        var row = Assert.Single(_data.CreateEnumerable<Pair>(pair, false));
        Assert.Equal(("1", "甲", "乙"), (row.Label, row.Sentence1, row.Sentence2));

        var unlabeled = _data.LoadTaskDataset(_files.Write("test_nolabel.tsv", "text_a\n只有文本\n"));
        Assert.Equal([TaskColumns.Sentence1], unlabeled.Schema.Select(c => c.Name));
    }

    [Fact]
    public void LcqmcIsDetectedWithoutHeaderAndNeedsThreeFields()
    {
        string path = _files.Write("lcqmc.txt", "喜欢打篮球的男生喜欢什么样的女生\t爱打篮球的男生喜欢什么样的女生\t1\n我手机丢了\t求助\t0\n多一个\t字段\t1\t2\n");
        var ex = Assert.Throws<DataFormatException>(() => _data.LoadTaskDataset(path));
        Assert.Equal(3, ex.LineNumber);
        Assert.Contains("expected 3 fields", ex.Problem, StringComparison.Ordinal);

        var lenient = _data.LoadTaskDataset(path, TaskFormat.Lcqmc, MalformedRowHandling.Skip);
        Assert.Equal(TaskFormat.Lcqmc, lenient.Format);
        var rows = _data.CreateEnumerable<Pair>(lenient, false).ToList();
        Assert.Equal(["1", "0"], rows.Select(r => r.Label));
        Assert.Equal("求助", rows[1].Sentence2);
        Assert.Equal(1, lenient.GetLoadReport().SkippedReasons["wrong field count"]);
    }

    [Fact]
    public void ClueJsonWithOddKeysNumericLabelsAndDashLabels()
    {
        string path = _files.Write("dev.json",
            "{\"premise\":\"他在跑步\",\"hypo\":\"他在运动\",\"label\":\"entailment\",\"extra\":{\"a\":[1,2]}}\n" +
            "{\"premise\":\"天很蓝\",\"hypo\":\"下雨了\",\"label\":\"-\"}\n" +
            "{\"hypo\":\"数字标签\",\"label\":2,\"premise\":\"键的顺序不同\"}\n" +
            "\n" +
            "{\"premise\":\"没有标签键\",\"hypo\":\"x\"}\n");
        var view = _data.LoadTaskDataset(path);
        Assert.Equal(TaskFormat.ClueJson, view.Format);
        var rows = _data.CreateEnumerable<Pair>(view, false).ToList();
        Assert.Equal(["entailment", "2"], rows.Select(r => r.Label));
        Assert.Equal(2, view.GetRowCount());
        Assert.Equal("键的顺序不同", rows[1].Sentence1);
        var report = view.GetLoadReport();
        Assert.Equal(2, report.SkippedRows);
        Assert.Equal(1, report.SkippedReasons["no gold label (\"-\")"]);
        Assert.Equal(1, report.SkippedReasons["no gold label (empty)"]);
    }

    [Fact]
    public void ClueJsonInvalidLineOrMissingTextNamesFileAndLine()
    {
        string path = _files.Write("bad.json", "{\"sentence\":\"好\",\"label\":\"1\"}\n{\"sentence\":\"坏\",\"label\":\"0\"\n{\"label\":\"1\"}\n");
        var ex = Assert.Throws<DataFormatException>(() => _data.LoadTaskDataset(path));
        Assert.Equal(2, ex.LineNumber);
        Assert.Contains("invalid JSON", ex.Problem, StringComparison.Ordinal);
        Assert.Contains("bad.json, line 2", ex.Message, StringComparison.Ordinal);

        var lenient = _data.LoadTaskDataset(path, onMalformedRow: MalformedRowHandling.Skip);
        Assert.Single(_data.CreateEnumerable<SingleRow>(lenient, false));
        var report = lenient.GetLoadReport();
        Assert.Equal(1, report.SkippedReasons["invalid JSON"]);
        Assert.Equal(1, report.SkippedReasons["missing key"]);
    }

    [Fact]
    public void XnliDevKeepsZhRowsAndRenamesContradictory()
    {
        string path = _files.Write("xnli.dev.tsv",
            "language\tgold_label\tx2\tx3\tx4\tx5\tsentence1\tsentence2\n" +
            "en\tneutral\t.\t.\t.\t.\tHe runs\tHe moves\n" +
            "zh\tcontradictory\t.\t.\t.\t.\t他跑\t他睡\n");
        var view = _data.LoadTaskDataset(path, TaskFormat.Tsv);
        var row = Assert.Single(_data.CreateEnumerable<Pair>(view, false));
        Assert.Equal(("contradiction", "他跑", "他睡"), (row.Label, row.Sentence1, row.Sentence2));
        Assert.Equal(1, view.GetLoadReport().SkippedReasons["language is not zh"]);
    }

    [Fact]
    public void CsvTaskFileUsesQuoting()
    {
        var view = _data.LoadTaskDataset(_files.Write("t.csv", "sentence,label\n\"好，很好, really\",1\n"));
        Assert.Equal(TaskFormat.Csv, view.Format);
        Assert.Equal("好，很好, really", Assert.Single(_data.CreateEnumerable<SingleRow>(view, false)).Sentence1);
    }

    [Fact]
    public void UndetectableFormatSaysWhatWasExpected()
    {
        var ex = Assert.Throws<DataFormatException>(() => _data.LoadTaskDataset(_files.Write("x.txt", "just some text\n")));
        Assert.Equal(1, ex.LineNumber);
        Assert.Contains("cannot detect the task format", ex.Problem, StringComparison.Ordinal);
    }

    [SharedDataTheory]
    [InlineData("datasets/chnsenticorp/train.tsv", 9600)]
    [InlineData("datasets/chnsenticorp/dev.tsv", 1200)]
    [InlineData("datasets/book_review/train.tsv", 20000)]
    [InlineData("datasets/small/chnsenticorp/train.tsv", 500)]
    public void RealUerFilesLoadWithTheirRowCounts(string relative, int rows)
    {
        var view = _data.LoadTaskDataset(Shared(relative));
        Assert.Equal(TaskFormat.UerTsv, view.Format);
        var labels = _data.CreateEnumerable<SingleRow>(view, false).Select(r => r.Label).ToList();
        Assert.Equal(rows, labels.Count);
        Assert.Equal(["0", "1"], labels.Distinct().Order());
        Assert.Equal(0, view.GetLoadReport().SkippedRows);
    }

    [SharedDataFact]
    public void RealOcnliSkipsAndCountsDashLabels()
    {
        string path = Shared("datasets/ocnli/train.3k.json");
        int lines = File.ReadLines(path).Count(l => l.Length > 0);
        int dashes = File.ReadLines(path).Count(l => l.Contains("\"label\":\"-\"", StringComparison.Ordinal));
        Assert.True(dashes > 0);
        var view = _data.LoadTaskDataset(path);
        var rows = _data.CreateEnumerable<Pair>(view, false).ToList();
        Assert.Equal(lines - dashes, rows.Count);
        Assert.Equal(["contradiction", "entailment", "neutral"], rows.Select(r => r.Label).Distinct().Order());
        var report = view.GetLoadReport();
        Assert.Equal(dashes, report.SkippedRows);
        Assert.Equal(dashes, report.SkippedReasons["no gold label (\"-\")"]);
    }
}
