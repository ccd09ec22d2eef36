using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Text;

namespace Microsoft.ML.RobertaZh.Checkpoints;

/// <summary>
/// Reads PyTorch <c>pytorch_model.bin</c> state dicts without PyTorch: the zip format (torch ≥ 1.6) and the
/// legacy format (<c>_use_new_zipfile_serialization=False</c>, torch &lt; 1.6), through a restricted unpickler
/// that refuses any global a state dict does not need and never executes anything. Every zip record read is checked
/// against its CRC-32.
/// </summary>
public static class PyTorchCheckpointReader
{
    private const long MaxPickleBytes = 1L << 30;
    private static readonly BigInteger LegacyMagic = BigInteger.Parse("1950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber);
    private const long LegacyProtocolVersion = 1001;

    /// <summary>Reads every tensor of a PyTorch state dict file, in the order they were saved.</summary>
    /// <param name="path">A file written by <c>torch.save(model.state_dict(), path)</c>.</param>
    /// <returns>The tensors converted to float32.</returns>
    /// <exception cref="CheckpointFormatException">The file is truncated, corrupt, not a state dict, or unsafe.</exception>
    public static StateDict Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> magic = stackalloc byte[4];
        int n = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        stream.Position = 0;
        try
        {
            if (n == 4 && magic[0] == (byte)'P' && magic[1] == (byte)'K')
            {
                return ReadZip(stream, path);
            }

            if (n >= 2 && magic[0] == 0x80)
            {
                return ReadLegacy(stream, path);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            throw new CheckpointFormatException(path, $"file is truncated or corrupt ({e.Message}).", e);
        }

        throw new CheckpointFormatException(path, "not a PyTorch checkpoint (neither a zip archive nor a legacy pickle).");
    }

    private static StateDict ReadZip(FileStream stream, string path)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        var pkl = zip.Entries
            .Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) || e.FullName == "data.pkl")
            .OrderBy(e => e.FullName.Length)
            .FirstOrDefault()
            ?? throw new CheckpointFormatException(path, "zip archive has no data.pkl record (not a torch.save file?).");
        string prefix = pkl.FullName[..^"data.pkl".Length];

        bool littleEndian = true;
        if (zip.GetEntry(prefix + "byteorder") is { } order)
        {
            string text = Encoding.ASCII.GetString(ReadAll(order, 16, path)).Trim();
            littleEndian = text switch
            {
                "little" => true,
                "big" => false,
                _ => throw new CheckpointFormatException(path, $"unknown byteorder record '{text}'."),
            };
        }

        object? root;
        using (var pklStream = new MemoryStream(ReadAll(pkl, MaxPickleBytes, path), writable: false))
        {
            root = new SafeUnpickler(pklStream, path, "data.pkl").Load();
        }

        var entries = TorchTensorAssembler.FindTensors(root, path);
        return TorchTensorAssembler.Assemble(path, entries, storage =>
        {
            var entry = zip.GetEntry(prefix + "data/" + storage.Key)
                ?? throw new CheckpointFormatException(path, $"storage record '{prefix}data/{storage.Key}' is missing.");
            var dtype = storage.DType!.Value;
            long bytes = storage.Numel * TensorDTypes.ElementSize(dtype);
            if (storage.Numel > Array.MaxLength || entry.Length < bytes || entry.CompressedLength > stream.Length)
            {
                throw new CheckpointFormatException(
                    path, $"storage record '{entry.FullName}' has {entry.Length} bytes but {storage.Numel} {TensorDTypes.Name(dtype)} elements need {bytes}.");
            }

            var data = new float[storage.Numel];
            using var s = new MemoryStream(ReadAll(entry, Array.MaxLength, path), writable: false);
            TensorDTypes.ReadConverted(s, data, 0, data.Length, dtype, littleEndian);
            return data;
        });
    }

    private static byte[] ReadAll(ZipArchiveEntry entry, long limit, string path)
    {
        if (entry.Length > limit)
        {
            throw new CheckpointFormatException(path, $"record '{entry.FullName}' is unexpectedly large ({entry.Length} bytes).");
        }

        var bytes = new byte[entry.Length];
        using (var s = entry.Open())
        {
            s.ReadExactly(bytes);
        }
        // The zip reader does not check stored entries' CRC-32: a flipped bit would load as a wrong weight.
        uint actual = System.IO.Hashing.Crc32.HashToUInt32(bytes);
        if (actual != entry.Crc32)
        {
            throw new CheckpointFormatException(
                path, $"record '{entry.FullName}' fails its CRC-32 check (expected {entry.Crc32:x8}, actual {actual:x8}): the file is corrupt; nothing was loaded.");
        }

        return bytes;
    }

    private static StateDict ReadLegacy(FileStream stream, string path)
    {
        object? magic = new SafeUnpickler(stream, path, "the magic-number pickle").Load();
        if (magic is not BigInteger m || m != LegacyMagic)
        {
            throw new CheckpointFormatException(path, "legacy torch file has a wrong magic number (corrupt, or not a torch.save file).");
        }

        object? version = new SafeUnpickler(stream, path, "the protocol-version pickle").Load();
        if (version is not long v || v != LegacyProtocolVersion)
        {
            throw new CheckpointFormatException(path, $"legacy torch file has protocol version {version}, expected {LegacyProtocolVersion}.");
        }

        object? sysInfo = new SafeUnpickler(stream, path, "the sys_info pickle").Load();
        bool littleEndian = !(sysInfo is PickleDict info && info.TryGet("little_endian", out var le) && le is false);

        object? root = new SafeUnpickler(stream, path, "the state dict pickle").Load();
        var entries = TorchTensorAssembler.FindTensors(root, path);
        object? keyList = new SafeUnpickler(stream, path, "the storage-key pickle").Load();
        if (keyList is not List<object?> keys || keys.Any(k => k is not string))
        {
            throw new CheckpointFormatException(path, "legacy torch file does not list its storage keys.");
        }

        var refs = new Dictionary<string, TorchStorageRef>(StringComparer.Ordinal);
        foreach (var (_, t) in entries)
        {
            refs.TryAdd(t.Storage.Key, t.Storage);
        }

        var storages = new Dictionary<string, float[]>(StringComparer.Ordinal);
        Span<byte> header = stackalloc byte[8];
        foreach (string key in keys.Cast<string>())
        {
            if (!refs.TryGetValue(key, out var storage) || storage.DType is null)
            {
                throw new CheckpointFormatException(path, $"storage '{key}' is not used by any tensor; its element size is unknown.");
            }

            stream.ReadExactly(header);
            long numel = littleEndian ? BinaryPrimitives.ReadInt64LittleEndian(header) : BinaryPrimitives.ReadInt64BigEndian(header);
            int size = TensorDTypes.ElementSize(storage.DType.Value);
            if (numel != storage.Numel || numel > Array.MaxLength || numel * size > stream.Length - stream.Position)
            {
                throw new CheckpointFormatException(
                    path, $"storage '{key}' declares {numel} elements (expected {storage.Numel}) with {stream.Length - stream.Position} bytes left in the file (truncated?).");
            }

            var data = new float[numel];
            TensorDTypes.ReadConverted(stream, data, 0, data.Length, storage.DType.Value, littleEndian);
            storages[key] = data;
        }

        return TorchTensorAssembler.Assemble(path, entries, s =>
            storages.Remove(s.Key, out var data)
                ? data
                : throw new CheckpointFormatException(path, $"storage '{s.Key}' is used by a tensor but not stored in the file."));
    }
}
