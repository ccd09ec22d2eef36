using Microsoft.ML.RobertaZh.Data;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>One row of classifier input: the text(s) and the raw label value (boxed canonical, null when none).</summary>
internal readonly record struct ClassifierRow(string Text, string? Pair, object? Label);

/// <summary>Reads and checks the columns a classifier uses.</summary>
internal static class ClassifierRows
{
    /// <summary>Throws naming the column when a text column is missing or not text, or the label column is missing or of an unsupported type.</summary>
    public static void CheckSchema(SchemaShape schema, string sentence1, string? sentence2, string? label)
    {
        CheckText(schema, sentence1);
        if (sentence2 is not null) CheckText(schema, sentence2);
        if (label is null) return;
        if (!schema.TryFindColumn(label, out var c))
            throw new ArgumentOutOfRangeException(nameof(schema), $"Label column '{label}' not found. Available columns: {Describe(schema)}.");
        if (c.IsVector || !LabelMap.IsSupported(c.ItemType))
            throw new ArgumentOutOfRangeException(nameof(schema), $"Label column '{label}' has type {c}; labels must be text, a number, a Boolean or a key.");
    }

    private static void CheckText(SchemaShape schema, string name)
    {
        if (!schema.TryFindColumn(name, out var c))
            throw new ArgumentOutOfRangeException(nameof(schema), $"Text column '{name}' not found. Available columns: {Describe(schema)}.");
        if (c.IsVector || c.ItemType is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Text column '{name}' has type {c}; it must be text (String).");
    }

    private static string Describe(SchemaShape schema) => schema.Count == 0 ? "(none)" : string.Join(", ", schema.Select(c => c.ToString()));

    /// <summary>All rows of <paramref name="view"/>: texts (null text read as empty) and, when <paramref name="label"/> is set, label values.</summary>
    public static List<ClassifierRow> Read(IDataView view, string sentence1, string? sentence2, string? label)
    {
        var schema = view.Schema;
        var s1 = schema[sentence1];
        var s2 = sentence2 is null ? null : schema[sentence2];
        var l = label is null ? null : schema[label];
        var needed = new[] { s1, s2, l }.OfType<DataViewSchema.Column>().ToArray();
        using var cursor = view.GetRowCursor(needed);
        var get1 = cursor.GetGetter<string>(s1);
        var get2 = s2 is null ? null : cursor.GetGetter<string>(s2);
        var getLabel = l is null ? null : ValueConversion.BoxedGetter(cursor, l);
        var rows = new List<ClassifierRow>();
        while (cursor.MoveNext())
        {
            string text = "", pair = "";
            get1(ref text);
            get2?.Invoke(ref pair);
            rows.Add(new ClassifierRow(text ?? "", get2 is null ? null : pair ?? "", getLabel?.Invoke()));
        }
        return rows;
    }
}
