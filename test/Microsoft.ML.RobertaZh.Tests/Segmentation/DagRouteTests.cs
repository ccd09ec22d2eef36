using Microsoft.ML.RobertaZh.Segmentation;

namespace Microsoft.ML.RobertaZh.Tests.Segmentation;

public class DagRouteTests
{
    private static PrefixDictionary Build(params (string Word, long Freq)[] words)
    {
        var dictionary = new PrefixDictionary();
        foreach (var (word, freq) in words) dictionary.Add(word, freq);
        return dictionary;
    }

    private static int[] Edges(PrefixDictionary dictionary, string text, int k)
    {
        var ends = new int[text.Length];
        var nodes = new int[text.Length];
        int count = DagRoute.Edges(dictionary, text, k, ends, nodes);
        return ends[..count];
    }

    [Fact]
    public void PrefixOnlyCharacterIsNotAnEdgeWhenALongerWordStartsThere()
    {
        var dictionary = Build(("甲乙", 10), ("甲乙丙丁", 3));
        Assert.Equal([1, 3], Edges(dictionary, "甲乙丙丁", 0));  // 甲 (freq 0) and 甲乙丙 (freq 0) are only prefixes
        Assert.Equal([0], Edges(dictionary, "甲丙", 0));        // nothing recorded: DAG[k] = [k]
        Assert.Equal([1], Edges(dictionary, "甲丙", 1));        // unknown char
        Assert.Equal([1], Edges(dictionary, "甲乙", 0));        // the walk stops at the end of the text
    }

    [Fact]
    public void PrefixesAreEntriesWithFrequencyZeroAndRepeatsAddToTotal()
    {
        var dictionary = Build(("甲乙丙", 4), ("甲乙丙", 6), ("甲", 1));
        Assert.Equal(3, dictionary.EntryCount);                 // 甲, 甲乙 (a prefix, freq 0), 甲乙丙
        Assert.Equal(11, dictionary.Total);                      // gen_pfdict adds every line's freq, repeats included
        Assert.Equal(6, dictionary.Frequency(dictionary.Find("甲乙丙")));
        Assert.Equal(0, dictionary.Frequency(dictionary.Find("甲乙")));
        Assert.Equal(1, dictionary.Frequency(dictionary.Find("甲")));
        Assert.Equal(-1, dictionary.Find("乙"));
        Assert.Equal(-1, dictionary.Find(""));
        Assert.False(dictionary.IsWord("甲乙"));
        Assert.True(dictionary.IsWord("甲乙丙"));
    }

    [Fact]
    public void EqualScoresGoToTheLargerEndIndex()
    {
        // A|BC and AB|C evaluate identical operations on identical frequencies, so they tie exactly.
        var dictionary = Build(("甲", 5), ("甲乙", 5), ("乙丙", 5), ("丙", 5), ("乙", 5));
        var end = Route(dictionary, "甲乙丙");
        Assert.Equal(1, end[0]);
    }

    [Fact]
    public void RouteMatchesANaiveCalcOnRandomText()
    {
        // An independent transcription of get_DAG + calc over a Dictionary<string, long>, on random strings.
        var words = new (string, long)[] { ("甲", 5), ("乙", 3), ("甲乙", 5), ("乙丙", 2), ("丙", 7), ("甲乙丙", 1), ("丁", 0), ("丁戊", 4), ("戊己", 9), ("己", 2) };
        var dictionary = Build(words);
        var freq = new Dictionary<string, long>();
        foreach (var (w, f) in words)
        {
            freq[w] = f;
            for (int k = 1; k < w.Length; k++) freq.TryAdd(w[..k], 0);
        }
        double logTotal = Math.Log(words.Sum(w => w.Item2));
        var random = new Random(7);
        const string alphabet = "甲乙丙丁戊己庚";
        for (int trial = 0; trial < 300; trial++)
        {
            string text = new([.. Enumerable.Range(0, random.Next(1, 20)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            int n = text.Length;
            var score = new double[n + 1];
            var expected = new int[n];
            for (int idx = n - 1; idx >= 0; idx--)
            {
                var dag = new List<int>();
                for (int i = idx; i < n && freq.ContainsKey(text[idx..(i + 1)]); i++)
                    if (freq[text[idx..(i + 1)]] > 0) dag.Add(i);
                if (dag.Count == 0) dag.Add(idx);
                (double Value, int End) best = (double.NegativeInfinity, -1);
                foreach (int x in dag)
                {
                    long f = freq.GetValueOrDefault(text[idx..(x + 1)]);
                    var candidate = ((Math.Log(f == 0 ? 1 : f) - logTotal) + score[x + 1], x);
                    if (candidate.Item1 > best.Value || (candidate.Item1 == best.Value && x > best.End)) best = candidate;
                }
                score[idx] = best.Value;
                expected[idx] = best.End;
            }
            Assert.Equal(expected, Route(dictionary, text));
        }
    }

    private static int[] Route(PrefixDictionary dictionary, string text)
    {
        var score = new double[text.Length + 1];
        var end = new int[text.Length];
        var node = new int[text.Length];
        DagRoute.Compute(dictionary, text, score, end, node);
        return end;
    }
}
