using Microsoft.ML.RobertaZh.Segmentation;

namespace Microsoft.ML.RobertaZh.Tests.Segmentation;

public class BlockSplitterTests
{
    // CPython 3.11's re '\s' on str, listed by code point (checked over all of Unicode).
    private static readonly int[] PythonWhitespace =
    [
        0x9, 0xA, 0xB, 0xC, 0xD, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
        0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A,
        0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
    ];

    [Fact]
    public void WhitespaceIsExactlyPythonsBackslashS()
    {
        for (int c = 0; c <= char.MaxValue; c++)
            Assert.True(BlockSplitter.IsPythonWhitespace((char)c) == PythonWhitespace.Contains(c), $"U+{c:X4}");
    }

    [Fact]
    public void HanBlockClassIsReHanDefault()
    {
        const string symbols = "+#&._%-";
        for (int c = 0; c <= char.MaxValue; c++)
        {
            bool expected = (c >= 0x4E00 && c <= 0x9FD5) || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
                            || (c >= 'A' && c <= 'Z') || symbols.Contains((char)c, StringComparison.Ordinal);
            Assert.True(BlockSplitter.IsHanBlockChar((char)c) == expected, $"U+{c:X4}");
        }
    }

    [Theory]
    // Each class of character between han blocks: one word per code point, whitespace one per char, \r\n as one.
    [InlineData("\u9FD5\u9FD6", "\u9FD5/\u9FD6")]       // last char of the class, then the first one outside
    [InlineData("\u3400\u4E00", "\u3400/\u4E00")]       // CJK Extension A is outside the class
    [InlineData("ＡＢ１", "Ａ/Ｂ/１")]                      // full-width letters and digits are outside too
    [InlineData("a\r\nb", "a/\r\n/b")]
    [InlineData("a\r\rb", "a/\r/\r/b")]
    [InlineData("a\n\rb", "a/\n/\r/b")]
    [InlineData("a  b", "a/ / /b")]
    [InlineData("a\u200Bb", "a/\u200B/b")]               // zero-width space is not \s, but is still one char
    [InlineData("👨\u200D👩", "👨/\u200D/👩")]           // a ZWJ sequence is several code points
    [InlineData("x=1,y", "x/=/1/,/y")]
    public void TextBetweenHanBlocksIsOneWordPerCodePoint(string text, string expected)
    {
        Assert.Equal(expected.Split('/'), TinySegmenter.Create().Cut(text, SegmentationMode.NoHmm));
    }

    [Fact]
    public void CodePointsCountSurrogatePairsOnce()
    {
        Assert.Equal(3, BlockSplitter.CodePointCount("𠮷a😀"));
        Assert.Equal(2, BlockSplitter.CodePointLength("𠮷", 0));
        Assert.Equal(1, BlockSplitter.CodePointLength("\uD842x", 0));
        Assert.Equal(2, BlockSplitter.WhitespaceLength("\r\n", 0));
        Assert.Equal(1, BlockSplitter.WhitespaceLength("\r", 0));
        Assert.Equal(0, BlockSplitter.WhitespaceLength("x", 0));
        Assert.Equal(12, BlockSplitter.HanBlockEnd("#C++_a.b-c%&，", 0));  // every symbol of the class stays in one block
        Assert.Equal(3, BlockSplitter.OtherBlockEnd("，𠮷a", 0));
    }
}
