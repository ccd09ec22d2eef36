namespace Microsoft.ML.RobertaZh.Plotting;

/// <summary>
/// Points .NET Interactive's formatter at <see cref="FormatterSourceType"/> for the type it decorates. The kernel finds
/// this attribute by its name and property names, so this library needs no reference to the Interactive packages.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
internal sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    /// <summary>A type with a public parameterless constructor and a public <c>CreateTypeFormatters()</c>.</summary>
    public Type FormatterSourceType { get; } = formatterSourceType;

    /// <summary>Mime types to use by default for the decorated type.</summary>
    public string[]? PreferredMimeTypes { get; set; }
}
