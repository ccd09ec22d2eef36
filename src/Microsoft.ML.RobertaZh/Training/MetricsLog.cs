using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.RobertaZh.Tensors;

namespace Microsoft.ML.RobertaZh.Training;

/// <summary>
/// <c>metrics.jsonl</c> (one JSON object per logged update or evaluation) in an output directory; the
/// Microsoft.ML.RobertaZh.Plotting assembly (and the CLI) draw the learning curves from it. On resume, lines after the
/// restored step are dropped so the log matches the weights.
/// </summary>
internal sealed class MetricsLog
{
    public const string FileName = "metrics.jsonl";
    private readonly string _path;
    private readonly List<JsonObject> _records = [];
    private int _flushed;

    public MetricsLog(string directory, long keepUpToStep)
    {
        _path = Path.Combine(directory, FileName);
        if (File.Exists(_path))
        {
            foreach (string line in File.ReadLines(_path))
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                try
                {
                    if (JsonNode.Parse(line) is JsonObject o && o["step"]?.GetValue<long>() <= keepUpToStep) _records.Add(o);
                }
                catch (JsonException) { } // a line cut by a crash
            }
            AtomicFile.WriteAllText(_path, string.Concat(_records.Select(r => r.ToJsonString() + "\n")));
        }
        _flushed = _records.Count;
    }

    /// <summary>Every record so far (training and evaluation).</summary>
    public IReadOnlyList<JsonObject> Records => _records;

    public void WriteTraining(TrainingProgress p)
    {
        var o = new JsonObject
        {
            ["step"] = p.Step, ["split"] = "train", ["epoch"] = Round(p.Epoch), ["loss"] = Round(p.Loss), ["lr"] = p.LearningRate,
            ["grad_norm"] = Round(p.GradientNorm), ["tokens_per_s"] = Round(p.TokensPerSecond), ["elapsed_s"] = Round(p.Elapsed.TotalSeconds),
        };
        if (!double.IsNaN(p.MaskedLmAccuracy)) o["mlm_accuracy"] = Round(p.MaskedLmAccuracy);
        _records.Add(o);
    }

    public void WriteEvaluation(long step, double elapsedSeconds, IReadOnlyDictionary<string, double> metrics)
    {
        var o = new JsonObject { ["step"] = step, ["split"] = "eval", ["elapsed_s"] = Round(elapsedSeconds) };
        foreach (var (k, v) in metrics) o[k] = double.IsFinite(v) ? Round(v) : null;
        _records.Add(o);
        Flush();
    }

    /// <summary>Appends new records to the file.</summary>
    public void Flush()
    {
        if (_flushed == _records.Count) return;
        using var w = new StreamWriter(_path, append: true);
        for (; _flushed < _records.Count; _flushed++) w.Write(_records[_flushed].ToJsonString() + "\n");
    }

    private static double Round(double v) => double.IsFinite(v) ? Math.Round(v, 6) : 0;
}
