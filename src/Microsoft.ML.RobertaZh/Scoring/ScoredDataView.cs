namespace Microsoft.ML.RobertaZh.Scoring;

/// <summary>
/// The lazy output of a scoring transformer: the input's columns (hidden ones included, so indices still line up)
/// followed by the scorer's. Nothing is computed until a cursor's output getter is called; then, on an unshuffled
/// cursor, a second look-ahead cursor reads the next batch of texts and one forward pass scores them all.
/// </summary>
internal sealed class ScoredDataView : IDataView
{
    public ScoredDataView(IDataView input, DataViewSchema schema, IBatchScorer scorer)
    {
        Input = input;
        Schema = schema;
        Scorer = scorer;
        TextColumns = [.. scorer.InputColumnNames.Select(n => input.Schema[n])];
    }

    public IDataView Input { get; }

    public IBatchScorer Scorer { get; }

    public DataViewSchema.Column[] TextColumns { get; }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => Input.CanShuffle;

    public long? GetRowCount() => Input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        int inputCount = Input.Schema.Count;
        var needed = columnsNeeded.ToList();
        var outputs = needed.Where(c => c.Index >= inputCount).Select(c => c.Index - inputCount).Distinct().ToArray();
        var inputColumns = needed.Where(c => c.Index < inputCount).Select(c => Input.Schema[c.Index]).ToList();
        if (outputs.Length > 0) inputColumns.AddRange(TextColumns);
        var main = Input.GetRowCursor(inputColumns.DistinctBy(c => c.Index), rand);
        return new ScoredCursor(this, main, outputs, lookahead: rand is null);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
