using Microsoft.ML.RobertaZh.Data;

namespace Microsoft.ML.RobertaZh;

/// <summary>
/// The entry point, as ML.NET's <c>MLContext</c>: catalogs for data (<see cref="Data"/>) and transforms
/// (<see cref="Transforms"/>), plus the classification catalogs that hold evaluators and trainers. An optional seed
/// makes every random operation that takes no seed of its own (splits, shuffles) reproducible.
/// </summary>
public sealed class RobertaZhContext
{
    /// <summary>A context; <paramref name="seed"/> seeds the operations given no seed (null: a random seed each time).</summary>
    public RobertaZhContext(int? seed = null)
    {
        Seed = seed;
        Data = new DataOperationsCatalog(seed);
        Transforms = new TransformsCatalog(this);
        BinaryClassification = new Evaluation.BinaryClassificationCatalog(this);
        MulticlassClassification = new Evaluation.MulticlassClassificationCatalog(this);
    }

    /// <summary>The seed given to the constructor.</summary>
    public int? Seed { get; }

    /// <summary>Loading, converting and splitting data.</summary>
    public DataOperationsCatalog Data { get; }

    /// <summary>Column transforms (value-to-key mapping, copying columns).</summary>
    public TransformsCatalog Transforms { get; }

    /// <summary>Binary classification: evaluation, and trainers (added by extension methods on its <c>Trainers</c>).</summary>
    public Evaluation.BinaryClassificationCatalog BinaryClassification { get; }

    /// <summary>Multiclass classification: evaluation, and trainers (added by extension methods on its <c>Trainers</c>).</summary>
    public Evaluation.MulticlassClassificationCatalog MulticlassClassification { get; }
}
