namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// Computes output column values for a batch of rows: <paramref name="inputs"/>[r][k] is row r's value of the k-th
/// requested input column (boxed: <see cref="ReadOnlyMemory{T}"/> for text, <see cref="VBuffer{T}"/> for vectors,
/// else the number or bool); fill <paramref name="outputs"/>[r][k] with row r's value of the k-th output column
/// (the same boxed types; <see cref="string"/> and arrays are accepted too).
/// </summary>
/// <param name="inputs">The batch's input values, one array per row.</param>
/// <param name="outputs">The batch's output values to fill, one array per row.</param>
public delegate void BatchMapper(IReadOnlyList<object?[]> inputs, IReadOnlyList<object?[]> outputs);

/// <summary>
/// A lazy view made of an input view's columns plus computed ones (what a transformer's <c>Transform</c> returns).
/// Rows are read from the input <c>BatchSize</c> at a time and handed to the mapper together, so a model can run
/// batched inference; nothing is computed until a cursor asks, and computed columns are only computed when a
/// cursor asks for one of them. An output column with an input column's name hides it.
/// </summary>
public sealed class MappedDataView : IDataView
{
    private readonly IDataView _input;
    private readonly DataViewSchema.Column[] _inputColumns;
    private readonly int _outputStart;
    private readonly int _batchSize;
    private readonly BatchMapper _mapper;

    /// <summary>
    /// A view of <paramref name="input"/> plus <paramref name="outputColumns"/>, computed by <paramref name="mapper"/>
    /// from <paramref name="inputColumnNames"/>, <paramref name="batchSize"/> rows at a time.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column does not exist (the message lists those that do).</exception>
    public MappedDataView(IDataView input, IReadOnlyList<string> inputColumnNames,
        IReadOnlyList<(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations)> outputColumns, BatchMapper mapper, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(inputColumnNames);
        ArgumentNullException.ThrowIfNull(outputColumns);
        ArgumentNullException.ThrowIfNull(mapper);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _input = input;
        _inputColumns = inputColumnNames.Select(n => input.Schema[n]).ToArray();
        _mapper = mapper;
        _batchSize = batchSize;
        var b = new DataViewSchema.Builder().AddColumns(input.Schema);
        _outputStart = input.Schema.Count;
        foreach (var (name, type, annotations) in outputColumns) b.AddColumn(name, type, annotations);
        Schema = b.ToSchema();
    }

    /// <inheritdoc/>
    public DataViewSchema Schema { get; }

    /// <inheritdoc/>
    public bool CanShuffle => _input.CanShuffle;

    /// <inheritdoc/>
    public long? GetRowCount() => _input.GetRowCount();

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = RowCursor.ActiveFlags(Schema, columnsNeeded);
        return new RowCursor(Schema, active, Rows(active, rand));
    }

    private IEnumerable<object?[]> Rows(bool[] active, Random? rand)
    {
        bool compute = active.AsSpan(_outputStart).Contains(true);
        var inputActive = active[.._outputStart];
        if (compute) foreach (var c in _inputColumns) inputActive[c.Index] = true;
        int outputs = Schema.Count - _outputStart;
        var batch = new List<object?[]>(_batchSize);
        var pending = new List<object?[]>(_batchSize);
        foreach (var inputRow in DataViewRows.Read(_input, inputActive, rand))
        {
            var row = new object?[Schema.Count];
            for (int i = 0; i < _outputStart; i++) row[i] = active[i] ? inputRow[i] : null;
            if (!compute)
            {
                yield return row;
                continue;
            }

            batch.Add(row);
            var args = inputRow;
            pending.Add(_inputColumns.Select(c => args[c.Index]).ToArray());
            if (batch.Count == _batchSize)
            {
                foreach (var r in Flush(batch, pending, outputs, active)) yield return r;
            }
        }

        if (batch.Count > 0) foreach (var r in Flush(batch, pending, outputs, active)) yield return r;
    }

    private List<object?[]> Flush(List<object?[]> batch, List<object?[]> pending, int outputs, bool[] active)
    {
        var inputs = pending.ToArray();
        pending.Clear();
        var results = new object?[batch.Count][];
        for (int r = 0; r < results.Length; r++) results[r] = new object?[outputs];
        _mapper(inputs, results);
        for (int r = 0; r < batch.Count; r++)
            for (int k = 0; k < outputs; k++)
            {
                int c = _outputStart + k;
                if (active[c]) batch[r][c] = ValueConversion.ToCanonical(results[r][k], Schema[c].Type, Schema[c].Name);
            }

        var done = new List<object?[]>(batch);
        batch.Clear();
        return done;
    }
}
