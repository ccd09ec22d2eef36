namespace Microsoft.ML.RobertaZh.Tokenization;

/// <summary>
/// Greedy longest-match-first WordPiece (HF <c>WordpieceTokenizer</c> / tokenizers <c>models/wordpiece</c>): a word
/// longer than <c>maxInputCharsPerWord</c> code points, or one with a position where no piece matches, becomes a
/// single unknown token spanning the whole word.
/// </summary>
internal sealed class WordPieceTokenizer
{
    private readonly Vocabulary _vocabulary;
    private readonly int _unknownId;
    private readonly int _maxInputCharsPerWord;

    public WordPieceTokenizer(Vocabulary vocabulary, int unknownId, int maxInputCharsPerWord)
    {
        _vocabulary = vocabulary;
        _unknownId = unknownId;
        _maxInputCharsPerWord = maxInputCharsPerWord;
    }

    /// <summary>Appends the pieces of every word in <paramref name="words"/> to <paramref name="output"/>.</summary>
    public void Tokenize(NormalizedWords words, TokenBuffer output)
    {
        for (int w = 0; w < words.WordCount; w++)
            TokenizeWord(words, words.WordStart[w], words.WordLength[w], output);
    }

    private void TokenizeWord(NormalizedWords words, int wordStart, int wordLength, TokenBuffer output)
    {
        var word = words.Chars.AsSpan(wordStart, wordLength);
        int wordEnd = wordStart + wordLength - 1;
        if (CodePointCount(word) > _maxInputCharsPerWord)
        {
            output.Add(_unknownId, words.OriginStart[wordStart], words.OriginEnd[wordEnd], TokenKind.WordStart);
            return;
        }
        int mark = output.Count;
        int maxPiece = _vocabulary.MaxTokenLength;
        for (int start = 0; start < word.Length;)
        {
            int end = Math.Min(word.Length, start + maxPiece);
            int id = -1;
            while (end > start)
            {
                if (end < word.Length && char.IsHighSurrogate(word[end - 1]) && char.IsLowSurrogate(word[end]))
                {
                    end--;   // never cut a surrogate pair: pieces end on code point boundaries
                    continue;
                }
                var piece = word[start..end];
                bool found = start == 0 ? _vocabulary.TryGetId(piece, out id) : _vocabulary.TryGetContinuationId(piece, out id);
                if (found) break;
                id = -1;
                end--;
            }
            if (id < 0)
            {
                // No piece matches here: the whole word is one unknown token and the pieces found so far are dropped.
                output.Truncate(mark);
                output.Add(_unknownId, words.OriginStart[wordStart], words.OriginEnd[wordEnd], TokenKind.WordStart);
                return;
            }
            output.Add(id, words.OriginStart[wordStart + start], words.OriginEnd[wordStart + end - 1],
                start == 0 ? TokenKind.WordStart : TokenKind.Continuation);
            start = end;
        }
    }

    private static int CodePointCount(ReadOnlySpan<char> word)
    {
        int count = word.Length;
        for (int i = 1; i < word.Length; i++)
            if (char.IsLowSurrogate(word[i]) && char.IsHighSurrogate(word[i - 1])) count--;
        return count;
    }
}
