using System.Numerics.Tensors;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Scoring;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Sentence embeddings for <see cref="RobertaEncoderTransformer"/>: the one place the encoder's forward pass runs for
/// embeddings (batched, on the transformer's engine, one call at a time), pooled as the [CLS] state or the mean over real
/// tokens.
/// </summary>
internal sealed class EncoderScorer(ScoringEngine engine, BertConfig config, BertTokenizer tokenizer, EncoderSettings settings) : IBatchScorer
{
    public int BatchSize => settings.BatchSize;

    public IReadOnlyList<string> InputColumnNames { get; } = [settings.InputColumnName];

    public IReadOnlyList<OutputColumn> Outputs { get; } =
        [new(settings.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, config.HiddenSize), new DataViewSchema.Annotations.Builder().ToAnnotations())];

    public float[][] Score(IReadOnlyList<(string Text, string? Pair)> rows) => Embed([.. rows.Select(r => r.Text ?? "")], settings.Pooling, settings.BatchSize);

    public Delegate MakeGetter(int output, Func<float[]> current) => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) =>
    {
        var values = current();
        var editor = VBufferEditor.Create(ref v, values.Length);
        values.CopyTo(editor.Values);
        v = editor.Commit();
    });

    /// <summary>One vector (hidden size) per text; texts are truncated to the settings' length.</summary>
    public float[][] Embed(IReadOnlyList<string> texts, EmbeddingPooling pooling, int batchSize)
    {
        int h = config.HiddenSize;
        var result = new float[texts.Count][];
        var options = new EncodeOptions { MaxLength = Math.Min(settings.MaxSequenceLength, config.MaxPositionEmbeddings), Padding = PaddingStrategy.Longest };
        for (int start = 0; start < texts.Count; start += batchSize)
        {
            var chunk = texts.Skip(start).Take(batchSize).ToList();
            var encodings = tokenizer.EncodeBatch(chunk, options: options);
            int t = encodings[0].Count;
            var batch = new BertBatch(chunk.Count, t,
                [.. encodings.SelectMany(e => e.Ids)], [.. encodings.SelectMany(e => e.TypeIds)], [.. encodings.SelectMany(e => e.AttentionMask)]);
            var hidden = engine.Run(e => e.Forward(batch).LastHiddenState);
            Pool(hidden, batch, pooling, h, t, result, start);
        }

        return result;
    }

    private static void Pool(float[] hidden, BertBatch batch, EmbeddingPooling pooling, int h, int t, float[][] result, int start)
    {
        for (int b = 0; b < batch.Batch; b++)
        {
            var vector = new float[h];
            if (pooling == EmbeddingPooling.Cls)
            {
                hidden.AsSpan(b * t * h, h).CopyTo(vector);
            }
            else
            {
                int count = 0;
                for (int i = 0; i < t; i++)
                {
                    if (batch.AttentionMask[(b * t) + i] == 0) continue;
                    TensorPrimitives.Add(vector, hidden.AsSpan(((b * t) + i) * h, h), vector);
                    count++;
                }

                TensorPrimitives.Divide(vector, Math.Max(1, count), vector);
            }

            result[start + b] = vector;
        }
    }
}
