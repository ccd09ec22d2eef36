using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Segmentation;
using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Xunit.Abstractions;

namespace Microsoft.ML.RobertaZh.Tests.Segmentation;

/// <summary>
/// Exact comparisons with jieba 0.42.1 on its real dictionary and HMM (read from ../shared/data). The expected words are
/// in Fixtures/segmentation, written by eval/reference/make_segmentation_cases.py --fixtures.
/// </summary>
public class JiebaReferenceTests(ITestOutputHelper output)
{
    private static readonly Lazy<JiebaSegmenter> Real = new(() => LoadReal());

    private static JiebaSegmenter LoadReal()
    {
        string dir = Path.Combine(Fixtures.SharedData!, "jieba");
        return JiebaSegmenter.Load(Path.Combine(dir, "dict.txt"), Path.Combine(dir, "hmm_model.json"));
    }

    private static IEnumerable<JsonElement> Cases(string file) =>
        File.ReadLines(Fixtures.Path(Path.Combine("segmentation", file)))
            .Select(line => JsonDocument.Parse(line).RootElement.Clone());

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    [SharedDataFact]
    public void DictionaryStatisticsMatchGenPfdict()
    {
        Assert.Equal(60_101_967, Real.Value.Total);
        Assert.Equal(498_113, Real.Value.EntryCount);
    }

    [SharedDataTheory]
    [InlineData("我来到北京清华大学", "我/来到/北京/清华大学")]
    [InlineData("他来到了网易杭研大厦", "他/来到/了/网易/杭研/大厦")]
    [InlineData("iPhone12售价5999元，折扣3.5%", "iPhone12/售价/5999/元/，/折扣/3.5%")]
    [InlineData("C++和c#", "C++/和/c#")]
    public void VerifiedExamplesOfTheSpec(string text, string expected)
    {
        Assert.Equal(expected.Split('/'), Real.Value.Cut(text));
    }

    [SharedDataFact]
    public void EveryModeMatchesJiebaOnTheFixtureCases()
    {
        var segmenter = Real.Value;
        int count = 0;
        foreach (var row in Cases("jieba_cases.jsonl"))
        {
            string text = row.GetProperty("text").GetString()!;
            string where = JsonSerializer.Serialize(text);
            Assert.True(Strings(row.GetProperty("default")).SequenceEqual(segmenter.Cut(text)), "default " + where);
            Assert.True(Strings(row.GetProperty("no_hmm")).SequenceEqual(segmenter.Cut(text, SegmentationMode.NoHmm)), "no_hmm " + where);
            Assert.True(Strings(row.GetProperty("cut_all")).SequenceEqual(segmenter.Cut(text, SegmentationMode.Full)), "cut_all " + where);
            var search = Strings(row.GetProperty("search"));
            Assert.True(search.SequenceEqual(segmenter.Cut(text, SegmentationMode.Search)), "search " + where);
            var tokens = segmenter.Tokenize(text, SegmentationMode.Search);
            var offsets = row.GetProperty("search_offsets").EnumerateArray().Select(p => (p[0].GetInt32(), p[1].GetInt32()));
            Assert.True(search.SequenceEqual(tokens.Select(t => t.Word)), "tokenize " + where);
            Assert.True(offsets.SequenceEqual(tokens.Select(t => (t.CodePointStart, t.CodePointEnd))), "offsets " + where);
            foreach (var t in tokens) Assert.Equal(t.Word, text[t.Start..t.End]);
            count++;
        }
        Assert.True(count >= 250, $"only {count} cases");
    }

    [SharedDataFact]
    public void UserDictionaryMatchesJiebaLoadUserdict()
    {
        var segmenter = LoadReal();
        segmenter.LoadUserDictionary(Fixtures.Path(Path.Combine("segmentation", "user_dict.txt")));
        var rows = Cases("user_dict_cases.jsonl").ToList();
        Assert.Equal(rows[0].GetProperty("total").GetInt64(), segmenter.Total);
        foreach (var entry in rows[0].GetProperty("freq").EnumerateObject())
            Assert.True(entry.Value.ValueKind == JsonValueKind.Null ? segmenter.GetFrequency(entry.Name) is null
                            : segmenter.GetFrequency(entry.Name) == entry.Value.GetInt64(), entry.Name);
        foreach (var row in rows.Skip(1))
        {
            string text = row.GetProperty("text").GetString()!;
            Assert.Equal(Strings(row.GetProperty("default")), segmenter.Cut(text));
            Assert.Equal(Strings(row.GetProperty("no_hmm")), segmenter.Cut(text, SegmentationMode.NoHmm));
            Assert.Equal(Strings(row.GetProperty("search")), segmenter.Cut(text, SegmentationMode.Search));
        }
    }

    [SharedDataFact]
    public void ReportsTheLoadTime()
    {
        // Not an assertion on time (tests never assert on time); the figure goes to the test output and eval/README.md.
        var watch = Stopwatch.StartNew();
        var segmenter = LoadReal();
        output.WriteLine($"dictionary + HMM load: {watch.Elapsed.TotalMilliseconds:F0} ms ({segmenter.EntryCount} entries)");
    }
}
