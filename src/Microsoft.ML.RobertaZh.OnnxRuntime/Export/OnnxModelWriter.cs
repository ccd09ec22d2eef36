using Google.Protobuf;
using Onnx;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Export;

/// <summary>
/// Wraps a built graph in a <see cref="ModelProto"/> (IR version matched to the opset, opset imports, metadata) and writes
/// it atomically: temporary files renamed over the targets, the weights file first. Large weights go to an ONNX
/// external-data file, since one protobuf message cannot exceed 2 GB.
/// </summary>
internal static class OnnxModelWriter
{
    /// <summary>Weights above this many bytes do not fit a protobuf message with the graph (2 GB limit, some margin).</summary>
    internal const long InlineLimitBytes = 1_800_000_000;

    // Initializers smaller than this stay inside the graph even with external data (ONNX's own converter uses 1 KB).
    private const int ExternalThresholdBytes = 1024;

    /// <summary>Writes the model; returns the external-data path, or null when the weights are inline.</summary>
    public static string? Write(GraphBuilder g, string path, int opset, IReadOnlyDictionary<string, string> metadata, bool? externalData)
    {
        long weightBytes = WeightBytes(g);
        bool external = externalData ?? weightBytes > InlineLimitBytes;
        if (!external && weightBytes > InlineLimitBytes)
            throw new ArgumentException($"The weights take {weightBytes:N0} bytes, more than a protobuf message can hold with the graph; export with external data.", nameof(externalData));

        var model = new ModelProto
        {
            IrVersion = IrVersion(opset),
            ProducerName = "Microsoft.ML.RobertaZh",
            ProducerVersion = typeof(OnnxModelWriter).Assembly.GetName().Version?.ToString() ?? "",
            Graph = g.Graph,
            DocString = "BERT exported by Microsoft.ML.RobertaZh (Hugging Face input and output names).",
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        foreach (string domain in g.Domains.Order(StringComparer.Ordinal))
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = 1 });
        foreach (var (key, value) in metadata)
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });

        string fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        string dataPath = fullPath + ".data";
        string tempModel = fullPath + ".tmp", tempData = dataPath + ".tmp";
        try
        {
            if (external) WriteExternalData(g, tempData, Path.GetFileName(dataPath));
            using (var stream = new FileStream(tempModel, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                model.WriteTo(stream);
                stream.Flush(flushToDisk: true);
            }
            if (external) File.Move(tempData, dataPath, overwrite: true);
            else if (File.Exists(dataPath)) File.Delete(dataPath); // a stale weights file from an earlier export
            File.Move(tempModel, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(tempModel)) File.Delete(tempModel);
            if (File.Exists(tempData)) File.Delete(tempData);
        }
        return external ? dataPath : null;
    }

    /// <summary>Bytes of float weights in the graph.</summary>
    public static long WeightBytes(GraphBuilder g) => g.FloatInitializers.Sum(i => (long)i.Data.Length * sizeof(float));

    // ONNX's versioning table: the oldest IR version that carries each opset.
    internal static long IrVersion(int opset) => opset switch
    {
        <= 14 => 7,
        <= 18 => 8,
        <= 20 => 9,
        <= 22 => 10,
        _ => 11,
    };

    // ONNX external data: each large tensor's bytes at a 64-byte-aligned offset of one file, found through its
    // external_data entries (location relative to the model file, offset, length).
    private static void WriteExternalData(GraphBuilder g, string tempPath, string location)
    {
        using var stream = new FileStream(tempPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        foreach (var (tensor, data) in g.FloatInitializers)
        {
            long length = (long)data.Length * sizeof(float);
            if (length < ExternalThresholdBytes) continue;
            long offset = (stream.Position + 63) / 64 * 64;
            while (stream.Position < offset) stream.WriteByte(0);
            stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Span));
            tensor.RawData = ByteString.Empty;
            tensor.DataLocation = TensorProto.Types.DataLocation.External;
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        stream.Flush(flushToDisk: true);
    }
}
