#pragma warning disable CA1822 // Catalog operations are instance members, as in ML.NET, so they are reached from the context.
namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// Loading, converting and splitting data (ML.NET's <c>mlContext.Data</c>). Every view returned is lazy: files are
/// read, and objects enumerated, as cursors advance.
/// </summary>
public sealed partial class DataOperationsCatalog
{
    private readonly int? _seed;

    internal DataOperationsCatalog(int? seed) => _seed = seed;

    /// <summary>Loads delimited text with <paramref name="options"/> (default: tab-separated, no header, every field as text).</summary>
    public FileDataView LoadFromTextFile(string path, TextLoader.Options? options = null) =>
        new TextLoader(options ?? new TextLoader.Options()).Load(path);

    /// <summary>Loads delimited text with the given columns, as ML.NET's overload of the same shape.</summary>
    public FileDataView LoadFromTextFile(string path, TextLoader.Column[] columns, char separatorChar = '\t', bool hasHeader = false,
        bool allowQuoting = false, bool trimWhitespace = false) =>
        LoadFromTextFile(path, new TextLoader.Options
        {
            Columns = columns, Separators = [separatorChar], HasHeader = hasHeader, AllowQuoting = allowQuoting, TrimWhitespace = trimWhitespace,
        });

    /// <summary>
    /// Loads delimited text into the columns of <typeparamref name="TInput"/>: each public member with
    /// <see cref="LoadColumnAttribute"/> is read from that field, named by its name or <see cref="ColumnNameAttribute"/>.
    /// </summary>
    public FileDataView LoadFromTextFile<TInput>(string path, char separatorChar = '\t', bool hasHeader = false,
        bool allowQuoting = false, bool trimWhitespace = false)
    {
        var mapping = RowObjectMapping.For(typeof(TInput));
        var columns = new List<TextLoader.Column>();
        foreach (var m in mapping.Members)
        {
            if (m.LoadIndex is not { } index) continue;
            var kind = m.Type switch
            {
                TextDataViewType => DataKind.String,
                BooleanDataViewType => DataKind.Boolean,
                _ when m.Type == NumberDataViewType.Single => DataKind.Single,
                _ when m.Type == NumberDataViewType.Double => DataKind.Double,
                _ when m.Type == NumberDataViewType.Int32 => DataKind.Int32,
                _ when m.Type == NumberDataViewType.Int64 => DataKind.Int64,
                _ => throw new NotSupportedException($"{typeof(TInput).Name}.{m.Info.Name}: {m.Type} cannot be loaded from text (use string, float, double, int, long or bool)."),
            };
            columns.Add(new TextLoader.Column(m.ColumnName, kind, index));
        }

        if (columns.Count == 0) throw new ArgumentException($"{typeof(TInput).Name} has no member with [LoadColumn].", nameof(TInput));
        return LoadFromTextFile(path, [.. columns], separatorChar, hasHeader, allowQuoting, trimWhitespace);
    }

    /// <summary>
    /// A view over <paramref name="data"/>: each public property and field of <typeparamref name="TRow"/> becomes a
    /// column (named by <see cref="ColumnNameAttribute"/> if present; <see cref="NoColumnAttribute"/> excludes a
    /// member; arrays become vector columns, sized by <see cref="VectorTypeAttribute"/>). The enumerable is walked by
    /// every cursor, never copied. <paramref name="schemaDefinition"/> may refine column types and annotations.
    /// </summary>
    public IDataView LoadFromEnumerable<TRow>(IEnumerable<TRow> data, DataViewSchema? schemaDefinition = null) where TRow : class
    {
        ArgumentNullException.ThrowIfNull(data);
        return new EnumerableDataView<TRow>(data, schemaDefinition);
    }

