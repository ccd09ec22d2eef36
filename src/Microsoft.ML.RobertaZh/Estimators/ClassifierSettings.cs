using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// What a fitted classifier needs besides its weights and vocabulary: column names, label type and the input settings.
/// Saved in config.json under <c>roberta_zh_classifier</c> (Hugging Face keeps unknown config keys as attributes).
/// </summary>
internal sealed record ClassifierSettings
{
    public const string ConfigKey = "roberta_zh_classifier";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public string LabelColumnName { get; init; } = "Label";
    public string Sentence1ColumnName { get; init; } = "Sentence1";
    public string? Sentence2ColumnName { get; init; }
    public string ScoreColumnName { get; init; } = "Score";
    public string PredictedLabelColumnName { get; init; } = "PredictedLabel";

    /// <summary>Null for multiclass tasks (no probability column).</summary>
    public string? ProbabilityColumnName { get; init; }

    public string LabelType { get; init; } = "String";
    public ulong? LabelKeyCount { get; init; }
    public IReadOnlyList<string>? LabelKeyValues { get; init; }
    public int MaxSequenceLength { get; init; } = 128;
    public LongTextStrategy LongTextStrategy { get; init; }
    public int Stride { get; init; } = 64;
    public int BatchSize { get; init; } = 32;

    public bool IsBinary => ProbabilityColumnName is not null;

    public static ClassifierSettings From(RobertaClassifierOptions o, LabelMap labels, bool binary) => new()
    {
        LabelColumnName = o.LabelColumnName, Sentence1ColumnName = o.Sentence1ColumnName, Sentence2ColumnName = o.Sentence2ColumnName,
        ScoreColumnName = o.ScoreColumnName, PredictedLabelColumnName = o.PredictedLabelColumnName,
        ProbabilityColumnName = binary ? o.ProbabilityColumnName : null, LabelType = labels.TypeName,
        LabelKeyCount = (labels.Type as Data.KeyDataViewType)?.Count, LabelKeyValues = labels.KeyValues,
        MaxSequenceLength = o.MaxSequenceLength, LongTextStrategy = o.LongTextStrategy, Stride = o.Stride, BatchSize = o.BatchSize,
    };

    /// <summary>Writes these settings and the class names (id2label/label2id) into <paramref name="config"/>.</summary>
    public void WriteTo(BertConfig config, LabelMap labels)
    {
        config.Id2Label = labels.Names.Select((n, i) => (n, i)).ToDictionary(x => x.i.ToString(System.Globalization.CultureInfo.InvariantCulture), x => x.n);
        config.Label2Id = labels.Names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
        config.ExtensionData ??= [];
        config.ExtensionData[ConfigKey] = JsonSerializer.SerializeToElement(this, Json);
    }

    /// <summary>Reads the settings and classes from a config written by <see cref="WriteTo"/>; a plain Hugging Face config gives defaults with string labels.</summary>
    public static (ClassifierSettings Settings, LabelMap Labels) ReadFrom(BertConfig config, string source)
    {
        var settings = config.ExtensionData?.TryGetValue(ConfigKey, out var element) == true
            ? element.Deserialize<ClassifierSettings>(Json) ?? new ClassifierSettings()
            : new ClassifierSettings();
        if (config.Id2Label is not { Count: > 0 } id2label)
            throw new InvalidDataException($"{source}: config.json has no id2label; it is not a classification model.");
        var names = new string[id2label.Count];
        foreach (var (key, name) in id2label)
        {
            if (!int.TryParse(key, System.Globalization.CultureInfo.InvariantCulture, out int i) || i < 0 || i >= names.Length)
                throw new InvalidDataException($"{source}: id2label key '{key}' is not an index in [0, {names.Length}).");
            names[i] = name;
        }
        return (settings, LabelMap.FromNames(settings.LabelType, names, settings.LabelKeyCount, settings.LabelKeyValues));
    }
}
