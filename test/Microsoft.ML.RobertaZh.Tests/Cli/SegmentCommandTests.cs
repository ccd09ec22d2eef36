using System.Text;
using Microsoft.ML.RobertaZh.Cli.Commands;
using Microsoft.ML.RobertaZh.Segmentation;
using Microsoft.ML.RobertaZh.Tests.Segmentation;

namespace Microsoft.ML.RobertaZh.Tests.Cli;

public class SegmentCommandTests
{
    private static string Run(string input, SegmentationMode mode = SegmentationMode.Default)
    {
        using var output = new MemoryStream();
        SegmentCommand.Run(TinySegmenter.Create(), mode, new MemoryStream(Encoding.UTF8.GetBytes(input)), output);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public void OneJsonArrayPerLineAsPythonJsonDumps()
    {
        // Expected bytes are json.dumps(words, ensure_ascii=False): ", " separators, CJK and emoji unescaped.
        Assert.Equal("[\"甲乙\", \"丙\"]\n[]\n[\"𠮷\", \" \", \"ab\"]\n", Run("甲乙丙\n\n𠮷 ab"));
        Assert.Equal("[\"a\", \"\", \" \", \"\", \"b\"]\n", Run("a b\n", SegmentationMode.Full));
    }

    [Fact]
    public void LinesEndAtNewlineAndDropOneCarriageReturn()
    {
        Assert.Equal("[\"甲\"]\n[\"乙\"]\n[\"丙\", \"\\r\", \"丙\"]\n", Run("甲\r\n乙\n丙\r丙\r\n"));
        Assert.Equal("[\"\\r\"]\n", Run("\r\r\n"));
    }

    [Fact]
    public void EscapesExactlyWhatPythonEscapes()
    {
        // json.dumps(['\x00\x01\x1f"\\\t\b\f\x7f\u2028\x85é'], ensure_ascii=False), each char a word here.
        string text = "\u0000\u0001\u001f\"\\\t\b\f\u007f\u2028\u0085é";
        string expected = "[\"\\u0000\", \"\\u0001\", \"\\u001f\", \"\\\"\", \"\\\\\", \"\\t\", \"\\b\", \"\\f\", \"\u007f\", \"\u2028\", \"\u0085\", \"é\"]\n";
        Assert.Equal(expected, Run(text));
    }

    [Fact]
    public void LongLinesCrossTheReadBuffer()
    {
        string line = string.Concat(Enumerable.Repeat("甲乙丙", 40_000));
        string output = Run(line + "\n" + line);
        Assert.Equal(2, output.Count(c => c == '\n'));
        Assert.StartsWith("[\"甲乙\", \"丙\", \"甲乙\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void UserErrorsExitWithCodeTwo()
    {
        string dir = Path.Combine(Path.GetTempPath(), "segment-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string dict = Path.Combine(dir, "dict.txt"), hmm = Path.Combine(dir, "hmm.json");
            File.WriteAllText(dict, "甲 1\n乙 x\n");
            File.WriteAllText(hmm, TinySegmenter.HmmJson);
            var command = SegmentCommand.Create();
            Assert.Equal(2, command.Parse(["--dict", dict, "--hmm", hmm]).Invoke());
            Assert.Equal(2, command.Parse(["--dict", dict, "--hmm", hmm, "--cut-all", "--search"]).Invoke());
            Assert.Equal(2, command.Parse(["--dict", Path.Combine(dir, "missing.txt"), "--hmm", hmm]).Invoke());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
