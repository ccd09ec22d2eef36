namespace Microsoft.ML.RobertaZh.Display;

/// <summary>
/// Points .NET Interactive's formatter at <see cref="FormatterSourceType"/> for the type it decorates. The kernel finds
/// the attribute by its name and reads these two properties by name, so the library needs no reference to the
/// Interactive packages (verified in the real kernel by NotebookKernelTests).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
internal sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    /// <summary>A type with a public parameterless constructor and a public <c>CreateTypeFormatters()</c>.</summary>
    public Type FormatterSourceType { get; } = formatterSourceType;

    /// <summary>Mime types the kernel uses by default for the decorated type.</summary>
    public string[]? PreferredMimeTypes { get; set; }
}
