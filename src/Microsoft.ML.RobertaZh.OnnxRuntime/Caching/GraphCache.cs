using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.OnnxRuntime.Export;
using Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Caching;

/// <summary>The graphs exported for one model: the encoder (with pooler and classifier when the model has them) and, for
/// a model with a masked-LM head, the head alone.</summary>
internal sealed record CachedGraphs(string Key, string Directory, string ModelPath, string? MaskedLmHeadPath);

/// <summary>
/// ONNX graphs of in-memory models, exported once and kept in a cache folder under a key hashed from everything that
/// shapes the graph (format version, config, heads, fused or plain, and every weight), so an engine for the same weights
/// — in this process or the next — loads the file instead of exporting again. Each entry is written to a temporary folder
/// and renamed into place (concurrent processes never see half an entry); after each new entry the folder is pruned to the
/// most recently used entries, never removing one a session of this process uses.
/// </summary>
internal static class GraphCache
{
    /// <summary>Environment variable that moves the default cache folder.</summary>
    public const string DirectoryVariable = "ROBERTA_ZH_ONNX_CACHE";

    private const int FormatVersion = 1;
    private const string ModelFile = "model.onnx";
    private const string HeadFile = "masked-lm-head.onnx";
    private const string CompleteMarker = "complete";
    private static readonly TimeSpan StaleTemporary = TimeSpan.FromHours(6);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, object> Exporting = new(StringComparer.Ordinal);

    /// <summary><c>$ROBERTA_ZH_ONNX_CACHE</c>, else <c>roberta-zh-onnx-cache</c> under the system temp folder.</summary>
    public static string DefaultDirectory =>
        Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } d ? d : Path.Combine(Path.GetTempPath(), "roberta-zh-onnx-cache");

    /// <summary>The cached graphs of <paramref name="model"/>, exporting them first when the cache has none.</summary>
    /// <param name="model">The model.</param>
    /// <param name="root">The cache folder.</param>
    /// <param name="fused">Export with ONNX Runtime's fused contrib operators.</param>
    /// <param name="keep">Entries to keep when pruning (the most recently used), besides those in use.</param>
    /// <param name="inUse">Whether this process still uses the entry with a given key.</param>
    public static CachedGraphs GetOrExport(BertModel model, string root, bool fused, int keep, Func<string, bool> inUse)
    {
        string key = Key(model, fused);
        // One export per key in this process: a second caller for the same weights waits and then finds the entry.
        lock (Exporting.GetOrAdd(Path.Combine(root, key), _ => new object()))
            return GetOrExport(model, root, fused, keep, inUse, key);
    }

    private static CachedGraphs GetOrExport(BertModel model, string root, bool fused, int keep, Func<string, bool> inUse, string key)
    {
        string directory = Path.Combine(root, key);
        var graphs = new CachedGraphs(key, directory, Path.Combine(directory, ModelFile), model.Heads.MaskedLm ? Path.Combine(directory, HeadFile) : null);
        string marker = Path.Combine(directory, CompleteMarker);
        if (File.Exists(marker))
        {
            Touch(marker);
            return graphs;
        }

        Directory.CreateDirectory(root);
        string temporary = Path.Combine(root, $"{key}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Export(model, temporary, fused);
            try
            {
                Directory.Move(temporary, directory);
            }
            catch (IOException) when (File.Exists(marker))
            {
                // Another process finished the same entry first: use theirs.
            }
            catch (IOException) when (Directory.Exists(directory))
            {
                // A broken entry (no marker) from an interrupted run: replace it.
                Directory.Delete(directory, recursive: true);
                Directory.Move(temporary, directory);
            }
        }
        finally
        {
            if (Directory.Exists(temporary)) TryDelete(temporary);
        }
        Prune(root, keep, k => k == key || inUse(k));
        return graphs;
    }

    /// <summary>Hex SHA-256 of the graph's inputs: format version, config, heads, fused flag and the weights' bytes.</summary>
    internal static string Key(BertModel model, bool fused)
    {
        string header = string.Join("\n", FormatVersion.ToString(CultureInfo.InvariantCulture), model.Config.ToJson(), model.Heads.ToString(),
            fused ? "fused" : "plain", model.Parameters.Length.ToString(CultureInfo.InvariantCulture));
        // The weights in chunks hashed in parallel, then the chunk hashes: a base model (440 MB) in a fraction of a second.
        const int chunk = 1 << 24;
        var parameters = model.Parameters;
        int chunks = (parameters.Length + chunk - 1) / chunk;
        var digests = new byte[chunks][];
        Parallel.For(0, chunks, c =>
        {
            int start = c * chunk, length = Math.Min(chunk, parameters.Length - start);
            digests[c] = SHA256.HashData(MemoryMarshal.AsBytes(parameters.AsSpan(start, length)));
        });
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(header));
        foreach (var digest in digests) hash.AppendData(digest);
        return Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 16));
    }

    /// <summary>Removes cache entries beyond the <paramref name="keep"/> most recently used (and temporary folders left by crashed runs).</summary>
    internal static void Prune(string root, int keep, Func<string, bool> protectedKey)
    {
        if (!Directory.Exists(root)) return;
        var entries = new List<(string Path, DateTime Used)>();
        foreach (var directory in Directory.EnumerateDirectories(root))
        {
            string name = Path.GetFileName(directory);
            if (name.Contains(".tmp-", StringComparison.Ordinal))
            {
                if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(directory) > StaleTemporary) TryDelete(directory);
                continue;
            }
            string marker = Path.Combine(directory, CompleteMarker);
            entries.Add((directory, File.Exists(marker) ? File.GetLastWriteTimeUtc(marker) : DateTime.MinValue));
        }
        foreach (var (path, _) in entries.OrderByDescending(e => e.Used).Skip(Math.Max(keep, 0)))
            if (!protectedKey(Path.GetFileName(path))) TryDelete(path);
    }

    private static void Export(BertModel model, string directory, bool fused)
    {
        Directory.CreateDirectory(directory);
        var task = model.Heads.NumLabels > 0 ? OnnxModelTask.Classifier : OnnxModelTask.Encoder;
        OnnxExporter.Export(model, Path.Combine(directory, ModelFile), new OnnxExportOptions { Task = task, Fused = fused });
        if (model.Heads.MaskedLm)
        {
            var g = new GraphBuilder();
            new BertGraph(g, model, opset: 17, model.Config.MaxPositionEmbeddings, fused: false).BuildMaskedLmHeadOnly();
            OnnxModelWriter.Write(g, Path.Combine(directory, HeadFile), opset: 17,
                new Dictionary<string, string> { [MetadataKeys.Task] = "masked-lm-head", [MetadataKeys.Config] = model.Config.ToJson() }, externalData: null);
        }
        File.WriteAllText(Path.Combine(directory, CompleteMarker), DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
    }

    private static void Touch(string marker)
    {
        try { File.SetLastWriteTimeUtc(marker, DateTime.UtcNow); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // a read-only cache still serves
    }

    // Best effort: on Windows a file mapped by a live session (here or in another process) cannot be deleted yet.
    private static void TryDelete(string directory)
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
