using System.Numerics.Tensors;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// BERT input embeddings before the LayerNorm (HF BertEmbeddings with absolute positions):
/// output[b·seqLen + t, :] = (word[id] + tokenType[tt]) + position[t], positions 0 … seqLen−1.
/// The additions happen in HF's order (inputs_embeds + token_type_embeddings, then += position_embeddings) so the
/// float result is the same bit for bit.
/// </summary>
internal static class Embedding
{
    /// <summary>Looks up and sums the three embeddings of every token.</summary>
    /// <param name="output">(batch·seqLen, hidden) row-major.</param>
    /// <param name="inputIds">(batch, seqLen) token ids in [0, vocab) with vocab = wordEmbeddings.Length / hidden.</param>
    /// <param name="tokenTypeIds">(batch, seqLen) segment ids in [0, typeVocab), or empty for all zeros (HF's default).</param>
    /// <param name="wordEmbeddings">(vocab, hidden) row-major.</param>
    /// <param name="positionEmbeddings">(maxPositions ≥ seqLen, hidden) row-major.</param>
    /// <param name="tokenTypeEmbeddings">(typeVocab, hidden) row-major.</param>
    /// <param name="batch">Batch size.</param>
    /// <param name="seqLen">Sequence length.</param>
    /// <param name="hidden">Embedding size.</param>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside its table (message names id, position and table size).</exception>
    public static void Forward(Span<float> output, ReadOnlySpan<int> inputIds, ReadOnlySpan<int> tokenTypeIds,
        ReadOnlySpan<float> wordEmbeddings, ReadOnlySpan<float> positionEmbeddings, ReadOnlySpan<float> tokenTypeEmbeddings,
        int batch, int seqLen, int hidden)
    {
        int rows = CheckShapes(inputIds, tokenTypeIds, wordEmbeddings.Length, positionEmbeddings.Length, tokenTypeEmbeddings.Length, batch, seqLen, hidden);
        KernelGuard.Length(output.Length, (long)rows * hidden, nameof(output));
        // A row costs three loads and two adds of `hidden` floats: memory bound, one thread saturates it for BERT sizes.
        for (int r = 0; r < rows; r++)
        {
            int t = r % seqLen;
            int tt = tokenTypeIds.IsEmpty ? 0 : tokenTypeIds[r];
            var y = output.Slice(r * hidden, hidden);
            TensorPrimitives.Add(wordEmbeddings.Slice(inputIds[r] * hidden, hidden), tokenTypeEmbeddings.Slice(tt * hidden, hidden), y);
            TensorPrimitives.Add(y, positionEmbeddings.Slice(t * hidden, hidden), y);
        }
    }

    /// <summary>
    /// Scatter-adds dOutput rows into the three tables: dWord[id] += g, dPosition[t] += g, dTokenType[tt] += g.
    /// Repeated ids are accumulated in row order. Work is split by column ranges (each thread owns whole columns of
    /// every table), so there are no races and the result is identical for any thread count. Adds into all gradients.
    /// </summary>
    /// <param name="dWordEmbeddings">(vocab, hidden); accumulated into.</param>
    /// <param name="dPositionEmbeddings">(maxPositions, hidden); accumulated into, or empty to skip.</param>
    /// <param name="dTokenTypeEmbeddings">(typeVocab, hidden); accumulated into, or empty to skip.</param>
    /// <param name="dOutput">(batch·seqLen, hidden).</param>
    /// <param name="inputIds">(batch, seqLen).</param>
    /// <param name="tokenTypeIds">(batch, seqLen) or empty for all zeros.</param>
    /// <param name="batch">Batch size.</param>
    /// <param name="seqLen">Sequence length.</param>
    /// <param name="hidden">Embedding size.</param>
    public static unsafe void Backward(Span<float> dWordEmbeddings, Span<float> dPositionEmbeddings, Span<float> dTokenTypeEmbeddings,
        ReadOnlySpan<float> dOutput, ReadOnlySpan<int> inputIds, ReadOnlySpan<int> tokenTypeIds, int batch, int seqLen, int hidden)
    {
        int rows = CheckShapes(inputIds, tokenTypeIds, dWordEmbeddings.Length,
            dPositionEmbeddings.IsEmpty ? int.MaxValue : dPositionEmbeddings.Length,
            dTokenTypeEmbeddings.IsEmpty ? int.MaxValue : dTokenTypeEmbeddings.Length, batch, seqLen, hidden);
        KernelGuard.Length(dOutput.Length, (long)rows * hidden, nameof(dOutput));

        const int ColumnChunk = 64;
        int chunks = KernelParallel.ChunkCount(hidden, ColumnChunk);
        if (!KernelParallel.ShouldParallelize((long)rows * hidden * 3, chunks))
        {
            ScatterColumns(dWordEmbeddings, dPositionEmbeddings, dTokenTypeEmbeddings, dOutput, inputIds, tokenTypeIds, rows, seqLen, hidden, 0, hidden);
            return;
        }

        fixed (float* pw = dWordEmbeddings)
        fixed (float* pp = dPositionEmbeddings)
        fixed (float* pt = dTokenTypeEmbeddings)
        fixed (float* pg = dOutput)
        fixed (int* pi = inputIds)
        fixed (int* ps = tokenTypeIds)
        {
            float* w = pw, p = pp, t = pt, g = pg;
            int* ids = pi, types = ps;
            int lw = dWordEmbeddings.Length, lp = dPositionEmbeddings.Length, lt = dTokenTypeEmbeddings.Length, lg = dOutput.Length, ls = tokenTypeIds.Length;
            KernelParallel.For(chunks, c =>
            {
                int start = c * ColumnChunk;
                ScatterColumns(new Span<float>(w, lw), new Span<float>(p, lp), new Span<float>(t, lt), new ReadOnlySpan<float>(g, lg),
                    new ReadOnlySpan<int>(ids, rows), new ReadOnlySpan<int>(types, ls), rows, seqLen, hidden, start, Math.Min(hidden, start + ColumnChunk));
            });
        }
    }

