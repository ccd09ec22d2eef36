using System.Collections.Frozen;

namespace Microsoft.ML.RobertaZh.Tokenization;

/// <summary>
/// Per-code-point normalization of BertNormalizer: strip accents (NFD, then drop non-spacing marks) followed by
/// lower-casing (Rust's full <c>char::to_lowercase</c>, so U+0130 becomes "i" U+0307). Works one code point at a
/// time, which equals whole-string NFD except for the canonical reordering of combining marks that are not Mn.
/// </summary>
internal sealed class CharNormalizer
{
    /// <summary>Longest output of <see cref="Map"/> for one code point.</summary>
    public const int MaxExpansion = 8;

    private const int HangulBase = 0xAC00, HangulCount = 11172;

    private static readonly FrozenDictionary<int, int[]> StripTable = ReadMap(UnicodeTables.StripAccentsMap);
    private static readonly FrozenDictionary<int, int[]> LowerTable = ReadMap(UnicodeTables.LowercaseMap);

    private readonly bool _lowercase;
    private readonly bool _stripAccents;
    private readonly bool[] _bmpUnchanged;

    /// <summary>Creates the normalizer for one combination of the two switches.</summary>
    public CharNormalizer(bool lowercase, bool stripAccents)
    {
        _lowercase = lowercase;
        _stripAccents = stripAccents;
        _bmpUnchanged = new bool[0x10000];
        Span<int> buffer = stackalloc int[MaxExpansion];
        for (int cp = 0; cp < 0x10000; cp++)
        {
            if (cp is >= 0xD800 and <= 0xDFFF) { _bmpUnchanged[cp] = true; continue; }
            int n = MapSlow(cp, buffer);
            _bmpUnchanged[cp] = n == 1 && buffer[0] == cp;
        }
    }

    /// <summary>True when no normalization is configured.</summary>
    public bool IsIdentity => !_lowercase && !_stripAccents;

    /// <summary>True when <paramref name="cp"/> (a BMP code point) maps to itself.</summary>
    public bool IsUnchangedBmp(int cp) => _bmpUnchanged[cp];

    /// <summary>Writes the normalized form of <paramref name="cp"/> into <paramref name="destination"/>; returns its length (0 when deleted).</summary>
    public int Map(int cp, Span<int> destination)
    {
        if (cp < 0x10000 && _bmpUnchanged[cp])
        {
            destination[0] = cp;
            return 1;
        }
        return MapSlow(cp, destination);
    }

    private int MapSlow(int cp, Span<int> destination)
    {
        Span<int> stripped = stackalloc int[4];
        int n;
        if (!_stripAccents) { stripped[0] = cp; n = 1; }
        else n = StripAccents(cp, stripped);
        if (!_lowercase)
        {
            stripped[..n].CopyTo(destination);
            return n;
        }
        int written = 0;
        for (int i = 0; i < n; i++)
        {
            int c = stripped[i];
            if (c is >= 'A' and <= 'Z') destination[written++] = c + ('a' - 'A');   // the tables cover non-ASCII only
            else if (LowerTable.TryGetValue(c, out int[]? lower))
            {
                lower.CopyTo(destination[written..]);
                written += lower.Length;
            }
            else destination[written++] = c;
        }
        return written;
    }

    private static int StripAccents(int cp, Span<int> destination)
    {
        if (cp is >= HangulBase and < HangulBase + HangulCount)
        {
            // Hangul syllables decompose arithmetically into leading consonant, vowel and optional trailing consonant.
            int s = cp - HangulBase, t = s % 28;
            destination[0] = 0x1100 + (s / 588);
            destination[1] = 0x1161 + (s % 588 / 28);
            if (t == 0) return 2;
            destination[2] = 0x11A7 + t;
            return 3;
        }
        if (CharClass.IsNonSpacingMark(cp)) return 0;
        if (StripTable.TryGetValue(cp, out int[]? mapped))
        {
            mapped.CopyTo(destination);
            return mapped.Length;
        }
        destination[0] = cp;
        return 1;
    }

    private static FrozenDictionary<int, int[]> ReadMap(ReadOnlySpan<int> packed)
    {
        var map = new Dictionary<int, int[]>();
        for (int i = 0; i < packed.Length;)
        {
            int cp = packed[i], count = packed[i + 1];
            map[cp] = packed.Slice(i + 2, count).ToArray();
            i += 2 + count;
        }
        return map.ToFrozenDictionary();
    }
}
