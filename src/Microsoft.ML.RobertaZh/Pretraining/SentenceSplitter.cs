namespace Microsoft.ML.RobertaZh.Pretraining;

/// <summary>
/// Splits a document given on one line into sentences at Chinese and Western sentence-ending punctuation.
/// </summary>
/// <remarks>
/// Rules, in order of application:
/// <list type="bullet">
/// <item>A sentence ends after a run of terminators: <c>。！？!?；…</c> (full-width and ASCII), and the half-width <c>｡</c>.</item>
/// <item>An ASCII <c>.</c> (or a run of them) ends a sentence only when followed by whitespace or the end of the text, so
/// decimals (3.14), domains and URLs (www.example.com) and abbreviations glued to the next word stay whole.</item>
/// <item>Closing quotes and brackets right after the terminators stay with the sentence: <c>”’」』）)】》〉]</c>, and the ASCII
/// <c>"</c> and <c>'</c> when the sentence holds an odd number of them (an open quotation).</item>
/// <item>Sentences are trimmed of whitespace; empty ones are dropped. Text without a terminator is one sentence.</item>
/// </list>
/// </remarks>
public static class SentenceSplitter
{
    /// <summary>The sentences of <paramref name="text"/>, in order; their concatenation is the text minus whitespace between them.</summary>
    public static IReadOnlyList<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sentences = new List<string>();
        int start = 0, i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            int end;
            if (IsTerminator(c))
            {
                end = i + 1;
                while (end < text.Length && IsTerminator(text[end])) end++;
            }
            else if (c == '.')
            {
                end = i + 1;
                while (end < text.Length && text[end] == '.') end++;
                int after = SkipClosers(text, start, end);
                if (after < text.Length && !char.IsWhiteSpace(text[after]))
                {
                    i = end;
                    continue;
                }
            }
            else
            {
                i++;
                continue;
            }
            end = SkipClosers(text, start, end);
            Add(sentences, text, start, end);
            start = i = end;
        }
        Add(sentences, text, start, text.Length);
        return sentences;
    }

    private static bool IsTerminator(char c) => c is '。' or '！' or '？' or '!' or '?' or '；' or '…' or '｡';

    private static bool IsCloser(char c) => c is '”' or '’' or '」' or '』' or '）' or ')' or '】' or '》' or '〉' or ']';

    private static int SkipClosers(string text, int sentenceStart, int end)
    {
        while (end < text.Length)
        {
            char c = text[end];
            if (IsCloser(c) || (c is '"' or '\'' && IsOpenQuote(text, sentenceStart, end, c))) end++;
            else break;
        }
        return end;
    }

    // An ASCII quote closes a quotation when an odd number of the same quote precedes it in the sentence.
    private static bool IsOpenQuote(string text, int from, int to, char quote) => text.AsSpan(from, to - from).Count(quote) % 2 == 1;

    private static void Add(List<string> sentences, string text, int start, int end)
    {
        var span = text.AsSpan(start, end - start).Trim();
        if (!span.IsEmpty) sentences.Add(span.ToString());
    }
}
