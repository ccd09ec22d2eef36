using Microsoft.ML.RobertaZh.Checkpoints;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

/// <summary>Shared plumbing of the commands: error reporting and model loading.</summary>
internal static class CliRunner
{
    /// <summary>Runs <paramref name="body"/>; user errors become one stderr line and exit code 2.</summary>
    public static int Run(Action body)
    {
        try
        {
            body();
            return 0;
        }
        catch (Exception e) when (e is CommandLineException or CheckpointFormatException or InvalidDataException
                                      or FileNotFoundException or DirectoryNotFoundException or ArgumentException or Data.DataFormatException or OperationCanceledException
                                      or EngineUnavailableException or NotSupportedException)
        {
            Console.Error.WriteLine($"roberta-zh: {e.Message}");
            return 2;
        }
    }

    /// <summary>The number of rows of a view (counted with a cursor when the view does not know it).</summary>
    public static long CountRows(IDataView view)
    {
        if (view.GetRowCount() is { } n) return n;
        long count = 0;
        using var cursor = view.GetRowCursor([]);
        while (cursor.MoveNext()) count++;
        return count;
    }

    /// <summary>Loads a model directory, printing what the checkpoint lacked or had in excess on stderr.</summary>
    public static BertModel LoadModel(string directory)
    {
        var model = BertModel.Load(directory, out var report);
        if (report.Missing.Count > 0 || report.Unexpected.Count > 0)
            Console.Error.WriteLine($"roberta-zh: {report}");
        return model;
    }
}
