namespace Microsoft.ML.RobertaZh.Tensors;

/// <summary>Indexes of the largest values, best first, without sorting the whole row.</summary>
internal static class TopK
{
    /// <summary>Fills <paramref name="best"/> with the indexes of the <c>best.Length</c> largest values of <paramref name="row"/>, largest first (ties: lower index first).</summary>
    public static void Select(ReadOnlySpan<float> row, Span<int> best)
    {
        int k = Math.Min(best.Length, row.Length), count = 0;
        for (int i = 0; i < row.Length; i++)
        {
            float x = row[i];
            if (count == k && !(x > row[best[k - 1]])) continue;
            // Insertion into the small sorted list; k is a handful, the row is the vocabulary.
            int j = count < k ? count++ : k - 1;
            while (j > 0 && x > row[best[j - 1]]) { best[j] = best[j - 1]; j--; }
            best[j] = i;
        }
    }
}
