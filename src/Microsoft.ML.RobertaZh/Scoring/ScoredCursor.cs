namespace Microsoft.ML.RobertaZh.Scoring;

/// <summary>
/// A cursor of <see cref="ScoredDataView"/>. Input columns are the input cursor's. Outputs are computed on demand: with
/// look-ahead (unshuffled cursors), the texts of the current row and the next <c>BatchSize − 1</c> rows are read by a
/// second cursor over the same input and scored in one forward pass, and the following rows are served from that
/// batch; a shuffled cursor (whose order a second cursor would not repeat) scores one row at a time.
/// </summary>
internal sealed class ScoredCursor : DataViewRowCursor
{
    private readonly ScoredDataView _view;
    private readonly DataViewRowCursor _main;
    private readonly bool[] _activeOutputs;
    private readonly bool _lookahead;
    private DataViewRowCursor? _ahead;
    private ValueGetter<ReadOnlyMemory<char>>[]? _aheadGetters, _mainGetters;
    private float[][] _batch = [];
    private long _batchStart = -1;
    private float[]? _single;
    private long _singlePosition = -1;

    public ScoredCursor(ScoredDataView view, DataViewRowCursor main, int[] outputs, bool lookahead)
    {
        _view = view;
        _main = main;
        _lookahead = lookahead;
        _activeOutputs = new bool[view.Scorer.Outputs.Count];
        foreach (int o in outputs) _activeOutputs[o] = true;
    }

    public override DataViewSchema Schema => _view.Schema;

    public override long Position => _main.Position;

    public override long Batch => _main.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _main.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column)
    {
        int inputCount = _view.Input.Schema.Count;
        return column.Index < inputCount ? _main.IsColumnActive(_view.Input.Schema[column.Index]) : _activeOutputs[column.Index - inputCount];
    }

    public override bool MoveNext() => _main.MoveNext();

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        int inputCount = _view.Input.Schema.Count;
        if (column.Index < inputCount) return _main.GetGetter<TValue>(_view.Input.Schema[column.Index]);
        int output = column.Index - inputCount;
        if (!_activeOutputs[output]) throw new InvalidOperationException($"Column '{column.Name}' is not active: pass it in columnsNeeded when creating the cursor.");
        return _view.Scorer.MakeGetter(output, Current) as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is of type {column.Type}; it cannot be read as {typeof(TValue).Name}.");
    }

    private float[] Current()
    {
        long position = _main.Position;
        if (position < 0) throw new InvalidOperationException("The cursor has no current row: call MoveNext first.");
        if (!_lookahead)
        {
            if (_singlePosition != position)
            {
                _mainGetters ??= [.. _view.TextColumns.Select(c => _main.GetGetter<ReadOnlyMemory<char>>(c))];
                _single = _view.Scorer.Score([Read(_mainGetters)])[0];
                _singlePosition = position;
            }

            return _single!;
        }

        if (position < _batchStart || position >= _batchStart + _batch.Length) FillBatch(position);
        return _batch[position - _batchStart];
    }

    private void FillBatch(long position)
    {
        if (_ahead is null || _ahead.Position >= position)
        {
            _ahead?.Dispose();
            _ahead = _view.Input.GetRowCursor(_view.TextColumns);
            _aheadGetters = [.. _view.TextColumns.Select(c => _ahead.GetGetter<ReadOnlyMemory<char>>(c))];
        }

        // Skip the rows whose outputs nobody asked for, then read this row and the rest of its batch.
        while (_ahead.Position < position - 1)
        {
            if (!_ahead.MoveNext()) throw new InvalidOperationException("The look-ahead cursor ended before the main cursor's row: the input view is not deterministic without shuffling.");
        }

        var rows = new List<(string, string?)>(_view.Scorer.BatchSize);
        while (rows.Count < _view.Scorer.BatchSize && _ahead.MoveNext()) rows.Add(Read(_aheadGetters!));
        if (rows.Count == 0) throw new InvalidOperationException("The look-ahead cursor ended before the main cursor's row: the input view is not deterministic without shuffling.");
        _batch = _view.Scorer.Score(rows);
        _batchStart = position;
    }

    private static (string Text, string? Pair) Read(ValueGetter<ReadOnlyMemory<char>>[] getters)
    {
        ReadOnlyMemory<char> a = default, b = default;
        getters[0](ref a);
        if (getters.Length > 1) getters[1](ref b);
        return (a.ToString(), getters.Length > 1 ? b.ToString() : null);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _main.Dispose();
            _ahead?.Dispose();
        }

        base.Dispose(disposing);
    }
}
