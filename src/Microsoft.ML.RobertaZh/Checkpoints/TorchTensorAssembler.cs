namespace Microsoft.ML.RobertaZh.Checkpoints;

/// <summary>
/// Turns the unpickled state dict (names → <see cref="TorchTensorRef"/>) into contiguous float32 tensors.
/// Each storage is loaded once; the last tensor built from a storage takes the storage array itself when it covers
/// it contiguously, every other tensor gets its own copy gathered with its offset and strides (views, tied weights),
/// so no two tensors ever share an array.
/// </summary>
internal static class TorchTensorAssembler
{
    private static readonly string[] WrapperKeys = ["state_dict", "model", "module"];

    /// <summary>Finds the name → tensor entries in the unpickled root object.</summary>
    public static List<(string Name, TorchTensorRef Tensor)> FindTensors(object? root, string path) => FindTensors(root, path, unwrap: true);

    private static List<(string Name, TorchTensorRef Tensor)> FindTensors(object? root, string path, bool unwrap)
    {
        if (root is not PickleDict dict)
        {
            throw new CheckpointFormatException(path, "the pickled object is not a dict of tensors (not a state dict?).");
        }

        if (unwrap && !dict.Entries.Any(e => e.Value is TorchTensorRef))
        {
            // Training checkpoints sometimes wrap the state dict: {"state_dict": {...}, "epoch": 3}.
            foreach (string key in WrapperKeys)
            {
                if (dict.TryGet(key, out var inner) && inner is PickleDict)
                {
                    return FindTensors(inner, path, unwrap: false);   // one level only: pickles can be cyclic
                }
            }
        }

        var result = new List<(string, TorchTensorRef)>(dict.Entries.Count);
        foreach (var (key, value) in dict.Entries)
        {
            if (key is not string name)
            {
                throw new CheckpointFormatException(path, $"the state dict has a key of type {key.GetType().Name}, expected a string.");
            }

            if (value is not TorchTensorRef tensor)
            {
                throw new CheckpointFormatException(path, $"state dict entry '{name}' is not a tensor.");
            }

            result.Add((name, tensor));
        }

        return result;
    }

    /// <summary>Builds the state dict; <paramref name="loadStorage"/> returns the whole root storage as float32.</summary>
    public static StateDict Assemble(
        string path, List<(string Name, TorchTensorRef Tensor)> entries, Func<TorchStorageRef, float[]> loadStorage)
    {
        var uses = new Dictionary<string, int>(StringComparer.Ordinal);
        var dtypes = new Dictionary<string, TensorDType>(StringComparer.Ordinal);
        foreach (var (name, t) in entries)
        {
            if (t.Storage.DType is not { } dtype)
            {
                throw new CheckpointFormatException(path, $"tensor '{name}' is stored as torch.{t.Storage.StorageClass}, which is not supported.");
            }

            if (dtypes.TryGetValue(t.Storage.Key, out var other) && other != dtype)
            {
                throw new CheckpointFormatException(path, $"tensor '{name}' views storage '{t.Storage.Key}' with a different dtype than another tensor.");
            }

            dtypes[t.Storage.Key] = dtype;
            uses[t.Storage.Key] = uses.GetValueOrDefault(t.Storage.Key) + 1;
        }

        var loaded = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var tensors = new List<CheckpointTensor>(entries.Count);
        foreach (var (name, t) in entries)
        {
            string key = t.Storage.Key;
            if (!loaded.TryGetValue(key, out var storage))
            {
                storage = loadStorage(t.Storage);
                loaded[key] = storage;
            }

            int remaining = --uses[key];
            if (remaining == 0)
            {
                loaded.Remove(key);   // release the storage as soon as its last tensor is built
            }

            var (shape, data) = Materialize(path, name, t, storage, exclusive: remaining == 0);
            tensors.Add(new CheckpointTensor(name, shape, data, TensorDTypes.Name(t.Storage.DType!.Value)));
        }

        return new StateDict(path, tensors);
    }

    private static (int[] Shape, float[] Data) Materialize(string path, string name, TorchTensorRef t, float[] storage, bool exclusive)
    {
        int rank = t.Size.Length;
        var shape = new int[rank];
        long count = 1;
        long last;
        try
        {
            last = checked(t.Storage.ViewOffset + t.Offset);
            for (int i = 0; i < rank; i++)
            {
                if (t.Size[i] > int.MaxValue)
                {
                    throw new OverflowException();
                }

                shape[i] = (int)t.Size[i];
                count = checked(count * t.Size[i]);
            }

            if (count > 0)
            {
                for (int i = 0; i < rank; i++)
                {
                    last = checked(last + ((t.Size[i] - 1) * t.Stride[i]));
                }
            }
        }
        catch (OverflowException e)
        {
            throw new CheckpointFormatException(path, $"tensor '{name}' has a size, stride or offset that overflows.", e);
        }

        long first = t.Storage.ViewOffset + t.Offset;
        if (count > Array.MaxLength)
        {
            throw new CheckpointFormatException(path, $"tensor '{name}' has {count} elements, more than one array can hold.");
        }

        if (count == 0)
        {
            return (shape, []);
        }

        if (last >= storage.Length)
        {
            throw new CheckpointFormatException(
                path, $"tensor '{name}' reaches element {last} of storage '{t.Storage.Key}', which has only {storage.Length}.");
        }

        bool contiguous = IsContiguous(t.Size, t.Stride);
        if (contiguous && exclusive && first == 0 && count == storage.Length)
        {
            return (shape, storage);
        }

        var data = new float[count];
        if (contiguous)
        {
            Array.Copy(storage, first, data, 0, count);
        }
        else
        {
            Gather(storage, first, t.Size, t.Stride, data);
        }

        return (shape, data);
    }

    private static bool IsContiguous(long[] size, long[] stride)
    {
        long expected = 1;
        for (int i = size.Length - 1; i >= 0; i--)
        {
            if (size[i] != 1 && stride[i] != expected)
            {
                return false;
            }

            expected *= size[i];
        }

        return true;
    }

    private static void Gather(float[] storage, long first, long[] size, long[] stride, float[] dst)
    {
        int rank = size.Length;
        long innerSize = size[rank - 1];
        long innerStride = stride[rank - 1];
        var index = new long[rank];
        long outer = dst.Length / innerSize;
        int o = 0;
        for (long row = 0; row < outer; row++)
        {
            long src = first;
            for (int d = 0; d < rank - 1; d++)
            {
                src += index[d] * stride[d];
            }

            for (long j = 0; j < innerSize; j++, src += innerStride)
            {
                dst[o++] = storage[src];
            }

            for (int d = rank - 2; d >= 0; d--)
            {
                if (++index[d] < size[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }
}
