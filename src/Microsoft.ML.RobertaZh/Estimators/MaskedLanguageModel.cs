using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tensors;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// A masked language model with its tokenizer: what <see cref="RobertaPretrainEstimator"/> fits. Fills masks, embeds
/// texts and saves as a Hugging Face-compatible directory.
/// </summary>
public sealed class MaskedLanguageModel
{
    /// <summary>The network (with its masked-LM head).</summary>
    public BertModel Model { get; }

    /// <summary>The tokenizer matching the model's vocabulary.</summary>
    public BertTokenizer Tokenizer { get; }

    /// <summary>Pairs a model that has a masked-LM head with its tokenizer.</summary>
    public MaskedLanguageModel(BertModel model, BertTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (!model.Heads.MaskedLm) throw new ArgumentException("The model has no masked-LM head.", nameof(model));
        if (tokenizer.Vocabulary.Count != model.Config.VocabSize)
            throw new ArgumentException($"The vocabulary has {tokenizer.Vocabulary.Count} tokens but the model's vocab_size is {model.Config.VocabSize}.", nameof(tokenizer));
        Model = model;
        Tokenizer = tokenizer;
    }

    /// <summary>Loads a model directory holding config.json, weights and vocab.txt (plus tokenizer_config.json if any).</summary>
    public static MaskedLanguageModel Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string vocab = Path.Combine(directory, "vocab.txt");
        if (!File.Exists(vocab)) throw new FileNotFoundException($"{directory} has no vocab.txt.", vocab);
        var model = BertModel.Load(directory, out var report);
        if (!model.Heads.MaskedLm)
            throw new InvalidDataException($"{report.SourcePath} has no masked-LM head (cls.predictions.*); it cannot fill masks.");
        return new MaskedLanguageModel(model, BertTokenizer.Load(vocab));
    }

    /// <summary>Saves config.json, model.safetensors and vocab.txt into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Model.Save(directory);
        Tokenizer.Vocabulary.Save(Path.Combine(directory, "vocab.txt"));
    }

    /// <summary>
    /// The <paramref name="topK"/> most probable tokens for every <c>[MASK]</c> in <paramref name="text"/>, one list per mask
    /// in text order (Hugging Face fill-mask semantics: masks are predicted independently, scores are probabilities).
    /// </summary>
    /// <exception cref="ArgumentException">The text has no [MASK] token.</exception>
    public IReadOnlyList<IReadOnlyList<FillMaskResult>> FillMask(string text, int topK = 5)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        var encoding = Tokenizer.Encode(text, options: new EncodeOptions { MaxLength = Math.Min(Model.Config.MaxPositionEmbeddings, 512) });
        int maskId = Tokenizer.Vocabulary.GetId(Tokenizer.Options.MaskToken) ?? throw new InvalidOperationException("The vocabulary has no mask token.");
        var ids = encoding.Ids.ToArray();
        int[] maskPositions = [.. Enumerable.Range(0, ids.Length).Where(i => ids[i] == maskId)];
        if (maskPositions.Length == 0) throw new ArgumentException($"The text has no {Tokenizer.Options.MaskToken} token: \"{text}\"", nameof(text));
        var output = Model.Forward(new BertBatch(1, ids.Length, ids, encoding.TypeIds.ToArray()));
        var logProbs = Model.MaskedLmLogProbabilities(output.LastHiddenState, maskPositions);
        int v = Model.Config.VocabSize, k = Math.Min(topK, v);
        bool single = maskPositions.Length == 1;
        var results = new List<IReadOnlyList<FillMaskResult>>(maskPositions.Length);
        for (int m = 0; m < maskPositions.Length; m++)
        {
            var row = logProbs.AsSpan(m * v, v);
            var best = new int[k];
            TopK.Select(row, best);
            var candidates = new List<FillMaskResult>(k);
            foreach (int id in best)
            {
                var filled = (int[])ids.Clone();
                filled[maskPositions[m]] = id;
                // HF: with one mask the sequence drops special tokens; with several the other [MASK]s stay visible.
                string sequence = Tokenizer.Decode(filled, skipSpecialTokens: single);
                candidates.Add(new FillMaskResult(sequence, MathF.Exp(row[id]), id, Tokenizer.Decode([id])));
            }
            results.Add(candidates);
        }
        return results;
    }

    /// <summary>One vector (hidden size) per text: the <c>[CLS]</c> state or the mean over real tokens. Texts are truncated to the model's length.</summary>
    public float[][] Embed(IReadOnlyList<string> texts, EmbeddingPooling pooling = EmbeddingPooling.Cls, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int h = Model.Config.HiddenSize;
        var result = new float[texts.Count][];
        var options = new EncodeOptions { MaxLength = Model.Config.MaxPositionEmbeddings, Padding = PaddingStrategy.Longest };
        for (int start = 0; start < texts.Count; start += batchSize)
        {
            var chunk = texts.Skip(start).Take(batchSize).ToList();
            var encodings = Tokenizer.EncodeBatch(chunk, options: options);
            int t = encodings[0].Count;
            var batch = new BertBatch(chunk.Count, t,
                [.. encodings.SelectMany(e => e.Ids)], [.. encodings.SelectMany(e => e.TypeIds)], [.. encodings.SelectMany(e => e.AttentionMask)]);
            var hidden = Model.Forward(batch).LastHiddenState;
            for (int b = 0; b < chunk.Count; b++)
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
                        if (batch.AttentionMask[b * t + i] == 0) continue;
                        System.Numerics.Tensors.TensorPrimitives.Add(vector, hidden.AsSpan((b * t + i) * h, h), vector);
                        count++;
                    }
                    System.Numerics.Tensors.TensorPrimitives.Divide(vector, Math.Max(1, count), vector);
                }
                result[start + b] = vector;
            }
        }
        return result;
    }
}
