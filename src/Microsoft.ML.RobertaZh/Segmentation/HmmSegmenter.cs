using System.Buffers;

namespace Microsoft.ML.RobertaZh.Segmentation;

/// <summary>
/// jieba's finalseg: cuts a run of characters the dictionary does not know. CJK runs (<c>[\u4E00-\u9FD5]+</c>) are
/// decoded with the B/M/E/S Viterbi; the rest is split around <c>[a-zA-Z0-9]+(?:\.\d+)?%?</c> with every non-empty
/// piece kept (mirrors <c>jieba/finalseg/__init__.py::cut</c>).
/// </summary>
internal sealed class HmmSegmenter(HmmModel model)
{
    // PrevStatus = {B:'ES', M:'MB', S:'SE', E:'BM'}, each pair listed with the smaller letter first.
    private static readonly int[] PrevFirst = [HmmModel.E, HmmModel.B, HmmModel.B, HmmModel.E];
    private static readonly int[] PrevSecond = [HmmModel.S, HmmModel.M, HmmModel.M, HmmModel.S];

    private readonly HashSet<string> _forceSplit = new(StringComparer.Ordinal);

    /// <summary>The model's tables.</summary>
    public HmmModel Model { get; } = model;

    /// <summary>Marks a word that the HMM must never yield whole (jieba's <c>add_force_split</c>, for words added with frequency 0).</summary>
    public void AddForceSplit(string word) => _forceSplit.Add(word);

    /// <summary>Appends the words finalseg cuts <paramref name="text"/> into to <paramref name="output"/>.</summary>
    public void Cut(ReadOnlySpan<char> text, List<string> output)
    {
        int i = 0;
        while (i < text.Length)
        {
            int end = i;
            if (BlockSplitter.IsHmmHanChar(text[i]))
            {
                while (end < text.Length && BlockSplitter.IsHmmHanChar(text[end])) end++;
                CutHan(text[i..end], output);
            }
            else
            {
                while (end < text.Length && !BlockSplitter.IsHmmHanChar(text[end])) end++;
                CutOther(text[i..end], output);
            }
            i = end;
        }
    }

    /// <summary>
    /// The Viterbi state path of <paramref name="obs"/> (jieba's <c>viterbi</c>): every max is a Python tuple max,
    /// so equal scores go to the larger previous-state letter, and the final state prefers S over E on a tie.
    /// Sums are evaluated as jieba writes them: <c>(V[t−1][y0] + trans[y0][y]) + emit[y][c]</c>.
    /// </summary>
    public void Viterbi(ReadOnlySpan<char> obs, Span<byte> path)
    {
        double[] emission = Model.Emission, trans = Model.Transition;
        byte[] back = ArrayPool<byte>.Shared.Rent(obs.Length * 4);
        try
        {
            Span<double> v = stackalloc double[4];
            Span<double> next = stackalloc double[4];
            for (int y = 0; y < 4; y++) v[y] = Model.Start[y] + emission[(obs[0] * 4) + y];
            for (int t = 1; t < obs.Length; t++)
            {
                int row = obs[t] * 4;
                for (int y = 0; y < 4; y++)
                {
                    double em = emission[row + y];
                    int a = PrevFirst[y], b = PrevSecond[y];
                    double pa = v[a] + trans[(a * 4) + y] + em;
                    double pb = v[b] + trans[(b * 4) + y] + em;
                    // b has the larger letter, so it wins ties.
                    if (pb >= pa)
                    {
                        next[y] = pb;
                        back[(t * 4) + y] = (byte)b;
                    }
                    else
                    {
                        next[y] = pa;
                        back[(t * 4) + y] = (byte)a;
                    }
                }
                next.CopyTo(v);
            }
            int state = v[HmmModel.E] > v[HmmModel.S] ? HmmModel.E : HmmModel.S;
            for (int t = obs.Length - 1; t >= 0; t--)
            {
                path[t] = (byte)state;
                state = back[(t * 4) + state];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(back);
        }
    }

    private void CutHan(ReadOnlySpan<char> text, List<string> output)
    {
        byte[] path = ArrayPool<byte>.Shared.Rent(text.Length);
        try
        {
            Viterbi(text, path);
            int begin = 0, next = 0;
            for (int i = 0; i < text.Length; i++)
            {
                switch (path[i])
                {
                    case HmmModel.B:
                        begin = i;
                        break;
                    case HmmModel.E:
                        Emit(text[begin..(i + 1)], output);
                        next = i + 1;
                        break;
                    case HmmModel.S:
                        Emit(text.Slice(i, 1), output);
                        next = i + 1;
                        break;
                }
            }
            if (next < text.Length) Emit(text[next..], output);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(path);
        }
    }

    private void Emit(ReadOnlySpan<char> word, List<string> output)
    {
        if (word.Length == 1)
        {
            output.Add(CharStrings.Get(word[0]));
            return;
        }
        string s = new(word);
        if (_forceSplit.Count > 0 && _forceSplit.Contains(s))
        {
            foreach (char c in word) output.Add(CharStrings.Get(c));
            return;
        }
        output.Add(s);
    }

    /// <summary>finalseg's <c>re_skip.split</c> on a non-CJK run: matches of <c>[a-zA-Z0-9]+(?:\.\d+)?%?</c> and the text between them.</summary>
    private static void CutOther(ReadOnlySpan<char> text, List<string> output)
    {
        int pending = 0, i = 0;
        while (i < text.Length)
        {
            if (!char.IsAsciiLetterOrDigit(text[i]))
            {
                i++;
                continue;
            }
            int start = i;
            while (i < text.Length && char.IsAsciiLetterOrDigit(text[i])) i++;
            if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
            {
                i++;
                while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            }
            if (i < text.Length && text[i] == '%') i++;
            if (start > pending) output.Add(new string(text[pending..start]));
            output.Add(new string(text[start..i]));
            pending = i;
        }
        if (pending < text.Length) output.Add(new string(text[pending..]));
    }
}
