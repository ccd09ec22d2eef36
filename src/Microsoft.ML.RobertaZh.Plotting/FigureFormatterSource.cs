#pragma warning disable CA1822 // the kernel finds CreateTypeFormatters and Type by name on instances: they cannot be static
using System.Net;

namespace Microsoft.ML.RobertaZh.Plotting;

/// <summary>Formatters the .NET Interactive kernel uses for <see cref="Figure"/> (found by convention).</summary>
internal sealed class FigureFormatterSource
{
    /// <summary>An inline SVG for text/html and the figure's description for text/plain.</summary>
    public IEnumerable<object> CreateTypeFormatters() =>
    [
        new FigureFormatter("text/html", (f, w) => w.Write($"<div class=\"roberta-zh-figure\" title=\"{WebUtility.HtmlEncode(f.Title)}\">{StripXmlDeclaration(f.ToSvg())}</div>")),
        new FigureFormatter("text/plain", (f, w) => w.Write(f.ToString())),
    ];

    private static string StripXmlDeclaration(string svg) =>
        svg.StartsWith("<?xml", StringComparison.Ordinal) ? svg[(svg.IndexOf("?>", StringComparison.Ordinal) + 2)..].TrimStart() : svg;

    /// <summary>The shape the kernel looks for: MimeType, Type and Format(object, TextWriter).</summary>
    internal sealed class FigureFormatter(string mimeType, Action<Figure, TextWriter> write)
    {
        public string MimeType { get; } = mimeType;

        public Type Type => typeof(Figure);

        public bool Format(object instance, TextWriter writer)
        {
            if (instance is not Figure figure) return false;
            write(figure, writer);
            return true;
        }
    }
}
