using Microsoft.ML.RobertaZh.Hosting;
using Microsoft.ML.RobertaZh.Scoring;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>A column as the schema checks see it, from a <see cref="DataViewSchema"/> or a <see cref="SchemaShape"/>.</summary>
internal readonly record struct ColumnDescription(bool IsVector, DataViewType ItemType, bool IsKey, ulong KeyCount)
{
    public override string ToString() => (IsKey ? $"Key<{ItemType}{(KeyCount > 0 ? ", " + KeyCount : "")}>" : ItemType.ToString()!) is var item && IsVector ? $"Vector<{item}>" : item;

    public static ColumnDescription Of(DataViewType type)
    {
        bool vector = type is VectorDataViewType;
        var item = type is VectorDataViewType v ? v.ItemType : type;
        return item is KeyDataViewType key ? new(vector, NumberDataViewType.UInt32, true, key.Count) : new(vector, item, false, 0);
    }

    public static ColumnDescription Of(SchemaShape.Column c) => new(c.Kind != SchemaShape.Column.VectorKind.Scalar, c.ItemType, c.IsKey, 0);
}

/// <summary>
/// The classifier's columns: checks of the input (before any data is read, with ML.NET-style messages that name the
/// column, the type found, the type expected and the fix) and the output columns with ML.NET's score annotations.
/// </summary>
internal static class ClassifierSchema
{
    /// <summary>The column named <paramref name="name"/> of a shape (ML.NET's TryFindColumn is internal).</summary>
    public static SchemaShape.Column? Find(this SchemaShape shape, string name)
    {
        foreach (var c in shape)
            if (c.Name == name) return c;
        return null;
    }

    /// <summary>Checks the text columns and, when <paramref name="label"/> is set, the label column of <paramref name="find"/>'s schema.</summary>
    public static void Check(Func<string, ColumnDescription?> find, IEnumerable<string> available, string sentence1, string? sentence2, string? label, RobertaClassifierTask task)
    {
        CheckText(find, available, "sentence1", sentence1);
        if (sentence2 is not null) CheckText(find, available, "sentence2", sentence2);
        if (label is null) return;
        var c = find(label) ?? throw Missing(available, "label", label);
        if (task == RobertaClassifierTask.Binary && (c.IsVector || c.IsKey || c.ItemType is not BooleanDataViewType))
        {
            throw new ArgumentOutOfRangeException(nameof(label),
                $"Schema mismatch for label column '{label}': expected Boolean, got {c}. Binary classification needs a Boolean label: add " +
                $"mlContext.Transforms.Conversion.ConvertType(\"{label}\", outputKind: DataKind.Boolean) before the trainer (text \"0\"/\"1\" or \"true\"/\"false\"), " +
                "or use mlContext.MulticlassClassification.Trainers.RobertaClassifier with MapValueToKey.");
        }

        if (task == RobertaClassifierTask.Multiclass && (c.IsVector || !c.IsKey || c.ItemType.RawType != typeof(uint)))
        {
            throw new ArgumentOutOfRangeException(nameof(label),
                $"Schema mismatch for label column '{label}': expected Key<UInt32>, got {c}. Add mlContext.Transforms.Conversion.MapValueToKey(\"{label}\") " +
                "before the trainer (and MapKeyToValue on the predicted label after it).");
        }
    }

    private static void CheckText(Func<string, ColumnDescription?> find, IEnumerable<string> available, string role, string name)
    {
        var c = find(name) ?? throw Missing(available, role, name);
        if (c.IsVector || c.ItemType is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(name), $"Schema mismatch for {role} column '{name}': expected String, got {c}.");
    }

    private static ArgumentOutOfRangeException Missing(IEnumerable<string> available, string role, string name) =>
        new(nameof(name), $"Could not find {role} column '{name}'. Available columns: {string.Join(", ", available.DefaultIfEmpty("(none)"))}.");

    /// <summary>Checks a data view's schema.</summary>
    public static void Check(DataViewSchema schema, string sentence1, string? sentence2, string? label, RobertaClassifierTask task) =>
        Check(n => schema.GetColumnOrNull(n) is { } c ? ColumnDescription.Of(c.Type) : null, schema.Where(c => !c.IsHidden).Select(c => $"{c.Name} ({c.Type})"),
            sentence1, sentence2, label, task);

