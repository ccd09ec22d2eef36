using ScottPlot;
using SkiaSharp;

namespace Microsoft.ML.RobertaZh.Plotting;

/// <summary>
/// A figure of one or more ScottPlot plots stacked in rows (sharing the x axis when they plot the same quantity),
/// saved as PNG or SVG at its own size. In a .NET Interactive notebook it displays inline as SVG.
/// </summary>
[TypeFormatterSource(typeof(FigureFormatterSource), PreferredMimeTypes = ["text/html"])]
public sealed class Figure
{
    private readonly Multiplot _multiplot;

    internal Figure(string title, IReadOnlyList<Plot> plots, int width, int height)
    {
        Title = title;
        Plots = plots;
        Width = width;
        Height = height;
        if (plots.Count == 0) throw new ArgumentException("A figure needs a plot.", nameof(plots));
        _multiplot = new Multiplot(plots[0]);
        foreach (var plot in plots.Skip(1)) _multiplot.AddPlot(plot);
        _multiplot.Layout = new ScottPlot.MultiplotLayouts.Rows();
    }

    /// <summary>What the figure shows, in words (also its first plot's title).</summary>
    public string Title { get; }

    /// <summary>The plots, top to bottom: restyle them before saving if you like.</summary>
    public IReadOnlyList<Plot> Plots { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Writes the figure as a PNG file.</summary>
    public void SavePng(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, ToPng());
    }

    /// <summary>Writes the figure as an SVG file (text stays text).</summary>
    public void SaveSvg(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllText(path, ToSvg());
    }

    /// <summary>The figure as PNG bytes.</summary>
    public byte[] ToPng()
    {
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height)) ?? throw new InvalidOperationException("Skia cannot create a surface.");
        surface.Canvas.Clear(SKColors.White);
        _multiplot.Render(surface.Canvas, new PixelRect(0, Width, Height, 0));
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>The figure as an SVG document.</summary>
    public string ToSvg()
    {
        using var stream = new MemoryStream();
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, Width, Height), stream))
        {
            canvas.Clear(SKColors.White);
            _multiplot.Render(canvas, new PixelRect(0, Width, Height, 0));
        }
        // The multiplot clears its area with a paint Skia's SVG writer emits without a fill, which SVG would draw black.
        string bare = FormattableString.Invariant($"<rect width=\"{Width}\" height=\"{Height}\"/>");
        return System.Text.Encoding.UTF8.GetString(stream.ToArray())
            .Replace(bare, FormattableString.Invariant($"<rect fill=\"white\" width=\"{Width}\" height=\"{Height}\"/>"), StringComparison.Ordinal);
    }

    /// <inheritdoc />
    public override string ToString() => FormattableString.Invariant($"{Title} ({Plots.Count} plot(s), {Width}×{Height})");
}
