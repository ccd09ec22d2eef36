namespace Microsoft.ML.RobertaZh.Segmentation;

/// <summary>
/// jieba's word DAG and maximum-probability route over one han block, walked straight off the prefix trie
/// (mirrors jieba <c>Tokenizer.get_DAG</c> and <c>Tokenizer.calc</c>).
/// </summary>
/// <remarks>
/// The edges from position k are the ends i (inclusive) for which <c>text[k..i]</c> is a word with a positive
/// frequency, found by walking while the fragment is an entry at all (prefixes of frequency 0 keep the walk going).
/// When there is none, the only edge is k itself.
/// </remarks>
internal static class DagRoute
{
    /// <summary>
    /// Fills the route: for each start, the end (inclusive) of the best first word and its trie node (0 when the word is
    /// the single-character fallback). Scores follow <c>calc</c> exactly:
    /// <c>route[idx] = max((log(freq or 1) − log(total)) + route[x+1], x)</c>, a tuple max, so ties go to the larger end.
    /// </summary>
    /// <param name="dictionary">The prefix dictionary.</param>
    /// <param name="text">The han block.</param>
    /// <param name="score">Scratch of length ≥ text.Length + 1: the route scores.</param>
    /// <param name="end">Length ≥ text.Length: the chosen end per start.</param>
    /// <param name="node">Length ≥ text.Length: the chosen word's node per start, or 0.</param>
    public static void Compute(PrefixDictionary dictionary, ReadOnlySpan<char> text, Span<double> score, Span<int> end, Span<int> node)
    {
        int n = text.Length;
        double logTotal = dictionary.LogTotal;
        score[n] = 0.0;
        for (int idx = n - 1; idx >= 0; idx--)
        {
            double best = double.NegativeInfinity;
            int bestEnd = -1, bestNode = 0;
            int current = dictionary.Child(PrefixDictionary.Root, text[idx]);
            for (int i = idx; current != 0;)
            {
                if (dictionary.Frequency(current) > 0)
                {
                    // Python evaluates log(f) - logtotal + route[x+1][0] left to right.
                    double value = (dictionary.LogFrequency(current) - logTotal) + score[i + 1];
                    if (value >= best)
                    {
                        best = value;
                        bestEnd = i;
                        bestNode = current;
                    }
                }
                if (++i >= n) break;
                current = dictionary.Child(current, text[i]);
            }
            if (bestEnd < 0)
            {
                // DAG[idx] = [idx]; FREQ.get(char) is missing or 0, so "or 1" makes log(1) = 0.
                best = (0.0 - logTotal) + score[idx + 1];
                bestEnd = idx;
            }
            score[idx] = best;
            end[idx] = bestEnd;
            node[idx] = bestNode;
        }
    }

    /// <summary>
    /// Writes <c>DAG[k]</c> in increasing order into <paramref name="ends"/> and the words' nodes into
    /// <paramref name="nodes"/> (0 for the single-character fallback); returns how many there are (at least one).
    /// </summary>
    public static int Edges(PrefixDictionary dictionary, ReadOnlySpan<char> text, int k, Span<int> ends, Span<int> nodes)
    {
        int count = 0;
        int current = dictionary.Child(PrefixDictionary.Root, text[k]);
        for (int i = k; current != 0;)
        {
            if (dictionary.Frequency(current) > 0)
            {
                ends[count] = i;
                nodes[count++] = current;
            }
            if (++i >= text.Length) break;
            current = dictionary.Child(current, text[i]);
        }
        if (count == 0)
        {
            ends[0] = k;
            nodes[0] = 0;
            count = 1;
        }
        return count;
    }
}
