using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// What a fitted classifier needs besides its weights and vocabulary: the task, column names, the key values' type, the
/// input settings and the inference arithmetic (precision, packing). Saved in config.json under
/// <c>roberta_zh_classifier</c> (Hugging Face keeps unknown keys). The engine and device are not saved: they belong to
/// the machine that loads the model.
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

    public RobertaClassifierTask Task { get; init; } = RobertaClassifierTask.Multiclass;
    public string LabelColumnName { get; init; } = "Label";
    public string Sentence1ColumnName { get; init; } = "Sentence1";
    public string? Sentence2ColumnName { get; init; }
    public string ScoreColumnName { get; init; } = "Score";
    public string PredictedLabelColumnName { get; init; } = "PredictedLabel";

    /// <summary>Null for multiclass tasks (no probability column).</summary>
    public string? ProbabilityColumnName { get; init; }

    /// <summary>The raw type of the label's key values (multiclass), or null.</summary>
    public string? KeyValueType { get; init; }

    public int MaxSequenceLength { get; init; } = 128;
    public LongTextStrategy LongTextStrategy { get; init; }
    public int Stride { get; init; } = 64;
    public int BatchSize { get; init; } = 32;
    public InferencePrecision InferencePrecision { get; init; }
    /// <summary>On unless saved off (models saved before the setting existed get the default too).</summary>
    public bool PackPaddedSequences { get; init; } = true;

    public static ClassifierSettings From(RobertaClassifierOptions o, ClassLabels labels) => new()
    {
        Task = labels.IsBinary ? RobertaClassifierTask.Binary : RobertaClassifierTask.Multiclass,
        LabelColumnName = o.LabelColumnName, Sentence1ColumnName = o.Sentence1ColumnName, Sentence2ColumnName = o.Sentence2ColumnName,
        ScoreColumnName = o.ScoreColumnName, PredictedLabelColumnName = o.PredictedLabelColumnName,
        ProbabilityColumnName = labels.IsBinary ? o.ProbabilityColumnName : null, KeyValueType = labels.KeyValueType,
        MaxSequenceLength = o.MaxSequenceLength, LongTextStrategy = o.LongTextStrategy, Stride = o.Stride, BatchSize = o.BatchSize,
        InferencePrecision = o.InferencePrecision, PackPaddedSequences = o.PackPaddedSequences,
    };

    /// <summary>Writes these settings and the class names (id2label/label2id) into <paramref name="config"/>.</summary>
    public void WriteTo(BertConfig config, ClassLabels labels)
    {
        config.Id2Label = labels.Names.Select((n, i) => (n, i)).ToDictionary(x => x.i.ToString(System.Globalization.CultureInfo.InvariantCulture), x => x.n);
        config.Label2Id = labels.Names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
        config.ExtensionData ??= [];
        config.ExtensionData[ConfigKey] = JsonSerializer.SerializeToElement(this, Json);
    }

    /// <summary>Reads the settings and classes from a config written by <see cref="WriteTo"/>; a plain Hugging Face config gives a multiclass model with default columns.</summary>
    public static (ClassifierSettings Settings, ClassLabels Labels) ReadFrom(BertConfig config, string source)
    {
        if (config.Id2Label is not { Count: > 0 } id2label)
            throw new InvalidDataException($"{source}: config.json has no id2label; it is not a classification model.");
        var settings = config.ExtensionData?.TryGetValue(ConfigKey, out var element) == true
            ? element.Deserialize<ClassifierSettings>(Json) ?? new ClassifierSettings()
            : new ClassifierSettings { KeyValueType = "String" };
        var names = new string[id2label.Count];
        foreach (var (key, name) in id2label)
        {
            if (!int.TryParse(key, System.Globalization.CultureInfo.InvariantCulture, out int i) || i < 0 || i >= names.Length)
                throw new InvalidDataException($"{source}: id2label key '{key}' is not an index in [0, {names.Length}).");
            names[i] = name;
        }

        bool binary = settings.Task == RobertaClassifierTask.Binary;
        if (binary && names.Length != 2) throw new InvalidDataException($"{source}: a binary classifier needs 2 classes in id2label, not {names.Length}.");
        return (settings, ClassLabels.Restore(binary, names, settings.KeyValueType));
    }
}
