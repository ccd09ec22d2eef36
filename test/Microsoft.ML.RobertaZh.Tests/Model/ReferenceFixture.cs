using Microsoft.ML.RobertaZh.Checkpoints;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Model;

/// <summary>
/// The PyTorch golden state written by eval/reference/make_model_fixtures.py: a tiny BERT's weights in every
/// checkpoint format, a padded batch, and the expected outputs, gradients and AdamW trajectory.
/// </summary>
internal sealed class ReferenceFixture
{
    public static readonly Lazy<ReferenceFixture> Instance = new(() => new ReferenceFixture());

    public string ModelDirectory { get; } = Fixtures.Path("model");
    public StateDict Reference { get; }

    private ReferenceFixture() => Reference = SafeTensorsReader.Read(Path.Combine(ModelDirectory, "reference.safetensors"));

    public float[] this[string name] => Reference[name].Data;

    public int[] Ints(string name) => Reference[name].Data.Select(v => (int)v).ToArray();

    /// <summary>The padded batch with both kinds of labels.</summary>
    public BertBatch Batch()
    {
        var shape = Reference["input_ids"].Shape;
        return new BertBatch(shape[0], shape[1], Ints("input_ids"), Ints("token_type_ids"), Ints("attention_mask"))
        {
            MaskedLmLabels = Ints("mlm_labels"),
            ClassLabels = Ints("class_labels"),
        };
    }

    /// <summary>The model loaded from the fixture directory (model.safetensors), with every head.</summary>
    public BertModel LoadModel() => BertModel.Load(ModelDirectory);
}
