using System.Text.Json;
using Microsoft.ML.RobertaZh.Cli.Commands;
using Microsoft.ML.RobertaZh.Tests.Tokenization;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Tests.Cli;

public class TokenizeCommandTests
{
    private static List<JsonElement> Run(string input, EncodeOptions? options = null)
    {
        using var output = new MemoryStream();
        TokenizeCommand.Run(TinyVocab.Tokenizer(), options ?? EncodeOptions.Default, new StringReader(input), output);
        string text = System.Text.Encoding.UTF8.GetString(output.ToArray());
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    [Fact]
    public void OneJsonLinePerInputLineWithPairsOnTab()
    {
        var lines = Run("你好\n𠮷x\t中国\n\n");
        Assert.Equal(3, lines.Count);
        Assert.Equal("[101,105,106,102]".Replace("105", TinyVocab.Id("你").ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("106", TinyVocab.Id("好").ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), lines[0].GetProperty("input_ids").GetRawText());
        Assert.Equal("[0,0,0,0,1,1,1]", lines[1].GetProperty("token_type_ids").GetRawText());
        Assert.Equal(["[CLS]", "𠮷", "x", "[SEP]", "中", "国", "[SEP]"], lines[1].GetProperty("tokens").EnumerateArray().Select(t => t.GetString()));
        // UTF-16 offsets of each text, specials (0,0).
        Assert.Equal("[[0,0],[0,2],[2,3],[0,0],[0,1],[1,2],[0,0]]", lines[1].GetProperty("offsets").GetRawText());
        Assert.Equal("[101,102]", lines[2].GetProperty("input_ids").GetRawText());
    }

    [Fact]
    public void TruncationErrorsNameTheLines()
    {
        var options = new EncodeOptions { MaxLength = 4, Truncation = TruncationStrategy.OnlySecond };
        var e = Assert.Throws<CommandLineException>(() => Run("中国人\t你", options));
        Assert.Contains("line", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildVocabWritesTheFile()
    {
        string dir = Directory.CreateTempSubdirectory("vocab").FullName;
        try
        {
            string corpus = Path.Combine(dir, "corpus.txt"), output = Path.Combine(dir, "out", "vocab.txt");
            File.WriteAllLines(corpus, ["我们 hello hello", "我们 world world"]);
            int code = BuildVocabCommand.Create().Parse(["--corpus", corpus, "--size", "200", "--output", output]).Invoke();
            Assert.Equal(0, code);
            var v = Vocabulary.Load(output);
            Assert.Equal("[MASK]", v[103]);
            Assert.NotNull(v.GetId("hello"));
            Assert.Equal(2, BuildVocabCommand.Create().Parse(["--corpus", Path.Combine(dir, "missing.txt"), "--output", output]).Invoke());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
