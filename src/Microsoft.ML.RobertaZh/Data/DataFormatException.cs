namespace Microsoft.ML.RobertaZh.Data;

/// <summary>A malformed row in a data file: the message names the file, the line and the problem.</summary>
public sealed class DataFormatException : FormatException
{
    /// <summary>An exception for <paramref name="problem"/> at <paramref name="filePath"/>:<paramref name="lineNumber"/>.</summary>
    public DataFormatException(string filePath, long lineNumber, string problem)
        : base($"{filePath}, line {lineNumber}: {problem}")
    {
        FilePath = filePath;
        LineNumber = lineNumber;
        Problem = problem;
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line where the row starts.</summary>
    public long LineNumber { get; }

    /// <summary>What is wrong with the row.</summary>
    public string Problem { get; }
}

/// <summary>What a loader does with a malformed row (wrong field count, invalid JSON, unterminated quote, bad number).</summary>
public enum MalformedRowHandling
{
    /// <summary>Throw a <see cref="DataFormatException"/> naming file, line and problem (the default).</summary>
    Throw,

    /// <summary>Skip the row and count it in the view's <see cref="LoadReport"/>.</summary>
    Skip,
}
