using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Microsoft.ML.RobertaZh.Checkpoints;

/// <summary>
/// Writes float32 tensors as a <c>.safetensors</c> file, atomically: the file is written to a temporary file in the
/// same directory, flushed to disk, then renamed over the target, so a failed write leaves any previous file intact.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> (sorted by name in the file) as F32 tensors.</summary>
    /// <param name="path">Target file; replaced only when the whole write succeeded.</param>
    /// <param name="tensors">Name → (shape, row-major data); data length must equal the product of the shape.</param>
    /// <param name="metadata">Optional string metadata stored as "__metadata__".</param>
    /// <exception cref="ArgumentException">A name is empty or duplicated, or a data length does not match its shape.</exception>
    public static void Write(
        string path,
        IEnumerable<KeyValuePair<string, (int[] Shape, ReadOnlyMemory<float> Data)>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);

        var list = new List<(string Name, int[] Shape, ReadOnlyMemory<float> Data)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, (shape, data)) in tensors)
        {
            Validate(name, shape, data.Length, names);
            list.Add((name, (int[])shape.Clone(), data));
        }

        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        byte[] header = BuildHeader(list, metadata);

        // Temporary file, flushed to disk, renamed over the target: a failure never leaves a half-written file.
        Tensors.AtomicFile.Write(path, stream =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
            stream.Write(len);
            stream.Write(header);
            foreach (var (_, _, data) in list)
            {
                WriteFloats(stream, data.Span);
            }
        });
    }

    private static void Validate(string name, int[] shape, int dataLength, HashSet<string> names)
    {
        if (string.IsNullOrEmpty(name) || name == SafeTensorsHeader.MetadataKey)
        {
            throw new ArgumentException($"Invalid tensor name '{name}'.", nameof(name));
        }

        if (!names.Add(name))
        {
            throw new ArgumentException($"Duplicate tensor name '{name}'.", nameof(name));
        }

        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Tensor '{name}' has a negative dimension.", nameof(shape));
            }

            count *= d;
        }

        if (count != dataLength)
        {
            throw new ArgumentException(
                $"Tensor '{name}' has shape [{string.Join(", ", shape)}] ({count} elements) but {dataLength} values.", nameof(shape));
        }
    }

    private static byte[] BuildHeader(
        List<(string Name, int[] Shape, ReadOnlyMemory<float> Data)> list, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is not null)
            {
                json.WriteStartObject(SafeTensorsHeader.MetadataKey);
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    json.WriteString(k, v);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, shape, data) in list)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += (long)data.Length * sizeof(float);
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        while (buffer.Length % 8 != 0)
        {
            buffer.WriteByte((byte)' ');
        }

        return buffer.ToArray();
    }

    private static void WriteFloats(Stream stream, ReadOnlySpan<float> data)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(data));
            return;
        }

        Span<byte> one = stackalloc byte[4];
        foreach (float f in data)
        {
            BinaryPrimitives.WriteSingleLittleEndian(one, f);
            stream.Write(one);
        }
    }
}
