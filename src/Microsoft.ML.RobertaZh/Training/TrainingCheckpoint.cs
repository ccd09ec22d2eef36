using System.Globalization;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Checkpoints;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tensors;

namespace Microsoft.ML.RobertaZh.Training;

/// <summary>
/// Training checkpoints: <c>OUTPUT/checkpoints/step-NNNNNNNN/</c> holds a loadable model directory (config.json,
/// model.safetensors) plus optimizer.safetensors (AdamW moments per named tensor, engine-neutral: see
/// <see cref="IBertTrainingEngine.ExportOptimizerState"/>) and trainer_state.json; <c>OUTPUT/checkpoints/latest</c>
/// names the newest. A checkpoint is written into a temporary directory, flushed, and renamed into place before
/// <c>latest</c> is replaced (atomically), so an interrupted write never damages the previous checkpoint.
/// </summary>
public static class TrainingCheckpoint
{
    private const string Prefix = "step-";
    private const string LatestFile = "latest";
    private const string StateFile = "trainer_state.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Called after the files are written and before the checkpoint is committed; tests use it to simulate a crash.</summary>
    internal static Action<string>? BeforeCommit { get; set; }

    /// <summary>The checkpoints folder of an output directory.</summary>
    public static string Folder(string outputDirectory) => Path.Combine(outputDirectory, "checkpoints");

    /// <summary>Writes a checkpoint of <paramref name="model"/>, <paramref name="optimizer"/> and <paramref name="state"/>; keeps the newest <paramref name="keep"/>. Returns its directory.</summary>
    public static string Save(string outputDirectory, BertModel model, AdamW optimizer, TrainerState state, int keep = 2, string? vocabularyPath = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        return Save(outputDirectory, new ManagedEngine(model, optimizer), state, keep, vocabularyPath);
    }