    /// <summary>Checks a schema shape.</summary>
    public static void Check(SchemaShape shape, string sentence1, string? sentence2, string? label, RobertaClassifierTask task) =>
        Check(n => shape.Find(n) is { } c ? ColumnDescription.Of(c) : null, shape.Select(c => c.Name), sentence1, sentence2, label, task);

    /// <summary>The output columns: binary Score (margin), Probability, PredictedLabel (Boolean); multiclass Score (softmax with SlotNames), PredictedLabel (key with KeyValues).</summary>
    public static List<OutputColumn> Outputs(ClassifierSettings s, ClassLabels labels)
    {
        if (labels.IsBinary)
        {
            const string kind = "BinaryClassification";
            return
            [
                new(s.ScoreColumnName, NumberDataViewType.Single, Annotations(kind, "Score")),
                new(s.ProbabilityColumnName!, NumberDataViewType.Single, Annotations(kind, "Probability", normalized: true)),
                new(s.PredictedLabelColumnName, BooleanDataViewType.Instance, Annotations(kind, "PredictedLabel")),
            ];
        }

        int k = labels.Count;
        var names = labels.Names.Select(n => n.AsMemory()).ToArray();
        var score = new DataViewSchema.Annotations.Builder();
        score.Add(AnnotationNames.SlotNames, new VectorDataViewType(TextDataViewType.Instance, k),
            (ref VBuffer<ReadOnlyMemory<char>> dst) => dst = new VBuffer<ReadOnlyMemory<char>>(k, names));
        score.Add(AnnotationNames.TrainingLabelValues, new VectorDataViewType(TextDataViewType.Instance, k),
            (ref VBuffer<ReadOnlyMemory<char>> dst) => dst = new VBuffer<ReadOnlyMemory<char>>(k, names));
        AddKinds(score, "MulticlassClassification", "Score");
        var predicted = new DataViewSchema.Annotations.Builder();
        labels.AddKeyValues(predicted);
        AddKinds(predicted, "MulticlassClassification", "PredictedLabel");
        return
        [
            new(s.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, k), score.ToAnnotations()),
            new(s.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), k), predicted.ToAnnotations()),
        ];
    }

    private static DataViewSchema.Annotations Annotations(string kind, string valueKind, bool normalized = false)
    {
        var b = new DataViewSchema.Annotations.Builder();
        AddKinds(b, kind, valueKind);
        if (normalized) b.Add(AnnotationNames.IsNormalized, BooleanDataViewType.Instance, (ref bool v) => v = true);
        return b.ToAnnotations();
    }

    private static void AddKinds(DataViewSchema.Annotations.Builder b, string kind, string valueKind)
    {
        b.Add(AnnotationNames.ScoreColumnKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = kind.AsMemory());
        b.Add(AnnotationNames.ScoreValueKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = valueKind.AsMemory());
    }

    /// <summary>The input schema with the output columns appended (a same-named output hides the input column, as in ML.NET).</summary>
    public static DataViewSchema Append(DataViewSchema input, IEnumerable<OutputColumn> outputs)
    {
        var b = new DataViewSchema.Builder();
        b.AddColumns(input);
        foreach (var o in outputs) b.AddColumn(o.Name, o.Type, o.Annotations);
        return b.ToSchema();
    }

    /// <summary>
    /// The output shape for <see cref="IEstimator{T}.GetOutputSchema"/>: the input shape plus the output columns, made
    /// through <see cref="Interop"/> (or, if ML.NET's constructor is unavailable, columns of the same types from public estimators).
    /// </summary>
    public static SchemaShape Shape(SchemaShape input, string textColumn, IEnumerable<OutputColumn> outputs, string? keyLabel)
    {
        var columns = input.ToDictionary(c => c.Name);
        foreach (var o in outputs)
        {
            var info = ColumnDescription.Of(o.Type);
            var annotations = new SchemaShape(o.Annotations.Schema.Select(a => Interop.TryColumn(a.Name, ColumnDescription.Of(a.Type).IsVector ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.Scalar,
                ColumnDescription.Of(a.Type).ItemType, ColumnDescription.Of(a.Type).IsKey)).OfType<SchemaShape.Column>());
            columns[o.Name] = Interop.TryColumn(o.Name, info.IsVector ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.Scalar, info.ItemType, info.IsKey, annotations)
                ?? Interop.FallbackColumn(input, textColumn, o.Name, info.ItemType, info.IsVector, info.IsKey ? keyLabel : null);
        }

        return new SchemaShape(columns.Values);
    }
}
