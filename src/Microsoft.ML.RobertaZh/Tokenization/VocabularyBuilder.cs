using System.Globalization;
using System.Text;

namespace Microsoft.ML.RobertaZh.Tokenization;

/// <summary>Settings of <see cref="VocabularyBuilder"/>.</summary>
public sealed class VocabularyBuilderOptions
{
    /// <summary>Largest number of entries, special tokens included (21,128 in google_zh_vocab).</summary>
    public int Size { get; init; } = 21128;

    /// <summary>Characters and merged pieces seen fewer times than this are left out. Default 2.</summary>
    public int MinFrequency { get; init; } = 2;

    /// <summary>Lower-case (and strip accents) before counting, as the Chinese BERT vocab was built. Default true.</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>Number of <c>[unusedN]</c> slots after [PAD] (99 in google_zh_vocab, so [UNK] is id 100).</summary>
    public int UnusedTokens { get; init; } = 99;
}

/// <summary>
/// Builds a WordPiece vocabulary in the shape of google_zh_vocab from a corpus, deterministically:
/// <list type="number">
/// <item>Specials first: [PAD], [unused1..99], [UNK], [CLS], [SEP], [MASK] (ids 0, 1–99, 100–103).</item>
/// <item>Every line goes through BERT's basic tokenizer (cleaning, CJK isolation, lower-casing, punctuation
/// splitting); words are counted.</item>
/// <item>Single characters (each CJK ideograph, punctuation mark, letter, digit) by frequency, then their
/// continuation forms <c>##c</c> (CJK characters get one too, as whole-word masking labels use them).</item>
/// <item>The rest of the budget goes to multi-character pieces of Latin/digit words, learnt WordPiece-style by BPE
/// merges: repeatedly merge the most frequent adjacent pair of pieces across all words (ties go to the pair of the
/// pieces that appeared first, words being read in ordinal order) until the size is reached or no pair occurs <see cref="VocabularyBuilderOptions.MinFrequency"/>
/// times.</item>
/// </list>
/// The file lists the specials, then single characters by code point, then other word-initial pieces, then ## pieces.
/// </summary>
public static class VocabularyBuilder
{
    /// <summary>Builds a vocabulary from the lines of a corpus.</summary>
    /// <param name="lines">Corpus text, any number of lines (a document or a sentence per line).</param>
    /// <param name="options">Size and frequency settings; null for the defaults.</param>
    /// <param name="log">Receives progress messages, or null.</param>
    public static Vocabulary Build(IEnumerable<string> lines, VocabularyBuilderOptions? options = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(lines);
        options ??= new VocabularyBuilderOptions();
        var specials = new List<string> { "[PAD]" };
        for (int i = 1; i <= options.UnusedTokens; i++) specials.Add(string.Create(CultureInfo.InvariantCulture, $"[unused{i}]"));
        specials.AddRange(["[UNK]", "[CLS]", "[SEP]", "[MASK]"]);
        if (options.Size <= specials.Count)
            throw new ArgumentException($"Size must exceed the {specials.Count} special tokens.", nameof(options));
        if (options.MinFrequency < 1) throw new ArgumentException("MinFrequency must be at least 1.", nameof(options));

        var words = CountWords(lines, options, log);
        log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{words.Count} distinct words"));
        int budget = options.Size - specials.Count;
        var chosen = new HashSet<string>(StringComparer.Ordinal);

        // Single characters, then their ## forms, most frequent first.
        var (initial, continuation) = CountCharacters(words);
        var total = new Dictionary<string, long>(initial, StringComparer.Ordinal);
        foreach (var (ch, n) in continuation)
            if (!CharClass.IsCjk(char.ConvertToUtf32(ch, 0))) total[ch] = total.GetValueOrDefault(ch) + n;
        foreach (var (ch, _) in total.Where(p => p.Value >= options.MinFrequency).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            if (chosen.Count == budget) break;
            chosen.Add(ch);
        }
        foreach (var (ch, _) in continuation.Where(p => p.Value >= options.MinFrequency)
                     .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            if (chosen.Count == budget) break;
            chosen.Add("##" + ch);
        }
        log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{chosen.Count} characters and ## forms"));
        if (chosen.Count < budget)
            new PieceMerger(words, chosen, options.MinFrequency, log).Run(budget);

        var ordered = chosen.Where(t => !t.StartsWith("##", StringComparison.Ordinal) && IsSingleCodePoint(t)).OrderBy(t => char.ConvertToUtf32(t, 0))
            .Concat(chosen.Where(t => !t.StartsWith("##", StringComparison.Ordinal) && !IsSingleCodePoint(t)).Order(StringComparer.Ordinal))
            .Concat(chosen.Where(t => t.StartsWith("##", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        return new Vocabulary(specials.Concat(ordered));
    }

    private static Dictionary<string, long> CountWords(IEnumerable<string> lines, VocabularyBuilderOptions options, Action<string>? log)
    {
        var basic = new BasicTokenizer(options.LowerCase, options.LowerCase, tokenizeChineseChars: true, cleanText: true, ChineseCharRanges.HuggingFaceFast);
        var words = new NormalizedWords();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        long lineCount = 0;
        foreach (string line in lines)
        {
            words.Clear();
            basic.Split(line, 0, words);
            for (int w = 0; w < words.WordCount; w++)
            {
                var word = words.Chars.AsSpan(words.WordStart[w], words.WordLength[w]);
                if (lookup.TryGetValue(word, out long n)) lookup[word] = n + 1;
                else lookup[word] = 1;
            }
            if (++lineCount % 100_000 == 0) log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{lineCount} lines read"));
        }
        return counts;
    }

    private static (Dictionary<string, long> Initial, Dictionary<string, long> Continuation) CountCharacters(Dictionary<string, long> words)
    {
        var initial = new Dictionary<string, long>(StringComparer.Ordinal);
        var continuation = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (word, count) in words)
        {
            int index = 0;
            foreach (var rune in word.EnumerateRunes())
            {
                string ch = rune.ToString();
                var target = index == 0 ? initial : continuation;
                target[ch] = target.GetValueOrDefault(ch) + count;
                // A CJK character is always a word of its own, but whole-word masking labels need its ## form too.
                if (index == 0 && CharClass.IsCjk(rune.Value)) continuation[ch] = continuation.GetValueOrDefault(ch) + count;
                index++;
            }
        }
        return (initial, continuation);
    }

    private static bool IsSingleCodePoint(string token) =>
        token.Length == 1 || (token.Length == 2 && char.IsSurrogatePair(token[0], token[1]));

    /// <summary>Appends a merged piece's text: a continuation piece contributes its text without "##".</summary>
    internal static string Merge(string left, string right) =>
        new StringBuilder(left.Length + right.Length).Append(left).Append(right.AsSpan(2)).ToString();
}