    /// <summary>
    /// Writes a checkpoint of <paramref name="engine"/>'s weights and optimizer state and of <paramref name="state"/>, in the
    /// engine-neutral format (any training engine restores it); keeps the newest <paramref name="keep"/>. Returns its directory.
    /// </summary>
    public static string Save(string outputDirectory, IBertTrainingEngine engine, TrainerState state, int keep = 2, string? vocabularyPath = null)
    {
        ArgumentNullException.ThrowIfNull(outputDirectory);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(state);
        string folder = Folder(outputDirectory);
        Directory.CreateDirectory(folder);
        string name = Prefix + state.Step.ToString("D8", CultureInfo.InvariantCulture);
        string final = Path.Combine(folder, name);
        string temp = Path.Combine(folder, $".{name}.{Guid.NewGuid():N}.tmp");
        try
        {
            engine.Save(temp, vocabularyPath);
            OptimizerFile.Write(Path.Combine(temp, OptimizerFile.FileName), engine.Layout, engine.ExportOptimizerState(), engine.Kind);
            AtomicFile.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(state with { Engine = engine.Kind.ToString() }, Json));
            BeforeCommit?.Invoke(temp);
            if (Directory.Exists(final))
            {
                // Re-saving a step (after a resume): move the old one aside first, so a crash leaves one of the two.
                string old = final + $".{Guid.NewGuid():N}.old";
                Directory.Move(final, old);
                Directory.Move(temp, final);
                Directory.Delete(old, recursive: true);
            }
            else
            {
                Directory.Move(temp, final);
            }
        }
        catch
        {
            try { if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        AtomicFile.WriteAllText(Path.Combine(folder, LatestFile), name + "\n");
        Prune(folder, keep, name);
        return final;
    }

    /// <summary>
    /// Restores the newest complete checkpoint under <paramref name="outputDirectory"/> into <paramref name="model"/> and
    /// <paramref name="optimizer"/>; returns its state, or null when there is none. A damaged newest checkpoint is skipped
    /// for the one before it.
    /// </summary>
    public static TrainerState? TryRestoreLatest(string outputDirectory, BertModel model, AdamW optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        return TryRestoreLatest(outputDirectory, new ManagedEngine(model, optimizer));
    }

    /// <summary>
    /// Restores the newest complete checkpoint under <paramref name="outputDirectory"/> into <paramref name="engine"/>
    /// (written by any engine); returns its state, or null when there is none. A damaged newest checkpoint is skipped for
    /// the one before it.
    /// </summary>
    public static TrainerState? TryRestoreLatest(string outputDirectory, IBertTrainingEngine engine)
    {
        ArgumentNullException.ThrowIfNull(outputDirectory);
        ArgumentNullException.ThrowIfNull(engine);
        string folder = Folder(outputDirectory);
        if (!Directory.Exists(folder)) return null;
        var candidates = new List<string>();
        string latestPath = Path.Combine(folder, LatestFile);
        if (File.Exists(latestPath)) candidates.Add(Path.Combine(folder, File.ReadAllText(latestPath).Trim()));
        candidates.AddRange(List(folder).Select(d => Path.Combine(folder, d)));
        Exception? last = null;
        foreach (string dir in candidates.Distinct())
        {
            if (!Directory.Exists(dir)) continue;
            try
            {
                return Restore(dir, engine);
            }
            catch (Exception e) when (e is CheckpointFormatException or InvalidDataException or IOException or JsonException)
            {
                last = e; // fall back to the previous checkpoint
            }
        }
        if (last is not null) throw new InvalidDataException($"No loadable checkpoint in {folder}: {last.Message}", last);
        return null;
    }

    /// <summary>Restores the checkpoint in <paramref name="directory"/>; errors name the file and what does not match.</summary>
    public static TrainerState Restore(string directory, BertModel model, AdamW optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        return Restore(directory, new ManagedEngine(model, optimizer));
    }

    /// <summary>
    /// Restores the checkpoint in <paramref name="directory"/> (written by any engine, or by versions before the engines)
    /// into <paramref name="engine"/>: weights, AdamW moments and step, dropout seed and pass count. Errors name the file
    /// and what does not match; nothing is changed unless everything matches.
    /// </summary>
    public static TrainerState Restore(string directory, IBertTrainingEngine engine)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(engine);
        string statePath = Path.Combine(directory, StateFile);
        if (!File.Exists(statePath)) throw new InvalidDataException($"{directory}: no {StateFile}; not a training checkpoint.");
        var state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(statePath))
            ?? throw new InvalidDataException($"{statePath}: empty trainer state.");
        var layout = engine.Layout;
        var weights = SafeTensorsReader.Read(Path.Combine(directory, CheckpointReader.SafeTensorsFileName));
        var parameters = new float[layout.Count];
        foreach (var slice in layout.Slices)
        {
            if (!weights.TryGetValue(slice.Name, out var t) || !t.Shape.SequenceEqual(slice.Shape))
                throw new InvalidDataException($"{weights.SourcePath}: tensor '{slice.Name}' is missing or has another shape; the checkpoint was made for a different model.");
            t.Data.AsSpan().CopyTo(slice.Of(parameters));
        }
        var optimizer = OptimizerFile.Read(Path.Combine(directory, OptimizerFile.FileName), layout, state.Step);
        // Everything checked: now overwrite the live state.
        engine.ImportParameters(parameters);
        engine.ImportOptimizerState(optimizer);
        engine.TrainingPasses = state.TrainingPasses;
        engine.DropoutSeed = state.DropoutSeed;
        return state;
    }

    private static List<string> List(string folder) =>
        [.. Directory.GetDirectories(folder, Prefix + "*").Select(Path.GetFileName).OfType<string>()
            .Where(n => n.Length == Prefix.Length + 8 && n[Prefix.Length..].All(char.IsAsciiDigit))
            .OrderByDescending(n => n, StringComparer.Ordinal)];

    private static void Prune(string folder, int keep, string current)
    {
        foreach (string name in List(folder).Where(n => n != current).Skip(Math.Max(0, keep - 1)))
        {
            try { Directory.Delete(Path.Combine(folder, name), recursive: true); }
            catch (IOException) { } // best effort: a leftover old checkpoint is harmless
        }
    }
}
