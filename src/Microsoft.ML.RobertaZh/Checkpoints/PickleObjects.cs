namespace Microsoft.ML.RobertaZh.Checkpoints;

// The only kinds of values the safe unpickler ever builds. None of them can run code:
// python ints become long (or BigInteger), floats double, str string, bytes byte[], None null,
// lists List<object?>, and the types below.

/// <summary>A pickled tuple.</summary>
internal sealed class PickleTuple(object?[] items)
{
    public object?[] Items { get; } = items;

    public int Count => Items.Length;

    public object? this[int index] => Items[index];
}

/// <summary>A pickled dict or collections.OrderedDict: insertion ordered; re-setting a key keeps its position.</summary>
internal sealed class PickleDict
{
    private readonly Dictionary<object, int> _index = [];

    public List<KeyValuePair<object, object?>> Entries { get; } = [];

    /// <summary>Attributes set by BUILD (e.g. the <c>_metadata</c> of a state dict); kept but never used.</summary>
    public object? State { get; set; }

    public void Set(object key, object? value)
    {
        if (_index.TryGetValue(key, out int i))
        {
            Entries[i] = new KeyValuePair<object, object?>(key, value);
        }
        else
        {
            _index[key] = Entries.Count;
            Entries.Add(new KeyValuePair<object, object?>(key, value));
        }
    }

    public bool TryGet(object key, out object? value)
    {
        if (_index.TryGetValue(key, out int i))
        {
            value = Entries[i].Value;
            return true;
        }

        value = null;
        return false;
    }
}

/// <summary>The allow-listed globals a state dict pickle may name.</summary>
internal enum PickleGlobalKind
{
    OrderedDict,
    RebuildTensorV2,
    RebuildTensor,
    RebuildParameter,
    StorageType,
}

/// <summary>A reference to an allow-listed global (a marker: nothing is ever imported or called).</summary>
internal sealed record PickleGlobal(PickleGlobalKind Kind, string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
}

/// <summary>A storage named by a persistent id: raw elements of one dtype, stored under <see cref="Key"/>.</summary>
/// <param name="Key">The record name (zip: data/&lt;key&gt;; legacy: the key in the trailing storage list).</param>
/// <param name="StorageClass">The torch storage class name, e.g. "FloatStorage".</param>
/// <param name="DType">The element type, or null when the storage class is not one we convert.</param>
/// <param name="Numel">Number of elements of the root storage.</param>
/// <param name="ViewOffset">Element offset of a legacy storage view into its root storage (0 otherwise).</param>
/// <param name="ViewLength">Element count of a legacy view, or -1 when this is the whole root storage.</param>
internal sealed record TorchStorageRef(string Key, string StorageClass, TensorDType? DType, long Numel, long ViewOffset, long ViewLength);

/// <summary>A tensor to be rebuilt: element (i,j,...) = storage[Offset + Σ index·stride].</summary>
internal sealed record TorchTensorRef(TorchStorageRef Storage, long Offset, long[] Size, long[] Stride);
