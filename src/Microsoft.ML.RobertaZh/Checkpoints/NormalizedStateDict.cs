namespace Microsoft.ML.RobertaZh.Checkpoints;

/// <summary>
/// The result of <see cref="ParameterNameMap.Normalize"/>: tensors under canonical Hugging Face BERT names
/// (with the <c>bert.</c> prefix), plus the original names that were deliberately skipped or could not be mapped.
/// </summary>
public sealed class NormalizedStateDict
{
    internal NormalizedStateDict(
        string sourcePath,
        IReadOnlyDictionary<string, CheckpointTensor> tensors,
        IReadOnlyList<string> ignored,
        IReadOnlyList<string> unrecognized)
    {
        SourcePath = sourcePath;
        Tensors = tensors;
        Ignored = ignored;
        Unrecognized = unrecognized;
    }

    /// <summary>The file the tensors were read from.</summary>
    public string SourcePath { get; }

    /// <summary>Tensors keyed by canonical name, in source order; each tensor's <see cref="CheckpointTensor.Name"/> is the canonical name.</summary>
    public IReadOnlyDictionary<string, CheckpointTensor> Tensors { get; }

    /// <summary>
    /// Original names of known tensors the model does not use: buffers such as <c>position_ids</c> and
    /// <c>token_type_ids</c>, and the next-sentence-prediction head (<c>cls.seq_relationship.*</c>).
    /// </summary>
    public IReadOnlyList<string> Ignored { get; }

    /// <summary>Original names that do not map to any BERT parameter.</summary>
    public IReadOnlyList<string> Unrecognized { get; }
}
