namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// A vector value (ML.NET's <c>VBuffer&lt;T&gt;</c>, dense only here): <see cref="Length"/> items read with
/// <see cref="GetValues"/>. The buffer does not copy; producers never mutate an array once handed out.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public readonly struct VBuffer<T> : IEquatable<VBuffer<T>>, IVectorValue
{
    private readonly T[]? _values;

    /// <summary>A dense vector over the first <paramref name="length"/> items of <paramref name="values"/>.</summary>
    public VBuffer(int length, T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, values.Length);
        Length = length;
        _values = values;
    }

    /// <summary>The number of items.</summary>
    public int Length { get; }

    /// <summary>True: this implementation stores every item.</summary>
    public bool IsDense => true;

    /// <summary>The items.</summary>
    public ReadOnlySpan<T> GetValues() => _values is null ? ReadOnlySpan<T>.Empty : _values.AsSpan(0, Length);

    /// <summary>The items, enumerated.</summary>
    public IEnumerable<T> DenseValues()
    {
        for (int i = 0; i < Length; i++) yield return _values![i];
    }

    /// <summary>The item at <paramref name="index"/>.</summary>
    public T GetItemOrDefault(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Length);
        return _values![index];
    }

    /// <summary>A new array holding the items.</summary>
    public T[] ToArray() => GetValues().ToArray();

    Array IVectorValue.ToUntypedArray() => ToArray();

    /// <inheritdoc/>
    public bool Equals(VBuffer<T> other) => ReferenceEquals(_values, other._values) && Length == other.Length;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is VBuffer<T> v && Equals(v);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_values, Length);

    /// <summary>True when both wrap the same array and length.</summary>
    public static bool operator ==(VBuffer<T> left, VBuffer<T> right) => left.Equals(right);

    /// <summary>False when both wrap the same array and length.</summary>
    public static bool operator !=(VBuffer<T> left, VBuffer<T> right) => !left.Equals(right);
}
