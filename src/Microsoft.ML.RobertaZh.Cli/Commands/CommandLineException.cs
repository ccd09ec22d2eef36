namespace Microsoft.ML.RobertaZh.Cli.Commands;

/// <summary>A user error (bad input or arguments): printed as one line on stderr, exit code 2, no stack trace.</summary>
internal sealed class CommandLineException(string message) : Exception(message);