    /// <summary>Scalar specification of <see cref="Forward"/> (same addition order), without argument checks.</summary>
    /// <param name="output">(batch·seqLen, hidden).</param>
    /// <param name="inputIds">(batch, seqLen).</param>
    /// <param name="tokenTypeIds">(batch, seqLen) or empty for all zeros.</param>
    /// <param name="wordEmbeddings">(vocab, hidden).</param>
    /// <param name="positionEmbeddings">(maxPositions, hidden).</param>
    /// <param name="tokenTypeEmbeddings">(typeVocab, hidden).</param>
    /// <param name="batch">Batch size.</param>
    /// <param name="seqLen">Sequence length.</param>
    /// <param name="hidden">Embedding size.</param>
    internal static void ForwardScalar(Span<float> output, ReadOnlySpan<int> inputIds, ReadOnlySpan<int> tokenTypeIds,
        ReadOnlySpan<float> wordEmbeddings, ReadOnlySpan<float> positionEmbeddings, ReadOnlySpan<float> tokenTypeEmbeddings,
        int batch, int seqLen, int hidden)
    {
        for (int r = 0; r < batch * seqLen; r++)
        {
            int tt = tokenTypeIds.IsEmpty ? 0 : tokenTypeIds[r];
            for (int j = 0; j < hidden; j++)
            {
                float v = wordEmbeddings[(inputIds[r] * hidden) + j] + tokenTypeEmbeddings[(tt * hidden) + j];
                output[(r * hidden) + j] = v + positionEmbeddings[((r % seqLen) * hidden) + j];
            }
        }
    }

    private static void ScatterColumns(Span<float> dWord, Span<float> dPos, Span<float> dType, ReadOnlySpan<float> dOutput,
        ReadOnlySpan<int> inputIds, ReadOnlySpan<int> tokenTypeIds, int rows, int seqLen, int hidden, int c0, int c1)
    {
        int width = c1 - c0;
        for (int r = 0; r < rows; r++)
        {
            var g = dOutput.Slice((r * hidden) + c0, width);
            var w = dWord.Slice((inputIds[r] * hidden) + c0, width);
            TensorPrimitives.Add(w, g, w);
            if (!dPos.IsEmpty)
            {
                var p = dPos.Slice(((r % seqLen) * hidden) + c0, width);
                TensorPrimitives.Add(p, g, p);
            }

            if (!dType.IsEmpty)
            {
                var t = dType.Slice(((tokenTypeIds.IsEmpty ? 0 : tokenTypeIds[r]) * hidden) + c0, width);
                TensorPrimitives.Add(t, g, t);
            }
        }
    }

    /// <summary>Validates dimensions, table sizes and every id; returns batch·seqLen.</summary>
    private static int CheckShapes(ReadOnlySpan<int> inputIds, ReadOnlySpan<int> tokenTypeIds, int wordLength, int positionLength, int typeLength,
        int batch, int seqLen, int hidden)
    {
        KernelGuard.NonNegative(batch, nameof(batch));
        KernelGuard.NonNegative(seqLen, nameof(seqLen));
        KernelGuard.Positive(hidden, nameof(hidden));
        int rows = checked(batch * seqLen);
        KernelGuard.Length(inputIds.Length, rows, nameof(inputIds));
        if (!tokenTypeIds.IsEmpty)
        {
            KernelGuard.Length(tokenTypeIds.Length, rows, nameof(tokenTypeIds));
        }

        int maxPositions = positionLength / hidden;
        if (seqLen > maxPositions)
        {
            throw new ArgumentOutOfRangeException(nameof(seqLen), seqLen, $"Sequence length {seqLen} exceeds the position-embedding table of {maxPositions} rows.");
        }

        CheckIds(inputIds[..rows], wordLength / hidden, seqLen, nameof(inputIds), "word-embedding");
        if (!tokenTypeIds.IsEmpty)
        {
            CheckIds(tokenTypeIds[..rows], typeLength / hidden, seqLen, nameof(tokenTypeIds), "token-type-embedding");
        }
        else if (typeLength / hidden < 1 && rows > 0)
        {
            throw new ArgumentException("The token-type-embedding table is empty but token type 0 is implied.", nameof(tokenTypeIds));
        }

        return rows;
    }

    private static void CheckIds(ReadOnlySpan<int> ids, int tableRows, int seqLen, string paramName, string table)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)tableRows)
            {
                throw new ArgumentOutOfRangeException(paramName, ids[i],
                    $"Id {ids[i]} at position {i} (batch {i / seqLen}, token {i % seqLen}) is outside the {table} table of {tableRows} rows.");
            }
        }
    }
}
