using System.Text;
using Microsoft.ML.RobertaZh.Pretraining;

namespace Microsoft.ML.RobertaZh.Tests.Pretraining;

public sealed class CorpusReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string text) => WriteBytes(Encoding.UTF8.GetBytes(text));

    private string WriteBytes(byte[] bytes)
    {
        string path = _dir.File(Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void DocumentPerLineSplitsSentencesAndSkipsBlankLines()
    {
        string path = Write("第一句。第二句！\n\n  \n只有一句\r\n最后<eop>一行。没有换行");
        var docs = CorpusReader.Read(path, CorpusFormat.DocumentPerLine).ToList();
        Assert.Equal(3, docs.Count);
        Assert.Equal(["第一句。", "第二句！"], docs[0].Sentences);
        Assert.Equal(["只有一句"], docs[1].Sentences);
        Assert.Equal(["最后一行。", "没有换行"], docs[2].Sentences);
        Assert.Equal([1L, 4, 5], docs.Select(d => d.FirstLine));
        Assert.Equal([0L, 1, 2], docs.Select(d => d.Index));
        Assert.Equal(new FileInfo(path).Length, docs[^1].EndByteOffset);
    }

    [Fact]
    public void SentencePerLineEndsDocumentsAtBlankLines()
    {
        string path = Write("\uFEFF\n\nA 句一\n句二<eop>\n\n\n句三\r\n   \n<eop>\n句四\n");
        var docs = CorpusReader.Read(path, CorpusFormat.SentencePerLine).ToList();
        Assert.Equal([["A 句一", "句二"], ["句三"], ["句四"]], docs.Select(d => d.Sentences.ToArray()));
        Assert.Equal([3L, 7, 10], docs.Select(d => d.FirstLine));
        Assert.Equal(3, CorpusReader.CountDocuments(path, CorpusFormat.SentencePerLine));
    }

    [Fact]
    public void AutoDetectsBlankLinesBetweenText()
    {
        Assert.Equal(CorpusFormat.SentencePerLine, CorpusReader.DetectFormat(Write("a\nb\n\nc\n")));
        Assert.Equal(CorpusFormat.DocumentPerLine, CorpusReader.DetectFormat(Write("a\nb\nc\n\n\n")));
        Assert.Equal(CorpusFormat.DocumentPerLine, CorpusReader.DetectFormat(Write("\n\na\nb\n")));
        Assert.Equal(2, CorpusReader.Read(Write("文。章。\n二\n")).Count());
        Assert.Equal(2, CorpusReader.Read(Write("文。章。\n\n二\n")).Count());
    }

    [Fact]
    public void InvalidUtf8IsReportedWithFileAndLine()
    {
        var bytes = new List<byte>(Encoding.UTF8.GetBytes("好的。\n第二行\n"));
        bytes.AddRange([0xE4, 0xB8, (byte)'x', (byte)'\n']);
        bytes.AddRange(Encoding.UTF8.GetBytes("第四行\n"));
        string path = WriteBytes([.. bytes]);
        var e = Assert.Throws<InvalidDataException>(() => CorpusReader.Read(path, CorpusFormat.DocumentPerLine).ToList());
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
        // Lazy: the first two documents come out before the error.
        Assert.Equal(2, CorpusReader.Read(path, CorpusFormat.DocumentPerLine).Take(2).Count());
    }

    [Fact]
    public void OverLongLinesAreReportedBeforeOrAfterDecoding()
    {
        string path = Write("短。\n" + new string('长', 50) + "\n" + new string('x', 5000) + "\n");
        var e = Assert.Throws<InvalidDataException>(() => CorpusReader.Read(path, CorpusFormat.DocumentPerLine, maxLineLength: 40).ToList());
        Assert.Contains($"{path}, line 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("longer than the limit of 40", e.Message, StringComparison.Ordinal);
        var ascii = Assert.Throws<InvalidDataException>(() => CorpusReader.Read(path, CorpusFormat.DocumentPerLine, maxLineLength: 60).ToList());
        Assert.Contains("line 3", ascii.Message, StringComparison.Ordinal);
        Assert.Equal(3, CorpusReader.Read(path, CorpusFormat.DocumentPerLine, maxLineLength: 5000).Count());
    }

    [Fact]
    public void LinesLongerThanTheReadBufferAreWhole()
    {
        string line = string.Concat(Enumerable.Repeat("甲乙丙。", 30_000));
        string path = Write(line + "\n" + line);
        var docs = CorpusReader.Read(path, CorpusFormat.DocumentPerLine).ToList();
        Assert.Equal(2, docs.Count);
        Assert.All(docs, d => Assert.Equal(30_000, d.Sentences.Count));
        Assert.Equal(2, docs[1].FirstLine);
    }

    [Fact]
    public void CountDocumentsMatchesRead()
    {
        var documents = PretrainingFixtures.RandomDocuments(3, 40);
        foreach (var format in new[] { CorpusFormat.DocumentPerLine, CorpusFormat.SentencePerLine })
        {
            string path = _dir.File($"count-{format}.txt");
            PretrainingFixtures.WriteCorpus(path, documents, format);
            var read = CorpusReader.Read(path).ToList();
            Assert.Equal(documents, read.Select(d => d.Sentences.ToList()));
            Assert.Equal(40, CorpusReader.CountDocuments(path));
        }
    }

    [Fact]
    public void MissingFileIsFileNotFound() =>
        Assert.Throws<FileNotFoundException>(() => CorpusReader.Read(_dir.File("missing.txt")));
}
