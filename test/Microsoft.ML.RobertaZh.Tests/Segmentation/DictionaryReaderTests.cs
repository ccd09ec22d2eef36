using System.Text;
using Microsoft.ML.RobertaZh.Segmentation;

namespace Microsoft.ML.RobertaZh.Tests.Segmentation;

public class DictionaryReaderTests
{
    private static PrefixDictionary Load(string text)
    {
        var dictionary = new PrefixDictionary();
        DictionaryReader.LoadMain(dictionary, Encoding.UTF8.GetBytes(text), "dict.txt");
        return dictionary;
    }

    [Fact]
    public void ReadsWordFreqAndIgnoresTheTag()
    {
        var dictionary = Load("AT&T 3 nz\r\nB超 3 n\n中文 10\n  中文字 6 n extra  \nB超 4\n");
        Assert.Equal(26, dictionary.Total);                     // the repeated B超 counts twice in total...
        Assert.Equal(4, dictionary.Frequency(dictionary.Find("B超")));  // ...and the last frequency wins
        Assert.Equal(6, dictionary.Frequency(dictionary.Find("中文字")));
        Assert.Equal(3, dictionary.Frequency(dictionary.Find("AT&T")));
        Assert.Equal(0, dictionary.Frequency(dictionary.Find("AT&")));
        Assert.Equal(-1, dictionary.Find("b超"));               // lookups are case-sensitive
    }

    [Theory]
    [InlineData("中文 10\n中文\n", 2, "expected 'word freq [tag]'")]
    [InlineData("中文 10\n\n文字 3\n", 2, "expected 'word freq [tag]'")]   // jieba rejects blank lines in the main dictionary
    [InlineData("中文 ten\n", 1, "not an integer")]
    [InlineData("中文  10\n", 1, "missing or not an integer")]             // two spaces: the second field is empty
    [InlineData("a 1\nb 2\n中文 -5\n", 3, "negative")]
    [InlineData("中文 99999999999999999999\n", 1, "does not fit")]
    [InlineData("中文\t10\n", 1, "expected 'word freq [tag]'")]           // fields are split on ' ' only
    [InlineData("甲 9223372036854775807\n乙 1\n", 2, "overflows")]
    public void BadLinesNameTheFileLineAndProblem(string text, int line, string problem)
    {
        var e = Assert.Throws<InvalidDataException>(() => Load(text));
        Assert.StartsWith($"dict.txt:{line}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidUtf8IsReportedWithItsLine()
    {
        byte[] bytes = [.. "中文 1\n"u8, 0xFF, 0xFE, (byte)' ', (byte)'2', (byte)'\n'];
        var e = Assert.Throws<InvalidDataException>(() => DictionaryReader.LoadMain(new PrefixDictionary(), bytes, "d.txt"));
        Assert.StartsWith("d.txt:2: the line is not valid UTF-8", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<InvalidDataException>(() => DictionaryReader.ReadUser(bytes, "u.txt"));
        Assert.StartsWith("u.txt:2: the user dictionary must be UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FrequencyAcceptsWhatPythonIntAccepts()
    {
        var dictionary = Load("甲 +7\n乙 0\n丙 \t8 n\n");
        Assert.Equal(7, dictionary.Frequency(dictionary.Find("甲")));
        Assert.Equal(8, dictionary.Frequency(dictionary.Find("丙")));
        Assert.Equal(15, dictionary.Total);
    }

    [Theory]
    // re_userdict = ^(.+?)( [0-9]+)?( [a-z]+)?$, groups as Python's re returns them.
    [InlineData("创新办 3 i", "创新办", "3")]
    [InlineData("云计算", "云计算", null)]
    [InlineData("a 1 2", "a 1", "2")]
    [InlineData("a  5", "a ", "5")]
    [InlineData("x 12ab", "x 12ab", null)]
    [InlineData("ab cd", "ab", null)]
    [InlineData("New York", "New York", null)]
    [InlineData("new york", "new", null)]
    [InlineData("1 2", "1", "2")]
    [InlineData("5 ab", "5", null)]
    [InlineData("abc 12 xy 3", "abc 12 xy", "3")]
    [InlineData("word 007", "word", "007")]
    [InlineData("w 5 n x", "w 5 n", null)]
    [InlineData("中 文 3", "中 文", "3")]
    [InlineData("5", "5", null)]
    public void UserLinesMatchReUserdict(string line, string word, string? freq)
    {
        var (wordLength, freqStart, freqLength) = DictionaryReader.MatchUserLine(line);
        Assert.Equal(word, line[..wordLength]);
        Assert.Equal(freq, freqLength == 0 ? null : line.Substring(freqStart, freqLength));
    }

    [Fact]
    public void UserDictionarySkipsBlankLinesAndTheBom()
    {
        var entries = DictionaryReader.ReadUser(Encoding.UTF8.GetBytes("\uFEFF杭研 5\n\n   \r\n云计算 nz\n李小福 2 nr"), "u.txt");
        Assert.Equal([new("杭研", 5, 1), new("云计算", null, 4), new("李小福", 2, 5)], entries);
    }
}
