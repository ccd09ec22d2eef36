namespace Microsoft.ML.RobertaZh.Model;

/// <summary>What loading a checkpoint into a model matched, as Hugging Face's <c>from_pretrained</c> reports it.</summary>
[Display.TypeFormatterSource(typeof(Display.CheckpointLoadReportDisplay), PreferredMimeTypes = ["text/html"])]
public sealed class CheckpointLoadReport
{
    /// <summary>The file the weights came from.</summary>
    public required string SourcePath { get; init; }

    /// <summary>Model parameters the checkpoint did not have; they were freshly initialized.</summary>
    public required IReadOnlyList<string> Missing { get; init; }

    /// <summary>Checkpoint tensors the model has no place for (original names).</summary>
    public required IReadOnlyList<string> Unexpected { get; init; }

    /// <summary>Checkpoint tensors known to be unneeded: buffers such as position_ids, the next-sentence head, the tied decoder.</summary>
    public required IReadOnlyList<string> Ignored { get; init; }

    /// <summary>A one-paragraph summary naming missing and unexpected tensors.</summary>
    public override string ToString()
    {
        var parts = new List<string> { $"Loaded {SourcePath}." };
        if (Missing.Count > 0) parts.Add($"Newly initialized (not in the checkpoint): {string.Join(", ", Missing)}.");
        if (Unexpected.Count > 0) parts.Add($"Not used (unknown to the model): {string.Join(", ", Unexpected)}.");
        if (Ignored.Count > 0) parts.Add($"Ignored: {string.Join(", ", Ignored)}.");
        return string.Join(" ", parts);
    }
}
