namespace Microsoft.ML.RobertaZh.Data;

/// <summary>Copies a column under a new name (ML.NET's <c>ColumnCopyingEstimator</c>); nothing to learn.</summary>
public sealed class ColumnCopyingEstimator : IEstimator<ColumnCopyingTransformer>
{
    private readonly string _output;
    private readonly string _input;

    internal ColumnCopyingEstimator(string outputColumnName, string inputColumnName)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        _output = outputColumnName;
        _input = inputColumnName;
    }

    /// <inheritdoc/>
    public ColumnCopyingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _ = input.Schema[_input];
        return new ColumnCopyingTransformer(_output, _input);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return inputSchema.With(inputSchema.GetColumn(_input) with { Name = _output });
    }
}

/// <summary>The fitted <see cref="ColumnCopyingEstimator"/>.</summary>
public sealed class ColumnCopyingTransformer : ITransformer
{
    internal ColumnCopyingTransformer(string outputColumnName, string inputColumnName)
    {
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
    }

    /// <summary>The new column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The copied column.</summary>
    public string InputColumnName { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var source = inputSchema[InputColumnName];
        return new DataViewSchema.Builder().AddColumns(inputSchema).AddColumn(OutputColumnName, source.Type, source.Annotations).ToSchema();
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var source = input.Schema[InputColumnName];
        return new MappedDataView(input, [InputColumnName], [(OutputColumnName, source.Type, source.Annotations)],
            (inputs, outputs) =>
            {
                for (int r = 0; r < inputs.Count; r++) outputs[r][0] = inputs[r][0];
            });
    }
}
