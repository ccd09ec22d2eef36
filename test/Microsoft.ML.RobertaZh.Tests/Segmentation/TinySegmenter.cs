using System.Text;
using Microsoft.ML.RobertaZh.Segmentation;

namespace Microsoft.ML.RobertaZh.Tests.Segmentation;

/// <summary>
/// A hand-made 15-word dictionary and 4-state HMM (no shared data needed). The expected outputs in the tests were
/// produced by jieba 0.42.1 with this dictionary and with finalseg's tables replaced by <see cref="HmmJson"/>.
/// </summary>
internal static class TinySegmenter
{
    public const string Dictionary = """
        甲 5
        乙 5
        丙 5
        甲乙 5
        乙丙 5
        丁 0
        丁戊 3
        ab 2
        C++ 4
        中文 10
        文字 8
        中文字 6
        中文字符 2
        字符 7
        符号 3
        """;

    public const string HmmJson = """
        {"start": {"B": -0.5, "E": -3.14e+100, "M": -3.14e+100, "S": -1.0},
         "trans": {"B": {"E": -0.5, "M": -1.0}, "E": {"B": -0.7, "S": -0.7}, "M": {"E": -0.4, "M": -1.2}, "S": {"B": -0.7, "S": -0.7}},
         "emit": {"B": {"甲": -1.0, "乙": -3.0, "庚": -0.2}, "E": {"乙": -1.0, "丙": -2.0, "辛": -0.2}, "M": {"丙": -3.0}, "S": {"丁": -0.5, "戊": -1.0}}}
        """;

    public static JiebaSegmenter Create(string dictionary = Dictionary) =>
        JiebaSegmenter.Load(Utf8(dictionary), Utf8(HmmJson), "tiny.txt");

    public static HmmModel Model() => HmmModel.Parse(Encoding.UTF8.GetBytes(HmmJson), "tiny-hmm");

    public static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text.Replace("\r\n", "\n", StringComparison.Ordinal)));
}
