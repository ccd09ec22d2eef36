namespace Microsoft.ML.RobertaZh.Scoring;

/// <summary>One column a scorer adds.</summary>
internal sealed record OutputColumn(string Name, DataViewType Type, DataViewSchema.Annotations Annotations);

/// <summary>
/// What a transformer of this library computes from one or two text columns: outputs for a batch of rows at once (one
/// forward pass per batch). <see cref="ScoredDataView"/> and <see cref="ScoringRowMapper"/> do the ML.NET plumbing.
/// </summary>
internal interface IBatchScorer
{
    /// <summary>Rows per forward pass.</summary>
    int BatchSize { get; }

    /// <summary>The text input columns: one, or two for sentence pairs.</summary>
    IReadOnlyList<string> InputColumnNames { get; }

    /// <summary>The columns added after the input's.</summary>
    IReadOnlyList<OutputColumn> Outputs { get; }

    /// <summary>One result per row (safe to call from several threads).</summary>
    float[][] Score(IReadOnlyList<(string Text, string? Pair)> rows);

    /// <summary>A <c>ValueGetter</c> of output <paramref name="output"/>'s type reading the current row's result.</summary>
    Delegate MakeGetter(int output, Func<float[]> current);
}
