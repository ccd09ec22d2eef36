using System.Globalization;
using System.Text.Json;

namespace Microsoft.ML.RobertaZh.Plotting;

/// <summary>
/// One line of <c>metrics.jsonl</c>: the update it was logged at, its split (<c>train</c> or <c>eval</c>) and its numeric
/// values by name (<c>loss</c>, <c>lr</c>, <c>epoch</c>, <c>mlm_accuracy</c>, <c>accuracy</c>, <c>baseline_accuracy</c>, ...).
/// </summary>
/// <param name="Step">Updates completed when the record was written.</param>
/// <param name="Split"><c>train</c> for a logged update, <c>eval</c> for a held-out evaluation.</param>
/// <param name="Values">Every finite number of the record except the step.</param>
public sealed record MetricsRecord(long Step, string Split, IReadOnlyDictionary<string, double> Values)
{
    /// <summary>The value named <paramref name="key"/>, or NaN when the record has none.</summary>
    public double Get(string key) => Values.TryGetValue(key, out double v) ? v : double.NaN;
}

/// <summary>
/// The metrics a training run logged (<c>metrics.jsonl</c>, written by the core library's training loop), split into
/// training records and held-out evaluations, each in step order.
/// </summary>
public sealed class MetricsHistory
{
    /// <summary>The file name the training loop writes in a run's output directory.</summary>
    public const string FileName = "metrics.jsonl";

    private MetricsHistory(List<MetricsRecord> records)
    {
        Training = [.. records.Where(r => r.Split == "train").OrderBy(r => r.Step)];
        Evaluations = [.. records.Where(r => r.Split == "eval").OrderBy(r => r.Step)];
    }

    /// <summary>Records of logged updates (train loss, learning rate, epoch, ...).</summary>
    public IReadOnlyList<MetricsRecord> Training { get; }

    /// <summary>Held-out evaluations (loss and accuracy of the validation set or held-out documents).</summary>
    public IReadOnlyList<MetricsRecord> Evaluations { get; }

    /// <summary>Reads a <c>metrics.jsonl</c> file; a last line cut by a crash is skipped.</summary>
    /// <exception cref="InvalidDataException">A line other than the last is not a JSON object with a numeric <c>step</c>.</exception>
    public static MetricsHistory Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(File.ReadAllLines(path), path);
    }

    /// <summary>Parses the lines of a <c>metrics.jsonl</c> file (<paramref name="source"/> names it in errors).</summary>
    /// <exception cref="InvalidDataException">A line other than the last is not a JSON object with a numeric <c>step</c>.</exception>
    public static MetricsHistory Parse(IReadOnlyList<string> lines, string source = "metrics.jsonl")
    {
        ArgumentNullException.ThrowIfNull(lines);
        var records = new List<MetricsRecord>();
        int last = lines.Count - 1;
        while (last >= 0 && string.IsNullOrWhiteSpace(lines[last])) last--;
        for (int i = 0; i <= last; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            try
            {
                records.Add(ParseRecord(lines[i]));
            }
            catch (Exception e) when (e is JsonException or InvalidDataException)
            {
                if (i == last) break;   // the training loop appends; a crash can cut only the last line
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{source}:{i + 1}: {e.Message}"), e);
            }
        }
        return new MetricsHistory(records);
    }

    private static MetricsRecord ParseRecord(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException("not a JSON object");
        if (!root.TryGetProperty("step", out var step) || step.ValueKind != JsonValueKind.Number)
            throw new InvalidDataException("no numeric \"step\"");
        string split = root.TryGetProperty("split", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "train";
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in root.EnumerateObject())
            if (p.Name != "step" && p.Value.ValueKind == JsonValueKind.Number && double.IsFinite(p.Value.GetDouble()))
                values[p.Name] = p.Value.GetDouble();
        return new MetricsRecord(step.GetInt64(), split, values);
    }
}
