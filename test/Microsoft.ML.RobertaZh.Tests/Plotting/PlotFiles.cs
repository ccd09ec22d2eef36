using System.Buffers.Binary;
using System.Xml.Linq;
using SkiaSharp;

namespace Microsoft.ML.RobertaZh.Tests.Plotting;

/// <summary>Checks on written figures: a PNG that decodes and holds given colours, an SVG that parses and holds given texts.</summary>
internal static class PlotFiles
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Category10 colours ScottPlot draws series with: blue, orange, green, red, grey.</summary>
    public static readonly SKColor Blue = new(0x1F, 0x77, 0xB4), Orange = new(0xFF, 0x7F, 0x0E), Green = new(0x2C, 0xA0, 0x2C),
        Red = new(0xD6, 0x27, 0x28), Grey = new(0x7F, 0x7F, 0x7F);

    /// <summary>Asserts a valid PNG (signature, IHDR, decodable) and returns its size and how many pixels have each colour.</summary>
    public static (int Width, int Height, Dictionary<SKColor, int> Counts) Png(string path, params SKColor[] colors)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.AsSpan(0, 8).SequenceEqual(PngSignature), $"{path}: no PNG signature");
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        int width = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), height = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20));
        using var bitmap = SKBitmap.Decode(bytes) ?? throw new InvalidDataException($"{path}: Skia cannot decode it");
        Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
        var counts = colors.ToDictionary(c => c, _ => 0);
        foreach (var pixel in bitmap.Pixels)
            if (counts.ContainsKey(pixel.WithAlpha(255)) && pixel.Alpha == 255) counts[pixel]++;
        return (width, height, counts);
    }

    /// <summary>Asserts a well-formed SVG document and returns its size, its texts (trimmed) and its stroke and fill colours.</summary>
    public static (double Width, double Height, HashSet<string> Texts, HashSet<string> Colors) Svg(string path)
    {
        var doc = XDocument.Load(path);
        XNamespace svg = "http://www.w3.org/2000/svg";
        Assert.Equal(svg + "svg", doc.Root!.Name);
        var texts = doc.Descendants(svg + "text").Select(t => t.Value.Trim()).Where(t => t.Length > 0).ToHashSet(StringComparer.Ordinal);
        var colors = doc.Descendants().SelectMany(e => new[] { (string?)e.Attribute("stroke"), (string?)e.Attribute("fill") })
            .OfType<string>().Select(c => c.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal);
        return (double.Parse((string)doc.Root.Attribute("width")!, System.Globalization.CultureInfo.InvariantCulture),
            double.Parse((string)doc.Root.Attribute("height")!, System.Globalization.CultureInfo.InvariantCulture), texts, colors);
    }
}
