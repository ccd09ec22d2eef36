using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;

namespace Microsoft.ML.RobertaZh.Checkpoints;

/// <summary>
/// One named tensor read from a checkpoint, converted to float32 and stored row-major and contiguous.
/// </summary>
public sealed class CheckpointTensor
{
    /// <summary>Creates a tensor; <paramref name="data"/> is kept (not copied) and must hold prod(shape) values.</summary>
    /// <param name="name">Parameter name.</param>
    /// <param name="shape">Dimensions, outermost first; empty for a scalar.</param>
    /// <param name="data">Row-major values.</param>
    /// <param name="sourceDType">The element type in the file, as a safetensors dtype name ("F32", "F16", "I64", ...).</param>
    public CheckpointTensor(string name, IReadOnlyList<int> shape, float[] data, string sourceDType)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(sourceDType);
        long count = 1;
        var dims = new int[shape.Count];
        for (int i = 0; i < dims.Length; i++)
        {
            if (shape[i] < 0)
            {
                throw new ArgumentException($"Tensor '{name}' has a negative dimension {shape[i]}.", nameof(shape));
            }

            dims[i] = shape[i];
            count *= shape[i];
        }

        if (count != data.Length)
        {
            throw new ArgumentException(
                $"Tensor '{name}' has shape [{string.Join(", ", dims)}] ({count} elements) but {data.Length} values.", nameof(data));
        }

        Name = name;
        Shape = new ReadOnlyCollection<int>(dims);
        Data = data;
        SourceDType = sourceDType;
        ElementCount = count;
    }

    /// <summary>Parameter name (as in the file, or canonical after <see cref="ParameterNameMap.Normalize"/>).</summary>
    public string Name { get; }

    /// <summary>Dimensions, outermost first; empty for a scalar.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Values converted to float32, row-major and contiguous. Tensors may share an array only when renamed.</summary>
    [SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "Weights are handed to the model without copying.")]
    public float[] Data { get; }

    /// <summary>The element type stored in the file, as a safetensors dtype name ("F32", "F16", "BF16", "F64", "I64", "BOOL", ...).</summary>
    public string SourceDType { get; }

    /// <summary>Number of elements, the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>Returns the same data under another name (no copy).</summary>
    internal CheckpointTensor WithName(string name) => new(name, Shape, Data, SourceDType);

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {SourceDType}[{string.Join(", ", Shape)}]";
}
