using System.Reflection;

namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// How a class's public properties and fields map to columns, for <c>LoadFromEnumerable</c> and
/// <c>CreateEnumerable</c>: a member's column is its name or <see cref="ColumnNameAttribute"/>; members marked
/// <see cref="NoColumnAttribute"/> are ignored. Supported member types: string, ReadOnlyMemory&lt;char&gt;, float,
/// double, int, long, uint, bool, arrays of float/double/int/long/bool, and VBuffer of those.
/// </summary>
internal sealed class RowObjectMapping
{
    private RowObjectMapping(Type type, Member[] members)
    {
        RowType = type;
        Members = members;
    }

    public Type RowType { get; }

    public Member[] Members { get; }

    /// <summary>One mapped member.</summary>
    internal sealed record Member(string ColumnName, DataViewType Type, MemberInfo Info, Type MemberType, int? LoadIndex)
    {
        public bool CanWrite => Info is FieldInfo { IsInitOnly: false } || Info is PropertyInfo { CanWrite: true };

        public object? GetValue(object target) => Info is PropertyInfo p ? p.GetValue(target) : ((FieldInfo)Info).GetValue(target);

        public void SetValue(object target, object? value)
        {
            if (Info is PropertyInfo p) p.SetValue(target, value);
            else ((FieldInfo)Info).SetValue(target, value);
        }
    }

    public static RowObjectMapping For(Type type)
    {
        var members = new List<Member>();
        const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance;
        var infos = type.GetProperties(flags).Where(p => p.GetIndexParameters().Length == 0 && p.CanRead).Cast<MemberInfo>()
            .Concat(type.GetFields(flags)).OrderBy(m => m.MetadataToken);
        foreach (var info in infos)
        {
            if (info.GetCustomAttribute<NoColumnAttribute>() is not null) continue;
            var memberType = info is PropertyInfo p ? p.PropertyType : ((FieldInfo)info).FieldType;
            string name = info.GetCustomAttribute<ColumnNameAttribute>()?.Name ?? info.Name;
            var columnType = ColumnTypeOf(memberType, info)
                ?? throw new NotSupportedException($"{type.Name}.{info.Name}: member type {ValueConversion.Describe(memberType)} cannot be a column (use string, float, double, int, long, uint, bool, or an array of numbers; or mark it [NoColumn]).");
            members.Add(new Member(name, columnType, info, memberType, info.GetCustomAttribute<LoadColumnAttribute>()?.FieldIndex));
        }

        if (members.Count == 0) throw new ArgumentException($"Type {type.Name} has no public properties or fields to map to columns.", nameof(type));
        var duplicate = members.GroupBy(m => m.ColumnName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Type {type.Name} maps two members to the column '{duplicate.Key}'.", nameof(type));
        return new RowObjectMapping(type, [.. members]);
    }

    public DataViewSchema CreateSchema()
    {
        var b = new DataViewSchema.Builder();
        foreach (var m in Members) b.AddColumn(m.ColumnName, m.Type);
        return b.ToSchema();
    }

    private static DataViewType? ColumnTypeOf(Type t, MemberInfo info)
    {
        if (t == typeof(uint) && info.GetCustomAttribute<KeyTypeAttribute>() is { } key) return new KeyDataViewType(key.Count);
        if (ScalarType(t) is { } scalar) return scalar;
        Type? item = t.IsArray ? t.GetElementType() : t.IsGenericType && t.GetGenericTypeDefinition() == typeof(VBuffer<>) ? t.GetGenericArguments()[0] : null;
        if (item is null || item == typeof(string) || ScalarType(item) is not { } itemType) return null;
        return new VectorDataViewType(itemType, info.GetCustomAttribute<VectorTypeAttribute>()?.Size ?? 0);
    }

    private static PrimitiveDataViewType? ScalarType(Type t) =>
        t == typeof(string) || t == typeof(ReadOnlyMemory<char>) ? TextDataViewType.Instance :
        t == typeof(float) ? NumberDataViewType.Single :
        t == typeof(double) ? NumberDataViewType.Double :
        t == typeof(int) ? NumberDataViewType.Int32 :
        t == typeof(long) ? NumberDataViewType.Int64 :
        t == typeof(uint) ? NumberDataViewType.UInt32 :
        t == typeof(bool) ? BooleanDataViewType.Instance : null;

    /// <summary>Converts a canonical value of <paramref name="column"/> to a member of type <paramref name="memberType"/>; null when impossible.</summary>
    public static Func<object?, object?>? FromCanonical(DataViewSchema.Column column, Type memberType)
    {
        var raw = column.Type.RawType;
        if (memberType == raw) return v => v;
        if (column.Type is TextDataViewType && memberType == typeof(string)) return v => v is ReadOnlyMemory<char> m ? m.ToString() : string.Empty;
        if (column.Type is VectorDataViewType vt && memberType.IsArray && memberType.GetElementType() == vt.ItemType.RawType)
            return v => v is IVectorValue vec ? vec.ToUntypedArray() : Array.CreateInstance(vt.ItemType.RawType, 0);
        if (column.Type is KeyDataViewType && memberType == typeof(uint)) return v => v;
        return null;
    }
}
