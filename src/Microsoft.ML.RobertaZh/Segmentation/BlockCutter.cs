using System.Buffers;
using System.Text;

namespace Microsoft.ML.RobertaZh.Segmentation;

/// <summary>
/// jieba's per-block algorithms (<c>Tokenizer.__cut_DAG</c>, <c>__cut_DAG_NO_HMM</c>, <c>__cut_all</c>) and the handling
/// of the text between han blocks (the <c>re_skip</c> branch of <c>Tokenizer.cut</c>).
/// </summary>
internal sealed class BlockCutter(PrefixDictionary dictionary, HmmSegmenter hmm)
{
    /// <summary>Appends the words of <paramref name="text"/> in jieba's accurate mode, with or without the HMM, or in full mode.</summary>
    public void Cut(ReadOnlySpan<char> text, bool cutAll, bool useHmm, List<string> output)
    {
        int i = 0;
        while (i < text.Length)
        {
            int end;
            if (BlockSplitter.IsHanBlockChar(text[i]))
            {
                end = BlockSplitter.HanBlockEnd(text, i);
                var block = text[i..end];
                if (cutAll) CutAll(block, output);
                else CutRoute(block, useHmm, output);
            }
            else
            {
                end = BlockSplitter.OtherBlockEnd(text, i);
                CutOther(text[i..end], cutAll, output);
            }
            i = end;
        }
    }

    /// <summary>
    /// A run of non-han characters: each <c>\r\n</c> or <c>\s</c> char is a word; other characters are one word per code
    /// point, except in full mode, where each piece between whitespace is one word, empty pieces included (jieba's quirk).
    /// </summary>
    private static void CutOther(ReadOnlySpan<char> block, bool cutAll, List<string> output)
    {
        int pieceStart = 0, j = 0;
        while (j < block.Length)
        {
            int ws = BlockSplitter.WhitespaceLength(block, j);
            if (ws == 0)
            {
                int cp = cutAll ? 1 : BlockSplitter.CodePointLength(block, j);
                if (!cutAll) output.Add(cp == 1 ? CharStrings.Get(block[j]) : new string(block.Slice(j, cp)));
                j += cp;
                continue;
            }
            if (cutAll) output.Add(Piece(block[pieceStart..j]));
            output.Add(ws == 2 ? "\r\n" : CharStrings.Get(block[j]));
            j += ws;
            pieceStart = j;
        }
        if (cutAll) output.Add(Piece(block[pieceStart..]));
    }

    private static string Piece(ReadOnlySpan<char> piece) => piece.Length switch
    {
        0 => string.Empty,
        1 => CharStrings.Get(piece[0]),
        _ => new string(piece),
    };

    /// <summary>jieba <c>__cut_DAG</c> (HMM on) or <c>__cut_DAG_NO_HMM</c> over one han block.</summary>
    private void CutRoute(ReadOnlySpan<char> text, bool useHmm, List<string> output)
    {
        int n = text.Length;
        double[] score = ArrayPool<double>.Shared.Rent(n + 1);
        int[] ends = ArrayPool<int>.Shared.Rent(2 * n);
        try
        {
            var end = ends.AsSpan(0, n);
            var node = ends.AsSpan(n, n);
            DagRoute.Compute(dictionary, text, score, end, node);
            int bufStart = -1;
            for (int x = 0; x < n;)
            {
                int y = end[x] + 1;
                // With the HMM every single-char word is buffered; without it only [a-zA-Z0-9] ones are, then joined.
                if (y - x == 1 && (useHmm || BlockSplitter.IsAsciiAlphanumeric(text[x])))
                {
                    if (bufStart < 0) bufStart = x;
                }
                else
                {
                    if (bufStart >= 0)
                    {
                        Flush(text[bufStart..x], useHmm, output);
                        bufStart = -1;
                    }
                    output.Add(y - x == 1 ? CharStrings.Get(text[x]) : dictionary.WordString(node[x], text[x..y]));
                }
                x = y;
            }
            if (bufStart >= 0) Flush(text[bufStart..], useHmm, output);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(score);
            ArrayPool<int>.Shared.Return(ends);
        }
    }

    /// <summary>
    /// Flushes a run of single-character route words. With the HMM: one char as is; a run that is itself a word char by char;
    /// otherwise finalseg. Without: the run (all ASCII alphanumerics) as one word.
    /// </summary>
    private void Flush(ReadOnlySpan<char> buf, bool useHmm, List<string> output)
    {
        if (buf.Length == 1) output.Add(CharStrings.Get(buf[0]));
        else if (!useHmm) output.Add(new string(buf));
        else if (!dictionary.IsWord(buf)) hmm.Cut(buf, output);
        else foreach (char c in buf) output.Add(CharStrings.Get(c));
    }

    /// <summary>
    /// jieba <c>__cut_all</c>: every dictionary word at every start, except that a start inside the last emitted word with a
    /// single edge yields nothing, and consecutive single-edge words starting with an ASCII alphanumeric are concatenated
    /// into one English buffer (0.42's <c>eng_buf</c>), flushed at the next non-alphanumeric character.
    /// </summary>
    private void CutAll(ReadOnlySpan<char> text, List<string> output)
    {
        int n = text.Length;
        int[] scratch = ArrayPool<int>.Shared.Rent(2 * n);
        try
        {
            var ends = scratch.AsSpan(0, n);
            var nodes = scratch.AsSpan(n, n);
            int oldJ = -1;
            bool engScan = false;
            StringBuilder? engBuf = null;
            for (int k = 0; k < n; k++)
            {
                if (engScan && !BlockSplitter.IsAsciiAlphanumeric(text[k]))
                {
                    engScan = false;
                    output.Add(engBuf!.ToString());
                }
                int count = DagRoute.Edges(dictionary, text, k, ends, nodes);
                if (count == 1 && k > oldJ)
                {
                    var word = text[k..(ends[0] + 1)];
                    if (BlockSplitter.IsAsciiAlphanumeric(word[0]))
                    {
                        if (!engScan)
                        {
                            engScan = true;
                            (engBuf ??= new StringBuilder()).Clear();
                        }
                        engBuf!.Append(word);
                    }
                    if (!engScan) output.Add(WordAt(nodes[0], word));
                    oldJ = ends[0];
                }
                else
                {
                    for (int e = 0; e < count; e++)
                    {
                        if (ends[e] <= k) continue;
                        output.Add(WordAt(nodes[e], text[k..(ends[e] + 1)]));
                        oldJ = ends[e];
                    }
                }
            }
            if (engScan) output.Add(engBuf!.ToString());
        }
        finally
        {
            ArrayPool<int>.Shared.Return(scratch);
        }
    }

    private string WordAt(int node, ReadOnlySpan<char> word) =>
        word.Length == 1 ? CharStrings.Get(word[0]) : dictionary.WordString(node, word);
}
