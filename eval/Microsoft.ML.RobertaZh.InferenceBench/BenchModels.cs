using System.Text.Json.Nodes;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.InferenceBench;

/// <summary>
/// The models and texts the benchmark runs on: a binary classifier of a UER size with random weights (speed does not
/// depend on them) saved as a classifier directory (config with the classifier settings, safetensors, the real Chinese
/// vocabulary from ../shared/data when present), and real review sentences for latency.
/// </summary>
internal static class BenchModels
{
    /// <summary>The classifier directory for <paramref name="size"/> under <paramref name="work"/>, written on first use.</summary>
    public static string ClassifierDirectory(string work, string size)
    {
        string dir = Path.Combine(work, size);
        if (File.Exists(Path.Combine(dir, "done"))) return dir;
        Directory.CreateDirectory(dir);
        var config = BertConfig.FromPreset(size);
        var model = BertModel.Create(config, BertHeads.Classification(2), seed: 1);
        model.Save(dir);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!.AsObject();
        json["id2label"] = new JsonObject { ["0"] = "0", ["1"] = "1" };
        json["label2id"] = new JsonObject { ["0"] = 0, ["1"] = 1 };
        json["roberta_zh_classifier"] = new JsonObject
        {
            ["task"] = "binary", ["sentence1_column_name"] = "Text", ["probability_column_name"] = "Probability", ["max_sequence_length"] = 128, ["batch_size"] = 32,
        };
        File.WriteAllText(Path.Combine(dir, "config.json"), json.ToJsonString());
        File.WriteAllLines(Path.Combine(dir, "vocab.txt"), Vocabulary(config.VocabSize));
        File.WriteAllText(Path.Combine(dir, "done"), "");
        return dir;
    }

    /// <summary>Review sentences: ChnSentiCorp's dev set from ../shared/data when present, else synthetic Chinese of similar lengths.</summary>
    public static List<string> Sentences(int count)
    {
        string? file = SharedData("datasets", "chnsenticorp", "dev.tsv");
        if (file is not null)
            return [.. File.ReadLines(file).Skip(1).Select(l => l.Split('\t')).Where(f => f.Length > 1).Select(f => f[^1]).Take(count)];
        var rng = new Random(3);
        return [.. Enumerable.Range(0, count).Select(_ => new string([.. Enumerable.Range(0, rng.Next(10, 200)).Select(_ => (char)rng.Next(0x4E00, 0x9FA5))]))];
    }

    private static IEnumerable<string> Vocabulary(int size)
    {
        string? file = SharedData("vocab", "google_zh_vocab.txt");
        var tokens = file is not null ? File.ReadAllLines(file).ToList()
            : ["[PAD]", .. Enumerable.Range(1, 99).Select(i => $"[unused{i}]"), "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. Enumerable.Range(0x4E00, size).Select(c => ((char)c).ToString())];
        return tokens.Take(size);
    }

    private static string? SharedData(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Microsoft.ML.RobertaZh.sln"))) continue;
            string path = Path.Combine([dir.FullName, "..", "shared", "data", .. parts]);
            return File.Exists(path) ? Path.GetFullPath(path) : null;
        }
        return null;
    }
}
