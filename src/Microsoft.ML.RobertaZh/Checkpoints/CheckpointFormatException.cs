namespace Microsoft.ML.RobertaZh.Checkpoints;

/// <summary>
/// Thrown when a checkpoint file is truncated, corrupt, in an unsupported format, or unsafe to load
/// (for example a pickle that refers to a callable a state dict never needs).
/// The message always starts with the path of the offending file.
/// </summary>
public sealed class CheckpointFormatException : Exception
{
    /// <summary>Creates an exception without a file path.</summary>
    public CheckpointFormatException()
    {
        FilePath = string.Empty;
    }

    /// <summary>Creates an exception with a message and no file path.</summary>
    /// <param name="message">What went wrong.</param>
    public CheckpointFormatException(string message)
        : base(message)
    {
        FilePath = string.Empty;
    }

    /// <summary>Creates an exception with a message, an inner exception and no file path.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying failure.</param>
    public CheckpointFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
        FilePath = string.Empty;
    }

    /// <summary>Creates an exception for <paramref name="filePath"/>; the message is "path: problem".</summary>
    /// <param name="filePath">The checkpoint file that could not be read.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public CheckpointFormatException(string filePath, string problem, Exception? innerException = null)
        : base($"{filePath}: {problem}", innerException)
    {
        FilePath = filePath;
    }

    /// <summary>The checkpoint file the problem was found in (empty when not known).</summary>
    public string FilePath { get; }
}
