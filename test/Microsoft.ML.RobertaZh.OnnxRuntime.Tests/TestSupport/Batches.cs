using Microsoft.ML.RobertaZh.Checkpoints;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests.TestSupport;

/// <summary>Inputs for the fixture model (vocabulary 120, 32 positions, 2 token types).</summary>
internal static class Batches
{
    /// <summary>The PyTorch reference state: the padded batch and the expected outputs (eval/reference/make_model_fixtures.py).</summary>
    public static StateDict Reference => s_reference.Value;

    private static readonly Lazy<StateDict> s_reference = new(() =>
        SafeTensorsReader.Read(Path.Combine(Fixtures.Path("model"), "reference.safetensors")));

    /// <summary>The reference batch (mixed lengths, padded on the right) for which <see cref="Reference"/> holds PyTorch's outputs.</summary>
    public static BertBatch ReferenceBatch()
    {
        var shape = Reference["input_ids"].Shape;
        int[] Ints(string name) => [.. Reference[name].Data.Select(v => (int)v)];
        return new BertBatch(shape[0], shape[1], Ints("input_ids"), Ints("token_type_ids"), Ints("attention_mask"));
    }

    /// <summary>
    /// Five sequences of lengths 32 (the model's maximum), 17, 9, 2 and 1, the longer ones sentence pairs (second segment
    /// token type 1), right-padded with id 0 and mask 0.
    /// </summary>
    public static BertBatch MixedLengths(int seed = 11)
    {
        var rng = new Random(seed);
        int[] lengths = [32, 17, 9, 2, 1];
        var ids = new List<IReadOnlyList<int>>();
        var types = new List<IReadOnlyList<int>?>();
        foreach (int length in lengths)
        {
            var seq = new int[length];
            var type = new int[length];
            for (int t = 0; t < length; t++)
            {
                seq[t] = t == 0 ? 101 % 120 : rng.Next(5, 120);
                type[t] = length > 8 && t > length / 2 ? 1 : 0;
            }
            ids.Add(seq);
            types.Add(type);
        }
        return BertBatch.Pad(ids, types);
    }
}
