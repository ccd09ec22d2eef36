namespace Microsoft.ML.RobertaZh.Segmentation;

/// <summary>
/// jieba's search-engine expansion (<c>Tokenizer.cut_for_search</c> and <c>tokenize(mode="search")</c>): before each word
/// longer than two characters come its 2-grams that are dictionary words, and before a word longer than three its
/// 3-grams that are, each in order of position; then the word itself.
/// </summary>
internal static class SearchGrams
{
    /// <summary>Expands <paramref name="words"/> (an accurate cut of the text) into words and/or tokens with offsets.</summary>
    public static void Expand(PrefixDictionary dictionary, List<string> words, List<string>? wordsOut, List<SegmentToken>? tokensOut)
    {
        int start = 0, codePointStart = 0;
        int[]? offsets = null;
        foreach (string w in words)
        {
            int length = w.Length <= 2 && tokensOut is null ? w.Length : BlockSplitter.CodePointCount(w);
            if (length > 2)
            {
                // Lengths are in code points, as Python's len; words this long come from han blocks and so are BMP-only,
                // but a code-point index keeps the grams right for any word.
                bool bmp = length == w.Length;
                if (!bmp) offsets = CodePointOffsets(w, length, offsets);
                for (int size = 2; size <= 3 && size < length; size++)
                {
                    for (int i = 0; i + size <= length; i++)
                    {
                        int from = bmp ? i : offsets![i], to = bmp ? i + size : offsets![i + size];
                        var gram = w.AsSpan(from, to - from);
                        int node = dictionary.Find(gram);
                        if (node <= 0 || dictionary.Frequency(node) <= 0) continue;
                        string s = dictionary.WordString(node, gram);
                        wordsOut?.Add(s);
                        tokensOut?.Add(new SegmentToken(s, start + from, start + to, codePointStart + i, codePointStart + i + size));
                    }
                }
            }
            wordsOut?.Add(w);
            tokensOut?.Add(new SegmentToken(w, start, start + w.Length, codePointStart, codePointStart + length));
            start += w.Length;
            codePointStart += length;
        }
    }

    private static int[] CodePointOffsets(string w, int length, int[]? reuse)
    {
        var offsets = reuse is not null && reuse.Length > length ? reuse : new int[length + 1];
        int k = 0;
        for (int i = 0; i < w.Length; i += BlockSplitter.CodePointLength(w, i)) offsets[k++] = i;
        offsets[k] = w.Length;
        return offsets;
    }
}
