namespace Microsoft.ML.RobertaZh.Transforms;

/// <summary>
/// Tokenizes the current row of an input row or cursor on demand, once per position however many output getters read it,
/// and serves the output columns as <see cref="VBuffer{T}"/> getters. One per cursor or mapped row (not thread-safe itself;
/// cursors of a cursor set each have their own).
/// </summary>
internal sealed class RowEncoder
{
    private readonly DataViewRow _input;
    private readonly TokenizeForRobertaTransformer _transformer;
    private ValueGetter<ReadOnlyMemory<char>>? _text, _pair;
    private TokenizedRow _current;
    private long _position = long.MinValue;

    public RowEncoder(DataViewRow input, TokenizeForRobertaTransformer transformer)
    {
        _input = input;
        _transformer = transformer;
    }

    /// <summary>A getter of output column <paramref name="output"/> (0 ids, 1 mask, 2 token types) as <typeparamref name="TValue"/>.</summary>
    public ValueGetter<TValue> MakeGetter<TValue>(int output, string columnName)
    {
        if (typeof(TValue) != typeof(VBuffer<long>))
            throw new InvalidOperationException($"Column '{columnName}' is a vector of Int64; it cannot be read as {typeof(TValue).Name}.");
        ValueGetter<VBuffer<long>> getter = (ref VBuffer<long> dst) =>
        {
            var row = Current();
            var values = output switch { 0 => row.InputIds, 1 => row.AttentionMask, _ => row.TokenTypeIds };
            var editor = VBufferEditor.Create(ref dst, values.Length);
            values.CopyTo(editor.Values);
            dst = editor.Commit();
        };
        return (ValueGetter<TValue>)(Delegate)getter;
    }

    private TokenizedRow Current()
    {
        long position = _input.Position;
        if (position == _position && position >= 0) return _current;
        _text ??= _input.GetGetter<ReadOnlyMemory<char>>(_input.Schema[_transformer.InputColumnName]);
        if (_transformer.PairColumnName is { } pairName) _pair ??= _input.GetGetter<ReadOnlyMemory<char>>(_input.Schema[pairName]);
        ReadOnlyMemory<char> text = default, pair = default;
        _text(ref text);
        _pair?.Invoke(ref pair);
        try
        {
            _current = _transformer.Rows.Encode(text.ToString(), _pair is null ? null : pair.ToString());
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"TokenizeForRoberta, row {position}: {e.Message}", e);
        }
        _position = position;
        return _current;
    }
}
