using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Microsoft.ML.RobertaZh.Checkpoints;

/// <summary>
/// Reads <c>.safetensors</c> files: an 8-byte little-endian header length, a JSON header, then the tensor bytes.
/// Every tensor is converted to float32 (F32, F16, BF16, F64 and the integer/bool types).
/// </summary>
public static class SafeTensorsReader
{
    /// <summary>Reads every tensor of a safetensors file, in header order.</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The tensors and the file's <c>__metadata__</c>.</returns>
    /// <exception cref="CheckpointFormatException">The file is truncated, corrupt or breaks a rule of the format.</exception>
    public static StateDict Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            return Read(handle, path);
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointFormatException(path, "file ended early (truncated?).", e);
        }
    }

    private static StateDict Read(SafeFileHandle handle, string path)
    {
        long fileLength = RandomAccess.GetLength(handle);
        if (fileLength < 8)
        {
            throw new CheckpointFormatException(path, $"file is {fileLength} bytes, too short for a safetensors header.");
        }

        Span<byte> lengthBytes = stackalloc byte[8];
        ReadExactly(handle, lengthBytes, 0);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > SafeTensorsHeader.MaxHeaderLength)
        {
            throw new CheckpointFormatException(
                path, $"safetensors header length {headerLength} exceeds the limit of {SafeTensorsHeader.MaxHeaderLength} bytes (not a safetensors file?).");
        }

        if (8 + (long)headerLength > fileLength)
        {
            throw new CheckpointFormatException(
                path, $"safetensors header claims {headerLength} bytes but the file has only {fileLength - 8} after the length (truncated?).");
        }

        var header = new byte[headerLength];
        ReadExactly(handle, header, 8);
        long dataStart = 8 + (long)headerLength;
        var entries = SafeTensorsHeader.Parse(header, fileLength - dataStart, path, out var metadata);

        var tensors = new List<CheckpointTensor>(entries.Count);
        foreach (var e in entries)
        {
            var data = new float[e.ElementCount];
            ReadTensor(handle, dataStart + e.Begin, e.DType, data);
            tensors.Add(new CheckpointTensor(e.Name, Array.ConvertAll(e.Shape, d => (int)d), data, TensorDTypes.Name(e.DType)));
        }

        return new StateDict(path, tensors, metadata);
    }

    private static void ReadTensor(SafeFileHandle handle, long fileOffset, TensorDType dtype, float[] data)
    {
        if (dtype == TensorDType.F32 && BitConverter.IsLittleEndian)
        {
            ReadExactly(handle, MemoryMarshal.AsBytes(data.AsSpan()), fileOffset);
            return;
        }

        int size = TensorDTypes.ElementSize(dtype);
        int chunk = Math.Max(1, (1 << 20) / size);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(chunk * size);
        try
        {
            for (int done = 0; done < data.Length;)
            {
                int n = Math.Min(chunk, data.Length - done);
                var bytes = buffer.AsSpan(0, n * size);
                ReadExactly(handle, bytes, fileOffset + ((long)done * size));
                TensorDTypes.ConvertToSingle(bytes, data.AsSpan(done, n), dtype, littleEndian: true);
                done += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            int n = RandomAccess.Read(handle, buffer, offset);
            if (n <= 0)
            {
                throw new EndOfStreamException();
            }

            buffer = buffer[n..];
            offset += n;
        }
    }
}
