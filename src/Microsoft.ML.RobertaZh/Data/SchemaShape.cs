using System.Collections;

namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// The shape of a schema known before data is read (ML.NET's <c>SchemaShape</c>): for each column its name, whether
/// it is a scalar or a (fixed or variable) vector, its item type and whether it is a key.
/// </summary>
public sealed class SchemaShape : IReadOnlyList<SchemaShape.Column>
{
    private readonly Column[] _columns;

    /// <summary>A shape with <paramref name="columns"/>; a later column with the same name replaces an earlier one.</summary>
    public SchemaShape(IEnumerable<Column> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var list = new List<Column>();
        foreach (var c in columns)
        {
            list.RemoveAll(x => x.Name == c.Name);
            list.Add(c);
        }

        _columns = [.. list];
    }

    /// <summary>The number of columns.</summary>
    public int Count => _columns.Length;

    /// <summary>The column at <paramref name="index"/>.</summary>
    public Column this[int index] => _columns[index];

    /// <summary>Finds the column named <paramref name="name"/>.</summary>
    public bool TryFindColumn(string name, out Column column)
    {
        column = _columns.FirstOrDefault(c => c.Name == name)!;
        return column is not null;
    }

    /// <summary>The column named <paramref name="name"/>; throws listing the available columns when absent.</summary>
    public Column GetColumn(string name) => TryFindColumn(name, out var c) ? c
        : throw new ArgumentOutOfRangeException(nameof(name), $"Column '{name}' not found. Available columns: {(Count == 0 ? "(none)" : string.Join(", ", _columns.Select(x => x.ToString())))}.");

    /// <summary>The shape of the visible columns of <paramref name="schema"/>.</summary>
    public static SchemaShape Create(DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return new SchemaShape(schema.Where(c => !c.IsHidden).Select(Column.From));
    }

    /// <summary>A schema with one column per shape column (vectors of unknown size become variable-size).</summary>
    public DataViewSchema ToSchema()
    {
        var b = new DataViewSchema.Builder();
        foreach (var c in _columns) b.AddColumn(c.Name, c.ToType(), c.Annotations);
        return b.ToSchema();
    }

    /// <summary>This shape plus <paramref name="columns"/> (replacing same-named ones).</summary>
    public SchemaShape With(params Column[] columns) => new(_columns.Concat(columns));

    /// <inheritdoc/>
    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Whether a column holds one value or a vector of them.</summary>
    public enum VectorKind
    {
        /// <summary>One value per row.</summary>
        Scalar,

        /// <summary>A vector of known size.</summary>
        Vector,

        /// <summary>A vector whose size varies by row.</summary>
        VariableVector,
    }

    /// <summary>One column's shape.</summary>
    /// <param name="Name">The column name.</param>
    /// <param name="Kind">Scalar or vector.</param>
    /// <param name="ItemType">The type of the value (of each item, for vectors); for keys, a <see cref="KeyDataViewType"/>.</param>
    /// <param name="IsKey">True for key columns.</param>
    public sealed record Column(string Name, VectorKind Kind, PrimitiveDataViewType ItemType, bool IsKey)
    {
        /// <summary>Annotations (slot names, key values) when known.</summary>
        public DataViewSchema.Annotations? Annotations { get; init; }

        /// <summary>True when the column is a (fixed or variable) vector.</summary>
        public bool IsVector => Kind != VectorKind.Scalar;

        internal static Column From(DataViewSchema.Column c) => c.Type switch
        {
            VectorDataViewType v => new Column(c.Name, v.IsKnownSize ? VectorKind.Vector : VectorKind.VariableVector, v.ItemType, v.ItemType is KeyDataViewType) { Annotations = c.Annotations },
            PrimitiveDataViewType p => new Column(c.Name, VectorKind.Scalar, p, p is KeyDataViewType) { Annotations = c.Annotations },
            _ => throw new NotSupportedException($"Column type {c.Type}."),
        };

        internal DataViewType ToType() => Kind == VectorKind.Scalar ? ItemType : new VectorDataViewType(ItemType);

        /// <inheritdoc/>
        public override string ToString() => $"{Name} ({(Kind == VectorKind.Scalar ? ItemType.ToString() : $"Vector<{ItemType}>")})";
    }
}
