using System.Buffers;

namespace Microsoft.ML.RobertaZh.Tokenization;

/// <summary>
/// Finds special tokens (and <see cref="BertTokenizerOptions.NeverSplit"/> strings) in raw text, leftmost first and
/// longest at one position, as HF's added-vocabulary pass does before normalization: they are matched on the original
/// text, so <c>[MASK]</c> is found but <c>[mask]</c> is not.
/// </summary>
internal sealed class SpecialTokenMatcher
{
    private readonly (string Text, int Id)[] _tokens;   // longest first
    private readonly SearchValues<char> _firstChars;

    public SpecialTokenMatcher(IEnumerable<(string Text, int Id)> tokens)
    {
        _tokens = [.. tokens.Where(t => t.Text.Length > 0).DistinctBy(t => t.Text).OrderByDescending(t => t.Text.Length).ThenBy(t => t.Text, StringComparer.Ordinal)];
        _firstChars = SearchValues.Create([.. _tokens.Select(t => t.Text[0]).Distinct()]);
    }

    /// <summary>Finds the first match at or after <paramref name="from"/>; returns its index or -1.</summary>
    public int Find(ReadOnlySpan<char> text, int from, out int length, out int id)
    {
        length = 0;
        id = -1;
        if (_tokens.Length == 0) return -1;
        for (int i = from; i < text.Length;)
        {
            int hit = text[i..].IndexOfAny(_firstChars);
            if (hit < 0) return -1;
            i += hit;
            var rest = text[i..];
            foreach (var (token, tokenId) in _tokens)
            {
                if (rest.StartsWith(token, StringComparison.Ordinal))
                {
                    length = token.Length;
                    id = tokenId;
                    return i;
                }
            }
            i++;
        }
        return -1;
    }
}
