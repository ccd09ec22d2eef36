namespace Microsoft.ML.RobertaZh.Tokenization;

/// <summary>Where a token stands in the pre-tokenized text: HF's "splits" are words and special-token matches.</summary>
internal enum TokenKind : byte
{
    /// <summary>A ## piece continuing the word of the token before it.</summary>
    Continuation,

    /// <summary>The first piece of a word (or the unknown token standing for a whole word).</summary>
    WordStart,

    /// <summary>A special or never-split token matched in the raw text; a split of its own.</summary>
    Special,
}

/// <summary>
/// Growable parallel arrays of token ids, UTF-16 offsets and word boundaries, reused across calls on one thread so that
/// tokenizing allocates nothing per token.
/// </summary>
internal sealed class TokenBuffer
{
    public int[] Ids = new int[256];
    public int[] Starts = new int[256];
    public int[] Ends = new int[256];
    public TokenKind[] Kinds = new TokenKind[256];
    public int Count;

    public void Clear() => Count = 0;

    public void Add(int id, int start, int end, TokenKind kind)
    {
        if (Count == Ids.Length) Grow();
        Ids[Count] = id;
        Starts[Count] = start;
        Ends[Count] = end;
        Kinds[Count] = kind;
        Count++;
    }

    /// <summary>Drops every token from index <paramref name="count"/> on.</summary>
    public void Truncate(int count) => Count = Math.Min(Count, count);

    /// <summary>
    /// How many tokens HF's fast tokenizer produces for this text when truncation to <paramref name="maxLength"/> is on:
    /// it tokenizes one split (word or special-token match) at a time and stops after the first word that brings the
    /// total to <paramref name="maxLength"/> or more; a special-token match adds its token but never stops it (tokenizers
    /// <c>PreTokenizedString::tokenize_with_limit</c>, right side). LongestFirst compares these lengths, not the full ones.
    /// </summary>
    public int LengthTokenizedWithLimit(int maxLength)
    {
        int splitStart = 0;
        for (int i = 1; i <= Count; i++)
        {
            if (i < Count && Kinds[i] == TokenKind.Continuation) continue;
            // Tokens [splitStart, i) form one split.
            if (Kinds[splitStart] != TokenKind.Special && i >= maxLength) return i;
            splitStart = i;
        }
        return Count;
    }

    /// <summary>The most leading tokens, at most <paramref name="maxTokens"/>, that end on a word boundary.</summary>
    public int WholeWordsFromStart(int maxTokens)
    {
        if (maxTokens >= Count) return Count;
        int n = Math.Max(0, maxTokens);
        while (n > 0 && Kinds[n] == TokenKind.Continuation) n--;
        return n;
    }

    /// <summary>
    /// The index of the first of the most trailing tokens, at most <paramref name="maxTokens"/>, that start on a word
    /// boundary (<see cref="Count"/> when none fit).
    /// </summary>
    public int WholeWordsFromEnd(int maxTokens)
    {
        if (maxTokens >= Count) return 0;
        int start = Count - Math.Max(0, maxTokens);
        while (start < Count && Kinds[start] == TokenKind.Continuation) start++;
        return start;
    }

    private void Grow()
    {
        int size = Ids.Length * 2;
        Array.Resize(ref Ids, size);
        Array.Resize(ref Starts, size);
        Array.Resize(ref Ends, size);
        Array.Resize(ref Kinds, size);
    }
}

/// <summary>
/// The normalized text of one segment as a char buffer, each char carrying the UTF-16 span of the original code point
/// it came from, plus the word boundaries found by the basic tokenizer. Reused per thread.
/// </summary>
internal sealed class NormalizedWords
{
    public char[] Chars = new char[1024];
    public int[] OriginStart = new int[1024];
    public int[] OriginEnd = new int[1024];
    public int Length;

    // Word i covers Chars[WordStart[i] .. WordStart[i] + WordLength[i]).
    public int[] WordStart = new int[256];
    public int[] WordLength = new int[256];
    public int WordCount;

    private int _open = -1;

    public void Clear()
    {
        Length = 0;
        WordCount = 0;
        _open = -1;
    }

    /// <summary>Appends a code point to the current word (opening one if needed).</summary>
    public void Append(int cp, int originStart, int originEnd)
    {
        if (_open < 0) _open = Length;
        if (Length + 2 > Chars.Length) GrowChars();
        if (cp < 0x10000)
        {
            Put((char)cp, originStart, originEnd);
        }
        else
        {
            int v = cp - 0x10000;
            Put((char)(0xD800 + (v >> 10)), originStart, originEnd);
            Put((char)(0xDC00 + (v & 0x3FF)), originStart, originEnd);
        }
    }

    /// <summary>Closes the current word, if any.</summary>
    public void EndWord()
    {
        if (_open < 0) return;
        if (WordCount == WordStart.Length)
        {
            Array.Resize(ref WordStart, WordCount * 2);
            Array.Resize(ref WordLength, WordCount * 2);
        }
        WordStart[WordCount] = _open;
        WordLength[WordCount] = Length - _open;
        WordCount++;
        _open = -1;
    }

    /// <summary>Appends a code point as a word of its own.</summary>
    public void AppendIsolated(int cp, int originStart, int originEnd)
    {
        EndWord();
        Append(cp, originStart, originEnd);
        EndWord();
    }

    private void Put(char c, int originStart, int originEnd)
    {
        Chars[Length] = c;
        OriginStart[Length] = originStart;
        OriginEnd[Length] = originEnd;
        Length++;
    }

    private void GrowChars()
    {
        int size = Chars.Length * 2;
        Array.Resize(ref Chars, size);
        Array.Resize(ref OriginStart, size);
        Array.Resize(ref OriginEnd, size);
    }
}
