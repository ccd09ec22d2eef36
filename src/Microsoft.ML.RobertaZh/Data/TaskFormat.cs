namespace Microsoft.ML.RobertaZh.Data;

/// <summary>The task data formats <see cref="TaskDataCatalog.LoadTaskDataset(DataOperationsCatalog, string, TaskDatasetOptions)"/> reads.</summary>
public enum TaskFormat
{
    /// <summary>Detected from the file: <c>{</c> lines are CLUE JSON; a header naming label/text_a (or a synonym) is UER TSV; three tab fields ending in an integer label without a header is LCQMC; a .csv file is CSV.</summary>
    Auto,

    /// <summary>UER's TSV: header <c>label\ttext_a[\ttext_b]</c> (any order; <c>text_a</c> alone for unlabeled files), fields split on TAB with no quote handling.</summary>
    UerTsv,

    /// <summary>LCQMC: <c>text_a\ttext_b\tlabel</c>, no header.</summary>
    Lcqmc,

    /// <summary>CLUE JSON lines: one object per line with sentence/sentence1/premise, sentence2/hypo/hypothesis and label; label "-" (no majority) is skipped.</summary>
    ClueJson,

    /// <summary>Tab-separated with a header, as <see cref="UerTsv"/>, also accepting XNLI's headers (premise/hypo, gold_label with sentence1/sentence2 and the language filter to zh).</summary>
    Tsv,

    /// <summary>Comma-separated with a header and RFC 4180 quoting; header names as for <see cref="Tsv"/>.</summary>
    Csv,
}
