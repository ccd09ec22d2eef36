namespace Microsoft.ML.RobertaZh.Transforms;

/// <summary>
/// The lazy output of <see cref="TokenizeForRobertaTransformer"/>: the input's columns (hidden ones included, so indices
/// line up) followed by the id columns, computed row by row when a getter asks. Rows are independent, so a cursor set
/// splits the input as the input allows and ML.NET consumers tokenize in parallel.
/// </summary>
internal sealed class TokenizedDataView : IDataView
{
    private readonly IDataView _input;
    private readonly TokenizeForRobertaTransformer _transformer;

    public TokenizedDataView(IDataView input, DataViewSchema schema, TokenizeForRobertaTransformer transformer)
    {
        _input = input;
        Schema = schema;
        _transformer = transformer;
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => _input.CanShuffle;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var (inputColumns, active) = Split(columnsNeeded);
        return new Cursor(this, _input.GetRowCursor(inputColumns, rand), active);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var (inputColumns, active) = Split(columnsNeeded);
        return [.. _input.GetRowCursorSet(inputColumns, n, rand).Select(c => (DataViewRowCursor)new Cursor(this, c, active))];
    }

    private (List<DataViewSchema.Column> Input, bool[] Active) Split(IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        int inputCount = _input.Schema.Count;
        var needed = columnsNeeded.ToList();
        var active = new bool[Schema.Count - inputCount];
        foreach (var c in needed.Where(c => c.Index >= inputCount)) active[c.Index - inputCount] = true;
        var inputColumns = needed.Where(c => c.Index < inputCount).Select(c => _input.Schema[c.Index]).ToList();
        if (active.Any(a => a)) inputColumns.AddRange(_transformer.TextColumns(_input.Schema));
        return ([.. inputColumns.DistinctBy(c => c.Index)], active);
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly TokenizedDataView _view;
        private readonly DataViewRowCursor _input;
        private readonly bool[] _active;
        private readonly RowEncoder _encoder;

        public Cursor(TokenizedDataView view, DataViewRowCursor input, bool[] active)
        {
            _view = view;
            _input = input;
            _active = active;
            _encoder = new RowEncoder(input, view._transformer);
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column)
        {
            int inputCount = _view._input.Schema.Count;
            return column.Index < inputCount ? _input.IsColumnActive(_view._input.Schema[column.Index]) : _active[column.Index - inputCount];
        }

        public override bool MoveNext() => _input.MoveNext();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = _view._input.Schema.Count;
            if (column.Index < inputCount) return _input.GetGetter<TValue>(_view._input.Schema[column.Index]);
            int output = column.Index - inputCount;
            if (!_active[output]) throw new InvalidOperationException($"Column '{column.Name}' is not active: pass it in columnsNeeded when creating the cursor.");
            return _encoder.MakeGetter<TValue>(output, column.Name);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _input.Dispose();
            base.Dispose(disposing);
        }
    }
}
