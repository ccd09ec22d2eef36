namespace Microsoft.ML.RobertaZh.Data;

/// <summary>The standard column names of <see cref="TaskDataCatalog.LoadTaskDataset(DataOperationsCatalog, string, TaskDatasetOptions)"/>'s views (all text).</summary>
public static class TaskColumns
{
    /// <summary>The gold label, as text ("0"/"1", "entailment", ...).</summary>
    public const string Label = "Label";

    /// <summary>The (first) text: text_a, sentence, sentence1 or premise.</summary>
    public const string Sentence1 = "Sentence1";

    /// <summary>The second text of a pair: text_b, sentence2, hypo or hypothesis; absent for single-sentence data.</summary>
    public const string Sentence2 = "Sentence2";
}
