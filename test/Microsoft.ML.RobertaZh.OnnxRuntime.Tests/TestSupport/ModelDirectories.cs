using System.Text.Json.Nodes;
using Microsoft.ML.RobertaZh.Checkpoints;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests.TestSupport;

/// <summary>Copies of the fixture model directory with changes, for export tests.</summary>
internal static class ModelDirectories
{
    /// <summary>
    /// Writes a copy of the fixture model under <paramref name="root"/>/<paramref name="name"/>: config.json edited by
    /// <paramref name="editConfig"/>, model.safetensors without the tensors <paramref name="dropTensor"/> selects, and a
    /// vocabulary that has the special tokens (the fixture's own has none) plus an optional tokenizer_config.json.
    /// </summary>
    public static string Copy(string root, string name, Action<JsonObject>? editConfig = null, Func<string, bool>? dropTensor = null,
        string? tokenizerConfig = null, bool vocabulary = true)
    {
        string dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.Path("model"), "config.json")))!.AsObject();
        editConfig?.Invoke(config);
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        var weights = SafeTensorsReader.Read(Path.Combine(Fixtures.Path("model"), "model.safetensors"));
        SafeTensorsWriter.Write(Path.Combine(dir, "model.safetensors"), weights.Values
            .Where(t => dropTensor?.Invoke(t.Name) != true)
            .Select(t => new KeyValuePair<string, (int[], ReadOnlyMemory<float>)>(t.Name, (t.Shape.ToArray(), t.Data))));
        if (vocabulary) File.WriteAllLines(Path.Combine(dir, "vocab.txt"), VocabularyWithSpecialTokens());
        if (tokenizerConfig is not null) File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), tokenizerConfig);
        return dir;
    }

    /// <summary>120 entries, as the fixture model's vocab_size: [PAD], 99 unused, [UNK] (100), [CLS] (101), [SEP] (102), [MASK] (103), then words.</summary>
    public static string[] VocabularyWithSpecialTokens() =>
        ["[PAD]", .. Enumerable.Range(1, 99).Select(i => $"[unused{i}]"), "[UNK]", "[CLS]", "[SEP]", "[MASK]",
         .. Enumerable.Range(104, 16).Select(i => $"词{i}")];
}
