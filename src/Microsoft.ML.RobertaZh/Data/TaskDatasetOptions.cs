namespace Microsoft.ML.RobertaZh.Data;

/// <summary>Settings of <see cref="TaskDataCatalog.LoadTaskDataset(DataOperationsCatalog, string, TaskDatasetOptions)"/>.</summary>
public sealed class TaskDatasetOptions
{
    /// <summary>The file's format; <see cref="TaskFormat.Auto"/> (the default) detects it from the first line.</summary>
    public TaskFormat Format { get; set; } = TaskFormat.Auto;

    /// <summary>
    /// What to do with a malformed row (wrong field count, bad quoting, invalid JSON, invalid UTF-8) and with a label
    /// unlike the rest: <see cref="MalformedRowHandling.Throw"/> (the default) raises a <see cref="DataFormatException"/>
    /// naming file, line and value; <see cref="MalformedRowHandling.Skip"/> skips the row and counts it in the
    /// <see cref="LoadReport"/>.
    /// </summary>
    public MalformedRowHandling OnMalformedRow { get; set; } = MalformedRowHandling.Throw;

    /// <summary>
    /// Whether to look for labels unlike the rest (a word among integer labels; a class seen once in a file of 1,000 or
    /// more labelled rows). Default true; turn it off when such labels are intended.
    /// </summary>
    public bool CheckLabels { get; set; } = true;
}
