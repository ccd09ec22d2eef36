namespace Microsoft.ML.RobertaZh.Data;

/// <summary>Names the column a property or field maps to (default: the member's name).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class ColumnNameAttribute : Attribute
{
    /// <summary>Maps the member to the column <paramref name="name"/>.</summary>
    public ColumnNameAttribute(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The column name.</summary>
    public string Name { get; }
}

/// <summary>Excludes a property or field from the columns.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class NoColumnAttribute : Attribute
{
}

/// <summary>Gives an array member's vector column a fixed size (default: variable size).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class VectorTypeAttribute : Attribute
{
    /// <summary>A vector column of <paramref name="size"/> items.</summary>
    public VectorTypeAttribute(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        Size = size;
    }

    /// <summary>The fixed size (0 = variable).</summary>
    public int Size { get; }
}

/// <summary>Makes a <see cref="uint"/> member a key column (<see cref="KeyDataViewType"/>) with <see cref="Count"/> categories.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class KeyTypeAttribute : Attribute
{
    /// <summary>A key column of <paramref name="count"/> categories.</summary>
    public KeyTypeAttribute(ulong count)
    {
        ArgumentOutOfRangeException.ThrowIfZero(count);
        Count = count;
    }

    /// <summary>The number of categories.</summary>
    public ulong Count { get; }
}

/// <summary>The 0-based field index a member is read from by <see cref="DataOperationsCatalog.LoadFromTextFile{TInput}"/>.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class LoadColumnAttribute : Attribute
{
    /// <summary>Reads the member from field <paramref name="fieldIndex"/>.</summary>
    public LoadColumnAttribute(int fieldIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fieldIndex);
        FieldIndex = fieldIndex;
    }

    /// <summary>The 0-based field index.</summary>
    public int FieldIndex { get; }
}
