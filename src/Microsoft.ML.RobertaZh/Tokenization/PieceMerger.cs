using System.Globalization;

namespace Microsoft.ML.RobertaZh.Tokenization;

/// <summary>
/// The merge phase of <see cref="VocabularyBuilder"/>: BPE over the pieces of multi-character words, where a word
/// starts as its first character followed by ## continuation characters, and merging "ab" + "##c" gives "abc".
/// Pair counts are kept incrementally, with an index from each pair to the words that contain it.
/// </summary>
internal sealed class PieceMerger
{
    private readonly List<string> _symbols = [];                  // symbol id -> piece text ("ab" or "##cd")
    private readonly Dictionary<string, int> _symbolIds = new(StringComparer.Ordinal);
    private readonly List<int>[] _words;                          // each word as symbol ids
    private readonly long[] _counts;
    private readonly Dictionary<(int, int), long> _pairCounts = [];
    private readonly Dictionary<(int, int), HashSet<int>> _pairWords = [];
    private readonly HashSet<string> _chosen;
    private readonly int _minFrequency;
    private readonly Action<string>? _log;

    public PieceMerger(Dictionary<string, long> words, HashSet<string> chosen, int minFrequency, Action<string>? log)
    {
        _chosen = chosen;
        _minFrequency = minFrequency;
        _log = log;
        // Only words whose characters are all in the vocabulary and that have more than one character can merge.
        var usable = words.Where(p => p.Key.EnumerateRunes().Skip(1).Any() && !CharClass.IsCjk(char.ConvertToUtf32(p.Key, 0)))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var list = new List<List<int>>();
        var counts = new List<long>();
        foreach (var (word, count) in usable)
        {
            var ids = new List<int>();
            int index = 0;
            foreach (var rune in word.EnumerateRunes())
            {
                string piece = index++ == 0 ? rune.ToString() : "##" + rune.ToString();
                if (!chosen.Contains(piece)) { ids = null; break; }
                ids.Add(Symbol(piece));
            }
            if (ids is null) continue;
            list.Add(ids);
            counts.Add(count);
        }
        _words = [.. list];
        _counts = [.. counts];
        for (int w = 0; w < _words.Length; w++) AddPairs(w, +1);
    }

    /// <summary>Merges until <paramref name="budget"/> pieces are chosen or no pair is frequent enough.</summary>
    public void Run(int budget)
    {
        int merges = 0;
        while (_chosen.Count < budget)
        {
            // Most frequent pair; ties go to the pair of older symbols (ids follow first appearance, so this is deterministic).
            (int, int) best = (-1, -1);
            long bestCount = 0;
            foreach (var (pair, count) in _pairCounts)
            {
                if (count < _minFrequency || count < bestCount) continue;
                if (count > bestCount || pair.CompareTo(best) < 0)
                {
                    best = pair;
                    bestCount = count;
                }
            }
            if (bestCount == 0) break;
            string bestText = VocabularyBuilder.Merge(_symbols[best.Item1], _symbols[best.Item2]);
            int merged = Symbol(bestText);
            _chosen.Add(bestText);
            foreach (int w in _pairWords[best].ToArray()) Apply(w, best, merged);
            _pairCounts.Remove(best);
            _pairWords.Remove(best);
            if (++merges % 1000 == 0) _log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{merges} merges, {_chosen.Count} entries"));
        }
        _log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{merges} merges"));
    }

    private void Apply(int w, (int, int) pair, int merged)
    {
        AddPairs(w, -1);
        var ids = _words[w];
        for (int i = 0; i + 1 < ids.Count; i++)
        {
            if (ids[i] == pair.Item1 && ids[i + 1] == pair.Item2)
            {
                ids[i] = merged;
                ids.RemoveAt(i + 1);
            }
        }
        AddPairs(w, +1);
    }

    private void AddPairs(int w, int sign)
    {
        var ids = _words[w];
        for (int i = 0; i + 1 < ids.Count; i++)
        {
            var pair = (ids[i], ids[i + 1]);
            long n = _pairCounts.GetValueOrDefault(pair) + (sign * _counts[w]);
            if (n <= 0)
            {
                _pairCounts.Remove(pair);
                _pairWords.Remove(pair);
                continue;
            }
            _pairCounts[pair] = n;
            if (sign > 0)
            {
                if (!_pairWords.TryGetValue(pair, out var set)) _pairWords[pair] = set = [];
                set.Add(w);
            }
        }
    }

    private int Symbol(string piece)
    {
        if (_symbolIds.TryGetValue(piece, out int id)) return id;
        _symbolIds[piece] = id = _symbols.Count;
        _symbols.Add(piece);
        return id;
    }
}
