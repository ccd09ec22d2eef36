#pragma warning disable CA1822 // the kernel calls CreateTypeFormatters, MimeType and Type by name on instances
namespace Microsoft.ML.RobertaZh.Display;

/// <summary>
/// A formatter source in the shape .NET Interactive looks for by convention: <c>CreateTypeFormatters()</c> returns one
/// formatter per mime type, each with <c>MimeType</c>, <c>Type</c> and <c>Format(object, TextWriter)</c>.
/// Subclasses say how to render a <typeparamref name="T"/> as HTML and as plain text.
/// </summary>
internal abstract class DisplaySource<T>
    where T : class
{
    /// <summary>The formatters of <typeparamref name="T"/>: text/html and text/plain.</summary>
    public IEnumerable<object> CreateTypeFormatters() =>
    [
        new ConventionFormatter("text/html", typeof(T), o => Html((T)o)),
        new ConventionFormatter("text/plain", typeof(T), o => Plain((T)o)),
    ];

    /// <summary>The HTML of <paramref name="value"/>.</summary>
    public abstract string Html(T value);

    /// <summary>The plain text of <paramref name="value"/>.</summary>
    public virtual string Plain(T value) => value.ToString() ?? "";

    /// <summary>HTML-encoded text.</summary>
    protected static string E(string? text) => HtmlText.E(text);

    /// <summary>A number with the invariant culture.</summary>
    protected static string N(double value, string format) => HtmlText.N(value, format);

    /// <summary>A two-column table of names and values (already HTML), with a caption.</summary>
    protected static string Table(string cssClass, string caption, IEnumerable<(string Name, string Value)> rows) => HtmlText.NameValueTable(cssClass, caption, rows);

    /// <summary>The object the kernel wraps into its formatter.</summary>
    private sealed class ConventionFormatter(string mimeType, Type type, Func<object, string> render)
    {
        public string MimeType { get; } = mimeType;

        public Type Type { get; } = type;

        public bool Format(object instance, TextWriter writer)
        {
            if (!Type.IsInstanceOfType(instance)) return false;
            writer.Write(render(instance));
            return true;
        }
    }
}
