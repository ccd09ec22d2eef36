using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using Microsoft.ML.RobertaZh.Checkpoints;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests.TestSupport;

/// <summary>
/// Fitted classifier transformers on the fixture model (hidden 64, 2 layers, 32 positions), loaded the way users load
/// them (<see cref="RobertaClassifierTransformer.Load"/>), reading column "Text" and truncating at 32 tokens: the
/// fixture's 3 classes, and 2 of them, with heads made to separate the test sentences (see <see cref="Write"/>). The
/// vocabulary has the special tokens at 100–103 and sixteen Chinese characters at 104–119, so sentences over
/// <see cref="Characters"/> tokenize into varied ids.
/// </summary>
internal static class Classifiers
{
    /// <summary>The characters with ids 104..119.</summary>
    public const string Characters = "我爱北京天安门好坏书很不是的了人";

    /// <summary>A multiclass classifier directory (classes negative, neutral, positive).</summary>
    public static string MulticlassDirectory(string root) => Write(root, "multiclass", binary: false);

    /// <summary>A binary classifier directory (classes "0" and "1").</summary>
    public static string BinaryDirectory(string root) => Write(root, "binary", binary: true);

    /// <summary>Sentences of 1..40 characters (some longer than the 32-token limit), with Latin words and punctuation mixed in.</summary>
    public static List<string> Sentences(int count, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            int length = rng.Next(1, 41);
            var chars = new char[length];
            for (int i = 0; i < length; i++) chars[i] = Characters[rng.Next(Characters.Length)];
            string text = new(chars);
            return rng.Next(4) == 0 ? text + " ok，" + text[..Math.Min(3, text.Length)] : text;
        })];
    }

    private static string[] Vocabulary() =>
        ["[PAD]", .. Enumerable.Range(1, 99).Select(i => $"[unused{i}]"), "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. Characters.Select(c => c.ToString())];

    // The fixture's pooled states differ little between sentences, so its head (random, from PyTorch's initializer) gives
    // every sentence the same class. The head written here is the fixture's rows (negative and positive for binary, all
    // three for multiclass) scaled by 20, with biases that centre each class's logit over a calibration set of sentences:
    // the classes then compete, and each is predicted for some sentences.
    private static string Write(string root, string name, bool binary)
    {
        string dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.Path("model"), "config.json")))!.AsObject();
        config["architectures"] = new JsonArray("BertForSequenceClassification");
        if (binary)
        {
            config["id2label"] = new JsonObject { ["0"] = "0", ["1"] = "1" };
            config["label2id"] = new JsonObject { ["0"] = 0, ["1"] = 1 };
        }
        config["roberta_zh_classifier"] = new JsonObject
        {
            ["task"] = binary ? "binary" : "multiclass", ["sentence1_column_name"] = "Text", ["label_column_name"] = "Label",
            ["probability_column_name"] = binary ? "Probability" : null, ["key_value_type"] = binary ? null : "String", ["max_sequence_length"] = 32,
        };
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());

        var weights = SafeTensorsReader.Read(Path.Combine(Fixtures.Path("model"), "model.safetensors"));
        var tensors = weights.Values.Where(t => !t.Name.StartsWith("classifier.", StringComparison.Ordinal))
            .Select(t => new KeyValuePair<string, (int[], ReadOnlyMemory<float>)>(t.Name, (t.Shape.ToArray(), t.Data))).ToList();
        var w = weights["classifier.weight"].Data.ToArray();
        int h = w.Length / 3;
        int[] classes = binary ? [0, 2] : [0, 1, 2];
        float[] head = [.. classes.SelectMany(c => w.AsSpan(c * h, h).ToArray().Select(v => v * 20))];
        var pooled = MeanPooledState();
        float[] bias = [.. Enumerable.Range(0, classes.Length).Select(c => -TensorPrimitives.Dot(head.AsSpan(c * h, h), pooled))];
        tensors.Add(new("classifier.weight", ([classes.Length, h], head)));
        tensors.Add(new("classifier.bias", ([classes.Length], bias)));
        SafeTensorsWriter.Write(Path.Combine(dir, "model.safetensors"), tensors);
        File.WriteAllLines(Path.Combine(dir, "vocab.txt"), Vocabulary());
        return dir;
    }

    // The fixture encoder's mean pooler output over 200 calibration sentences (not those the tests score).
    private static float[] MeanPooledState()
    {
        var tokenizer = new BertTokenizer(new Vocabulary(Vocabulary()));
        var encodings = Sentences(200, seed: 99).Select(t => tokenizer.Encode(t, options: new EncodeOptions { MaxLength = 32 })).ToList();
        var batch = BertBatch.Pad([.. encodings.Select(e => e.Ids)], [.. encodings.Select(e => (IReadOnlyList<int>?)e.TypeIds)]);
        var output = BertModel.Load(Fixtures.Path("model")).Forward(batch);
        int h = output.PoolerOutput!.Length / batch.Batch;
        var mean = new float[h];
        for (int b = 0; b < batch.Batch; b++) TensorPrimitives.Add(mean, output.PoolerOutput.AsSpan(b * h, h), mean);
        TensorPrimitives.Divide(mean, batch.Batch, mean);
        return mean;
    }
}
