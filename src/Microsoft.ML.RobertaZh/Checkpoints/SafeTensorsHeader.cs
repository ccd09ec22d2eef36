using System.Text.Json;

namespace Microsoft.ML.RobertaZh.Checkpoints;

/// <summary>One tensor entry of a safetensors header; offsets are relative to the start of the byte buffer.</summary>
internal sealed record SafeTensorsEntry(string Name, TensorDType DType, long[] Shape, long Begin, long End)
{
    public long ElementCount => End - Begin == 0 ? 0 : (End - Begin) / TensorDTypes.ElementSize(DType);
}

/// <summary>Parses and validates the JSON header of a safetensors file.</summary>
internal static class SafeTensorsHeader
{
    /// <summary>The largest header the format allows (100 MB).</summary>
    public const long MaxHeaderLength = 100_000_000;

    public const string MetadataKey = "__metadata__";

    /// <summary>
    /// Parses <paramref name="json"/> and checks every rule of the format against a byte buffer of
    /// <paramref name="bufferLength"/> bytes. Returns the entries in header order.
    /// </summary>
    public static List<SafeTensorsEntry> Parse(
        ReadOnlyMemory<byte> json, long bufferLength, string path, out Dictionary<string, string> metadata)
    {
        if (json.Length == 0 || json.Span[0] != (byte)'{')
        {
            throw new CheckpointFormatException(path, "safetensors header does not start with '{'.");
        }

        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
        {
            throw new CheckpointFormatException(path, "safetensors header is not valid JSON (invalid UTF-8).");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"safetensors header is not valid JSON ({e.Message}).", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointFormatException(path, "safetensors header is not a JSON object.");
            }

            metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<SafeTensorsEntry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(prop.Name))
                {
                    throw new CheckpointFormatException(path, $"safetensors header has the key '{prop.Name}' twice.");
                }

                if (prop.Name == MetadataKey)
                {
                    ReadMetadata(prop.Value, path, metadata);
                    continue;
                }

                entries.Add(ReadEntry(prop.Name, prop.Value, path));
            }

            CheckLayout(entries, bufferLength, path);
            return entries;
        }
    }

    private static void ReadMetadata(JsonElement value, string path, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointFormatException(path, "safetensors __metadata__ is not an object of strings.");
        }

        foreach (var m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String || !metadata.TryAdd(m.Name, m.Value.GetString()!))
            {
                throw new CheckpointFormatException(path, $"safetensors __metadata__ entry '{m.Name}' is not a unique string.");
            }
        }
    }

    private static SafeTensorsEntry ReadEntry(string name, JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array)
        {
            throw new CheckpointFormatException(path, $"tensor '{name}': header entry needs \"dtype\", \"shape\" and \"data_offsets\".");
        }

        string dtypeName = dtypeEl.GetString()!;
        if (!TensorDTypes.TryParseSafeTensors(dtypeName, out var dtype))
        {
            throw new CheckpointFormatException(path, $"tensor '{name}' has dtype '{dtypeName}', which is not supported.");
        }

        var shape = new long[shapeEl.GetArrayLength()];
        long count = 1;
        int i = 0;
        foreach (var d in shapeEl.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0 || dim > int.MaxValue)
            {
                throw new CheckpointFormatException(path, $"tensor '{name}' has an invalid shape entry {d.GetRawText()}.");
            }

            shape[i++] = dim;
            count = count == 0 || dim == 0 ? 0 : SaturatingMultiply(count, dim);
        }

        if (offEl.GetArrayLength() != 2)
        {
            throw new CheckpointFormatException(path, $"tensor '{name}': data_offsets must be [begin, end].");
        }

        var b = offEl[0];
        var e = offEl[1];
        if (b.ValueKind != JsonValueKind.Number || e.ValueKind != JsonValueKind.Number
            || !b.TryGetInt64(out long begin) || !e.TryGetInt64(out long end) || begin < 0 || end < begin)
        {
            throw new CheckpointFormatException(path, $"tensor '{name}' has invalid data_offsets {offEl.GetRawText()}.");
        }

        long size = TensorDTypes.ElementSize(dtype);
        if (count > Array.MaxLength || end - begin != count * size)
        {
            throw new CheckpointFormatException(
                path,
                $"tensor '{name}' ({dtypeName} [{string.Join(", ", shape)}]) needs {(count > Array.MaxLength ? "too many" : (count * size).ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes but data_offsets span {end - begin}.");
        }

        return new SafeTensorsEntry(name, dtype, shape, begin, end);
    }

    private static long SaturatingMultiply(long a, long b) => a > long.MaxValue / b ? long.MaxValue : a * b;

    private static void CheckLayout(List<SafeTensorsEntry> entries, long bufferLength, string path)
    {
        var sorted = entries.OrderBy(x => x.Begin).ThenBy(x => x.End).ToList();
        long expected = 0;
        foreach (var x in sorted)
        {
            if (x.Begin != expected)
            {
                string what = x.Begin > expected ? "leaves a hole before it" : "overlaps the previous tensor";
                throw new CheckpointFormatException(
                    path, $"tensor '{x.Name}' starts at byte {x.Begin} of the data buffer but the previous tensor ends at {expected}: the layout {what}.");
            }

            expected = x.End;
        }

        if (expected != bufferLength)
        {
            throw new CheckpointFormatException(
                path,
                $"the header describes {expected} bytes of tensor data but the file holds {bufferLength} after the header"
                + (bufferLength < expected ? " (file truncated?)." : "."));
        }
    }
}
