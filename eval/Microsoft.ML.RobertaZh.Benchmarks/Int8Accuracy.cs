using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Benchmarks;

/// <summary>
/// Accuracy and speed of a fine-tuned sequence classifier in full precision and with dynamic int8 inference on a
/// labelled TSV (label, text_a[, text_b] with a header line, as the task files in ../shared/data/datasets), same
/// tokenization (max 128), batches of 32 padded to their longest sequence, in one process. The int8 and fp32 passes
/// alternate per round, so background load falls on both. Timed: the classifier's pass, logits only
/// (BertModel.ForwardLogits, as the ML.NET classifier runs it); --full times Forward instead (every token through the
/// last layer, the hidden states copied out). Prints one JSON line. --only fp32|int8 runs that precision's passes only
/// (for a profiler; the other's figures are then absent).
///   int8-accuracy --model DIR --data FILE [--rounds 3] [--pack] [--full] [--only fp32|int8]
/// </summary>
internal static class Int8Accuracy
{
    public static int Run(string[] args)
    {
        string Arg(string name, string fallback) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback; }
        string dir = Arg("--model", "");
        string data = Arg("--data", "");
        int rounds = Math.Max(1, int.Parse(Arg("--rounds", "3"), CultureInfo.InvariantCulture));
        if (dir.Length == 0 || data.Length == 0) { Console.Error.WriteLine("usage: int8-accuracy --model DIR --data FILE [--rounds N] [--pack] [--full] [--only fp32|int8]"); return 2; }
        bool full = args.Contains("--full");
        string only = Arg("--only", "");
        if (only is not ("" or "fp32" or "int8")) { Console.Error.WriteLine($"--only {only}: expected fp32 or int8"); return 2; }

        var tokenizer = BertTokenizer.Load(Path.Combine(dir, "vocab.txt"));
        var lines = File.ReadLines(data).Skip(1).Select(l => l.Split('\t')).Where(f => f.Length >= 2).ToList();
        var labels = lines.Select(f => int.Parse(f[0], CultureInfo.InvariantCulture)).ToArray();
        int numLabels = labels.Max() + 1;
        var model = BertModel.Load(dir, BertHeads.Classification(numLabels));
        model.PackPaddedSequences = args.Contains("--pack");
        var options = new EncodeOptions { MaxLength = 128 };
        var encodings = lines.Select(f => tokenizer.Encode(f[1], f.Length > 2 ? f[2] : null, options)).ToList();
        var batches = new List<BertBatch>();
        for (int start = 0; start < encodings.Count; start += 32)
        {
            var slice = encodings.Skip(start).Take(32).ToList();
            batches.Add(BertBatch.Pad(slice.Select(e => e.Ids).ToList(), slice.Select(e => (IReadOnlyList<int>?)e.TypeIds).ToList(),
                slice.Select(e => (IReadOnlyList<int>?)e.AttentionMask).ToList()));
        }

        (int Correct, double Seconds, int[] Predictions) Pass(InferencePrecision precision)
        {
            model.InferencePrecision = precision;
            var predictions = new int[labels.Length];
            var sw = Stopwatch.StartNew();
            int row = 0;
            foreach (var batch in batches)
            {
                var logits = full ? model.Forward(batch).Logits! : model.ForwardLogits(batch);
                for (int b = 0; b < batch.Batch; b++, row++)
                {
                    int best = 0;
                    for (int c = 1; c < numLabels; c++) if (logits[b * numLabels + c] > logits[b * numLabels + best]) best = c;
                    predictions[row] = best;
                }
            }
            double seconds = sw.Elapsed.TotalSeconds;
            return (predictions.Where((p, i) => p == labels[i]).Count(), seconds, predictions);
        }

        if (only.Length > 0)
        {
            var precision = only == "int8" ? InferencePrecision.DynamicInt8 : InferencePrecision.FullPrecision;
            var times = new List<double>();
            int correct = 0;
            for (int r = 0; r <= rounds; r++) { var pass = Pass(precision); if (r > 0) times.Add(pass.Seconds); correct = pass.Correct; }
            times.Sort();
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["model"] = dir, ["data"] = data, ["packed"] = model.PackPaddedSequences, ["pass"] = full ? "Forward" : "ForwardLogits",
                [only + "_accuracy"] = (double)correct / labels.Length, [only + "_seconds"] = times[times.Count / 2],
            }));
            return 0;
        }
        Pass(InferencePrecision.FullPrecision); // warm-up (and int8 quantization below)
        Pass(InferencePrecision.DynamicInt8);
        var fp32 = new List<double>();
        var int8 = new List<double>();
        (int Correct, double Seconds, int[] Predictions) f = (0, 0, []), q = (0, 0, []);
        for (int r = 0; r < rounds; r++)
        {
            f = Pass(InferencePrecision.FullPrecision); fp32.Add(f.Seconds);
            q = Pass(InferencePrecision.DynamicInt8); int8.Add(q.Seconds);
        }
        fp32.Sort(); int8.Sort();
        int agree = f.Predictions.Where((p, i) => p == q.Predictions[i]).Count();
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model"] = dir, ["data"] = data, ["examples"] = labels.Length, ["packed"] = model.PackPaddedSequences, ["pass"] = full ? "Forward" : "ForwardLogits",
            ["fp32_accuracy"] = (double)f.Correct / labels.Length, ["int8_accuracy"] = (double)q.Correct / labels.Length,
            ["same_prediction"] = (double)agree / labels.Length,
            ["fp32_seconds"] = fp32[fp32.Count / 2], ["int8_seconds"] = int8[int8.Count / 2], ["speedup"] = fp32[fp32.Count / 2] / int8[int8.Count / 2],
            ["load"] = File.ReadAllText("/proc/loadavg").Split(' ')[0],
        }));
        return 0;
    }
}
