#pragma warning disable IDE1006, CA1716 // display and HTML are named as the .NET Interactive kernel names them.
// Outside the test namespaces, so that the notebook's code sees only the names its own using directives bring in.
namespace RobertaZhNotebook;

/// <summary>What the notebook's HTML(...) returns: markup to render.</summary>
internal sealed record HtmlMarkup(string Html)
{
    public override string ToString() => Html;
}

/// <summary>
/// Stand-ins for the .NET Interactive kernel's helpers the notebook calls (<c>display</c>, <c>HTML</c>), so its code,
/// extracted into <see cref="RunAsync"/> at build time, runs as a test. Displayed values are recorded.
/// </summary>
internal static partial class NotebookCode
{
    private static readonly List<object?> DisplayedValues = [];

    /// <summary>Everything the notebook displayed, in order.</summary>
    public static IReadOnlyList<object?> Displayed => DisplayedValues;

    /// <summary>The kernel's display(value): here recorded and written to the console.</summary>
    public static void display(object? value)
    {
        DisplayedValues.Add(value);
        Console.WriteLine(value is System.Collections.IEnumerable e and not string ? string.Join(Environment.NewLine, e.Cast<object?>()) : value);
    }

    /// <summary>The kernel's HTML(markup).</summary>
    public static HtmlMarkup HTML(string markup) => new(markup);
}
