using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Hosting;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Saving and loading whole pipelines that contain this library's transformers, which ML.NET's <c>Model.Save</c> cannot
/// store (its save context is internal: dotnet/machinelearning #4911, #6839). One zip holds the chain flattened and cut
/// into parts: runs of ML.NET transformers saved by ML.NET's own public <c>Model.Save</c> (entries <c>partN.mlnet.zip</c>),
/// this library's transformers as Hugging Face-compatible directories (<c>partN.roberta/</c>, weights stored
/// uncompressed), and <c>manifest.json</c> listing the parts in order. Not loadable by plain <c>Model.Load</c>;
/// <c>TransformerScope</c> tags of nested chains are not kept.
/// </summary>
public static class RobertaModelOperations
{
    private const int FormatVersion = 1;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes <paramref name="model"/> (any chain, possibly nested, of ML.NET and RoBERTa transformers) with its input schema to one zip at <paramref name="path"/>.</summary>
    public static void SaveWithRoberta(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var parts = new List<Part>();
        var run = new List<ITransformer>();
        var schema = inputSchema;
        var runSchema = inputSchema;
        string temp = path + ".tmp";
        string scratch = Directory.CreateTempSubdirectory("roberta-zh-save-").FullName;
        try
        {
            using (var zip = ZipFile.Open(temp, ZipArchiveMode.Create))
            {
                void FlushRun(bool always)
                {
                    if (run.Count == 0 && !always) return;
                    string name = $"part{parts.Count}.mlnet.zip";
                    using (var stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open())
                    {
                        using var buffer = new MemoryStream();
                        catalog.Save(new TransformerChain<ITransformer>([.. run]), runSchema, buffer);
                        buffer.Position = 0;
                        buffer.CopyTo(stream);
                    }

                    parts.Add(new Part("mlnet", name));
                    run.Clear();
                }

                foreach (var t in Flatten(model))
                {
                    if (t is RobertaClassifierTransformer or RobertaEncoderTransformer)
                    {
                        FlushRun(always: parts.Count == 0);
                        string kind = t is RobertaClassifierTransformer ? "classifier" : "encoder";
                        string dir = Path.Combine(scratch, $"part{parts.Count}");
                        if (t is RobertaClassifierTransformer c) c.Save(dir);
                        else ((RobertaEncoderTransformer)t).Save(dir);
                        string prefix = $"part{parts.Count}.roberta/";
                        foreach (var file in Directory.EnumerateFiles(dir))
                        {
                            // Weights are stored, not deflated: they do not compress and can be copied straight out.
                            var level = file.EndsWith(".safetensors", StringComparison.Ordinal) ? CompressionLevel.NoCompression : CompressionLevel.Optimal;
                            zip.CreateEntryFromFile(file, prefix + Path.GetFileName(file), level);
                        }

                        parts.Add(new Part(kind, prefix));
                    }
                    else
                    {
                        if (run.Count == 0) runSchema = schema;
                        run.Add(t);
                    }

                    schema = t.GetOutputSchema(schema);
                }

                FlushRun(always: parts.Count == 0);
                using var manifest = new StreamWriter(zip.CreateEntry("manifest.json").Open());
                manifest.Write(JsonSerializer.Serialize(new Manifest(FormatVersion, typeof(RobertaModelOperations).Assembly.GetName().Version?.ToString() ?? "", parts), Indented));
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>
    /// Loads a zip written by <see cref="SaveWithRoberta"/> as a <see cref="TransformerChain{T}"/>; <paramref name="inputSchema"/>
    /// is the schema it was saved with. The RoBERTa parts run on the engine and device of <paramref name="inference"/>
    /// (default: managed; the device from the MLContext's <c>GpuDeviceId</c>, else the CPU) with their saved precision and
    /// packing unless it overrides them. Dispose the chain to free their engines.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not such a zip.</exception>
    /// <exception cref="Engines.EngineUnavailableException">The engine's assembly or native runtime, or the device, is not available here.</exception>
    public static TransformerChain<ITransformer> LoadWithRoberta(this ModelOperationsCatalog catalog, string path, out DataViewSchema inputSchema,
        RobertaInferenceOptions? inference = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var env = Interop.EnvironmentOf(catalog);
        using var zip = ZipFile.OpenRead(path);
        var entry = zip.GetEntry("manifest.json")
            ?? throw new InvalidDataException($"{path} has no manifest.json: it was not written by SaveWithRoberta (an ML.NET model zip loads with mlContext.Model.Load).");
        Manifest manifest;
        using (var reader = new StreamReader(entry.Open())) manifest = JsonSerializer.Deserialize<Manifest>(reader.ReadToEnd()) ?? throw new InvalidDataException($"{path}: empty manifest.");
        if (manifest.Format > FormatVersion) throw new InvalidDataException($"{path} has format {manifest.Format}; this library reads format {FormatVersion} and older. Update Microsoft.ML.RobertaZh.");
        DataViewSchema? schema = null;
        var all = new List<ITransformer>();
        try
        {
            foreach (var part in manifest.Parts)
            {
                if (part.Kind == "mlnet")
                {
                    using var buffer = new MemoryStream();
                    using (var s = (zip.GetEntry(part.Entry) ?? throw new InvalidDataException($"{path}: missing {part.Entry}.")).Open()) s.CopyTo(buffer);
                    buffer.Position = 0;
                    var loaded = catalog.Load(buffer, out var partSchema);
                    schema ??= partSchema;
                    all.AddRange(Flatten(loaded));
                    continue;
                }

                string dir = Directory.CreateTempSubdirectory("roberta-zh-load-").FullName;
                try
                {
                    foreach (var e in zip.Entries.Where(e => e.FullName.StartsWith(part.Entry, StringComparison.Ordinal) && e.Name.Length > 0))
                        e.ExtractToFile(Path.Combine(dir, e.Name));
                    all.Add(part.Kind switch
                    {
                        "classifier" => RobertaClassifierTransformer.Load(env, dir, inference),
                        "encoder" => RobertaEncoderTransformer.Load(env, dir, inference),
                        _ => throw new InvalidDataException($"{path}: unknown part kind '{part.Kind}'."),
                    });
                }
                finally
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
        }
        catch
        {
            // A part that fails to load (a missing engine, a damaged entry) must not leak the engines of those before it.
            foreach (var loaded in all) (loaded as IDisposable)?.Dispose();
            throw;
        }

        inputSchema = schema ?? throw new InvalidDataException($"{path}: no part records the input schema.");
        return new TransformerChain<ITransformer>([.. all]);
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [model];

    private sealed record Part(string Kind, string Entry);

    private sealed record Manifest(int Format, string LibraryVersion, List<Part> Parts);
}
