namespace Microsoft.ML.RobertaZh.Engines;

/// <summary>
/// Thrown when the requested engine or device cannot be used here: the engine's assembly or its native runtime
/// package is missing, or a CUDA device was asked for without a CUDA build or GPU. The message names what to add.
/// </summary>
public sealed class EngineUnavailableException : Exception
{
    /// <summary>Creates an exception without a message.</summary>
    public EngineUnavailableException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What is missing and how to add it.</param>
    public EngineUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the underlying failure.</summary>
    /// <param name="message">What is missing and how to add it.</param>
    /// <param name="innerException">The underlying failure.</param>
    public EngineUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
