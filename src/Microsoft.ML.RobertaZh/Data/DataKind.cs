#pragma warning disable CA1720 // The member names are ML.NET's DataKind names, kept so code carries over.
namespace Microsoft.ML.RobertaZh.Data;

/// <summary>The kind of a loaded column (ML.NET's <c>DataKind</c>), mapped to a <see cref="DataViewType"/>.</summary>
public enum DataKind
{
    /// <summary>Text (<see cref="TextDataViewType"/>).</summary>
    String,

    /// <summary>32-bit float (<see cref="NumberDataViewType.Single"/>).</summary>
    Single,

    /// <summary>64-bit float (<see cref="NumberDataViewType.Double"/>).</summary>
    Double,

    /// <summary>32-bit integer (<see cref="NumberDataViewType.Int32"/>).</summary>
    Int32,

    /// <summary>64-bit integer (<see cref="NumberDataViewType.Int64"/>).</summary>
    Int64,

    /// <summary>Boolean (<see cref="BooleanDataViewType"/>): true/false/1/0, case-insensitive.</summary>
    Boolean,
}