    /// <summary>
    /// The rows of <paramref name="data"/> as objects, lazily: each public settable member of <typeparamref name="TRow"/>
    /// is filled from the column of its name (or <see cref="ColumnNameAttribute"/>). With
    /// <paramref name="reuseRowObject"/> the same object is returned for every row. A member whose column is missing is
    /// an error unless <paramref name="ignoreMissingColumns"/>.
    /// </summary>
    public IEnumerable<TRow> CreateEnumerable<TRow>(IDataView data, bool reuseRowObject, bool ignoreMissingColumns = false)
        where TRow : class, new()
    {
        ArgumentNullException.ThrowIfNull(data);
        var mapping = RowObjectMapping.For(typeof(TRow));
        var bindings = new List<(RowObjectMapping.Member Member, DataViewSchema.Column Column, Func<object?, object?> Convert)>();
        foreach (var m in mapping.Members.Where(m => m.CanWrite))
        {
            var column = data.Schema.GetColumnOrNull(m.ColumnName);
            if (column is null)
            {
                if (ignoreMissingColumns) continue;
                throw new ArgumentOutOfRangeException(nameof(data), $"{typeof(TRow).Name}.{m.Info.Name} needs column '{m.ColumnName}', which the view lacks. Available columns: {data.Schema.DescribeColumns()}.");
            }

            var convert = RowObjectMapping.FromCanonical(column, m.MemberType)
                ?? throw new InvalidOperationException($"{typeof(TRow).Name}.{m.Info.Name} ({ValueConversion.Describe(m.MemberType)}) cannot hold column '{column.Name}' of type {column.Type}.");
            bindings.Add((m, column, convert));
        }

        return Enumerate(data, bindings, reuseRowObject);

        static IEnumerable<TRow> Enumerate(IDataView data, List<(RowObjectMapping.Member Member, DataViewSchema.Column Column, Func<object?, object?> Convert)> bindings, bool reuse)
        {
            using var cursor = data.GetRowCursor(bindings.Select(b => b.Column));
            var getters = bindings.Select(b => ValueConversion.BoxedGetter(cursor, b.Column)).ToArray();
            TRow? row = null;
            while (cursor.MoveNext())
            {
                if (!reuse || row is null) row = new TRow();
                for (int i = 0; i < getters.Length; i++) bindings[i].Member.SetValue(row, bindings[i].Convert(getters[i]()));
                yield return row;
            }
        }
    }

    /// <summary>The first <paramref name="count"/> rows of <paramref name="input"/> (lazily: the rest is never read).</summary>
    public IDataView TakeRows(IDataView input, long count)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new DerivedDataView(input.Schema, (active, _) => DataViewRows.Read(input, active).Take((int)Math.Min(count, int.MaxValue)),
            () => input.GetRowCount() is { } n ? Math.Min(n, count) : null);
    }

    /// <summary>All rows of <paramref name="input"/> but the first <paramref name="count"/>.</summary>
    public IDataView SkipRows(IDataView input, long count)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new DerivedDataView(input.Schema, (active, _) => DataViewRows.Read(input, active).Skip((int)Math.Min(count, int.MaxValue)),
            () => input.GetRowCount() is { } n ? Math.Max(0, n - count) : null);
    }

    /// <summary>
    /// The rows of <paramref name="input"/> in a random order (ML.NET's <c>ShuffleRows</c>): a pool of
    /// <paramref name="shufflePoolSize"/> rows is filled and drawn from at random, so memory stays bounded; when the
    /// input can shuffle itself and <paramref name="shuffleSource"/> is true, its own shuffling is used too.
    /// The same seed gives the same order.
    /// </summary>
    public IDataView ShuffleRows(IDataView input, int? seed = null, int shufflePoolSize = 1000, bool shuffleSource = true)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(shufflePoolSize, 1);
        int baseSeed = ResolveSeed(seed);
        return new DerivedDataView(input.Schema, (active, rand) => PoolShuffle(input, active, rand ?? new Random(baseSeed), shufflePoolSize, shuffleSource),
            input.GetRowCount, canShuffle: true);

        static IEnumerable<object?[]> PoolShuffle(IDataView input, bool[] active, Random rand, int poolSize, bool shuffleSource)
        {
            var pool = new List<object?[]>(poolSize);
            foreach (var row in DataViewRows.Read(input, active, shuffleSource && input.CanShuffle ? new Random(rand.Next()) : null))
            {
                if (pool.Count < poolSize)
                {
                    pool.Add(row);
                    continue;
                }

                int pick = rand.Next(poolSize);
                yield return pool[pick];
                pool[pick] = row;
            }

            rand.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pool));
            foreach (var row in pool) yield return row;
        }
    }

    private int ResolveSeed(int? seed) => seed ?? _seed ?? Random.Shared.Next();
}
