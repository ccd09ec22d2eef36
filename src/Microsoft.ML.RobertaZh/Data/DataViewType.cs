#pragma warning disable CA1720 // Single, Double, Int32... are ML.NET's NumberDataViewType names, kept so code carries over.
namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// The type of a data view column, as in ML.NET: it names the .NET type a getter returns (<see cref="RawType"/>).
/// Instances are singletons (text, numbers, Boolean) or compare by value (vector, key).
/// </summary>
public abstract class DataViewType : IEquatable<DataViewType>
{
    private protected DataViewType(Type rawType) => RawType = rawType;

    /// <summary>The .NET type of one value of this column, the <c>T</c> of <see cref="DataViewRow.GetGetter{TValue}"/>.</summary>
    public Type RawType { get; }

    /// <summary>True when <paramref name="other"/> describes the same type.</summary>
    public abstract bool Equals(DataViewType? other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is DataViewType t && Equals(t);

    /// <inheritdoc/>
    public override int GetHashCode() => RawType.GetHashCode();
}

/// <summary>A scalar (non-vector) column type: text, a number, a Boolean or a key.</summary>
public abstract class PrimitiveDataViewType : DataViewType
{
    private protected PrimitiveDataViewType(Type rawType) : base(rawType) { }
}

/// <summary>Text; values are <see cref="ReadOnlyMemory{T}"/> of <see cref="char"/> (getters also accept <see cref="string"/>).</summary>
public sealed class TextDataViewType : PrimitiveDataViewType
{
    private TextDataViewType() : base(typeof(ReadOnlyMemory<char>)) { }

    /// <summary>The single instance.</summary>
    public static TextDataViewType Instance { get; } = new();

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    /// <inheritdoc/>
    public override int GetHashCode() => base.GetHashCode();

    /// <inheritdoc/>
    public override string ToString() => "String";
}

/// <summary>A numeric scalar type: <see cref="Single"/> (float), <see cref="Double"/>, <see cref="Int32"/>, <see cref="Int64"/>, <see cref="UInt32"/>.</summary>
public sealed class NumberDataViewType : PrimitiveDataViewType
{
    private readonly string _name;

    private NumberDataViewType(Type rawType, string name) : base(rawType) => _name = name;

    /// <summary>32-bit floating point (<see cref="float"/>).</summary>
    public static NumberDataViewType Single { get; } = new(typeof(float), "Single");

    /// <summary>64-bit floating point (<see cref="double"/>).</summary>
    public static NumberDataViewType Double { get; } = new(typeof(double), "Double");

    /// <summary>32-bit signed integer (<see cref="int"/>).</summary>
    public static NumberDataViewType Int32 { get; } = new(typeof(int), "Int32");

    /// <summary>64-bit signed integer (<see cref="long"/>).</summary>
    public static NumberDataViewType Int64 { get; } = new(typeof(long), "Int64");

    /// <summary>32-bit unsigned integer (<see cref="uint"/>).</summary>
    public static NumberDataViewType UInt32 { get; } = new(typeof(uint), "UInt32");

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    /// <inheritdoc/>
    public override int GetHashCode() => base.GetHashCode();

    /// <inheritdoc/>
    public override string ToString() => _name;
}

/// <summary>Boolean; values are <see cref="bool"/>.</summary>
public sealed class BooleanDataViewType : PrimitiveDataViewType
{
    private BooleanDataViewType() : base(typeof(bool)) { }

    /// <summary>The single instance.</summary>
    public static BooleanDataViewType Instance { get; } = new();

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    /// <inheritdoc/>
    public override int GetHashCode() => base.GetHashCode();

    /// <inheritdoc/>
    public override string ToString() => "Boolean";
}

/// <summary>
/// A key (a category index), as in ML.NET: values are <see cref="uint"/>, 1-based, with 0 meaning missing, and
/// at most <see cref="Count"/>. The category names, when known, are in the column's
/// <see cref="DataViewSchema.Annotations.KeyValues"/>.
/// </summary>
public sealed class KeyDataViewType : PrimitiveDataViewType
{
    /// <summary>A key type with <paramref name="count"/> categories.</summary>
    public KeyDataViewType(ulong count) : base(typeof(uint))
    {
        ArgumentOutOfRangeException.ThrowIfZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, (ulong)uint.MaxValue);
        Count = count;
    }

    /// <summary>The number of categories.</summary>
    public ulong Count { get; }

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is KeyDataViewType k && k.Count == Count;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(typeof(KeyDataViewType), Count);

    /// <inheritdoc/>
    public override string ToString() => $"Key<UInt32, 0-{Count - 1}>";
}

/// <summary>
/// A vector of <see cref="ItemType"/> items; values are <see cref="VBuffer{T}"/> (getters also accept <c>T[]</c>).
/// <see cref="Size"/> is the fixed length, or 0 when rows may differ in length.
/// </summary>
public sealed class VectorDataViewType : DataViewType
{
    /// <summary>A vector of <paramref name="itemType"/>, of length <paramref name="size"/> (0 = variable).</summary>
    public VectorDataViewType(PrimitiveDataViewType itemType, int size = 0)
        : base(typeof(VBuffer<>).MakeGenericType((itemType ?? throw new ArgumentNullException(nameof(itemType))).RawType))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ItemType = itemType;
        Size = size;
    }

    /// <summary>The type of each item.</summary>
    public PrimitiveDataViewType ItemType { get; }

    /// <summary>The fixed length, or 0 for variable-length vectors.</summary>
    public int Size { get; }

    /// <summary>True when all rows have <see cref="Size"/> items.</summary>
    public bool IsKnownSize => Size > 0;

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is VectorDataViewType v && v.Size == Size && v.ItemType.Equals(ItemType);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ItemType, Size);

    /// <inheritdoc/>
    public override string ToString() => $"Vector<{ItemType}{(Size > 0 ? ", " + Size.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}>";
}
