using System.Globalization;
using Microsoft.ML.RobertaZh.Checkpoints;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Training;

/// <summary>
/// optimizer.safetensors of a training checkpoint: AdamW's moments as one tensor per parameter, named
/// <c>exp_avg.NAME</c> and <c>exp_avg_sq.NAME</c> after the Hugging Face parameter names and shaped like them, with the
/// step count in the metadata — nothing engine-specific, so any engine resumes from it. Reads the older layout too (two
/// flat tensors <c>exp_avg</c> / <c>exp_avg_sq</c> in parameter-layout order).
/// </summary>
internal static class OptimizerFile
{
    public const string FileName = "optimizer.safetensors";
    private const string FirstPrefix = "exp_avg.";
    private const string SecondPrefix = "exp_avg_sq.";
    private const string FormatName = "roberta-zh-adamw";

    public static void Write(string path, BertParameterLayout layout, OptimizerState state, EngineKind writer)
    {
        var tensors = new List<KeyValuePair<string, (int[] Shape, ReadOnlyMemory<float> Data)>>(2 * layout.Slices.Count);
        foreach (var s in layout.Slices)
            tensors.Add(new(FirstPrefix + s.Name, ([.. s.Shape], new ReadOnlyMemory<float>(state.FirstMoment, s.Offset, s.Length))));
        foreach (var s in layout.Slices)
            tensors.Add(new(SecondPrefix + s.Name, ([.. s.Shape], new ReadOnlyMemory<float>(state.SecondMoment, s.Offset, s.Length))));
        SafeTensorsWriter.Write(path, tensors, new Dictionary<string, string>
        {
            ["format"] = FormatName,
            ["version"] = "2",
            ["step"] = state.Step.ToString(CultureInfo.InvariantCulture),
            ["engine"] = writer.ToString(),
        });
    }

    /// <summary>Reads the moments for <paramref name="layout"/>; <paramref name="fallbackStep"/> is used when the file has no step.</summary>
    /// <exception cref="InvalidDataException">The file's moments do not fit the model; the message names the file and tensor.</exception>
    public static OptimizerState Read(string path, BertParameterLayout layout, long fallbackStep)
    {
        var file = SafeTensorsReader.Read(path);
        var first = new float[layout.Count];
        var second = new float[layout.Count];
        if (file.ContainsKey("exp_avg") && !file.ContainsKey(FirstPrefix + layout.Slices[0].Name))
        {
            // Before the engines: two flat tensors in layout order.
            if (!file.TryGetValue("exp_avg_sq", out var v) || file["exp_avg"].Data.Length != layout.Count || v.Data.Length != layout.Count)
                throw new InvalidDataException($"{path}: optimizer moments do not match the model's {layout.Count} parameters.");
            file["exp_avg"].Data.CopyTo(first, 0);
            v.Data.CopyTo(second, 0);
        }
        else
        {
            foreach (var s in layout.Slices)
            {
                Copy(file, path, FirstPrefix + s.Name, s, first);
                Copy(file, path, SecondPrefix + s.Name, s, second);
            }
        }
        long step = file.Metadata.TryGetValue("step", out string? text) ? long.Parse(text, CultureInfo.InvariantCulture) : fallbackStep;
        return new OptimizerState(step, first, second);
    }

    private static void Copy(StateDict file, string path, string name, ParameterSlice slice, float[] destination)
    {
        if (!file.TryGetValue(name, out var t) || !t.Shape.SequenceEqual(slice.Shape))
            throw new InvalidDataException($"{path}: optimizer tensor '{name}' is missing or has another shape; the checkpoint was made for a different model.");
        t.Data.AsSpan().CopyTo(slice.Of(destination));
    }
}
