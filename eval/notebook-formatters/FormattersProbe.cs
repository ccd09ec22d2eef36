// Probe for eval/notebook-formatters/run.sh: can ML.NET's own metric objects (types we cannot annotate) get HTML
// formatters in the real .NET Interactive kernel from an assembly with no reference to the Interactive packages?
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FormattersProbe;

/// <summary>A scored binary row.</summary>
public sealed class BinaryRow
{
    /// <summary>True label.</summary>
    public bool Label { get; set; }

    /// <summary>Margin.</summary>
    public float Score { get; set; }

    /// <summary>Calibrated probability.</summary>
    public float Probability { get; set; }

    /// <summary>Predicted label.</summary>
    public bool PredictedLabel { get; set; }
}

/// <summary>A scored three-class row.</summary>
public sealed class MulticlassRow
{
    /// <summary>True class, 1-based.</summary>
    public uint Label { get; set; }

    /// <summary>Class probabilities.</summary>
    [VectorType(3)]
    public float[] Score { get; set; } = [];

    /// <summary>Predicted class, 1-based.</summary>
    public uint PredictedLabel { get; set; }
}

/// <summary>Real ML.NET metric objects, from ML.NET's own evaluators on fixed scores.</summary>
public static class Metrics
{
    /// <summary>CalibratedBinaryClassificationMetrics of 40 rows.</summary>
    public static BinaryClassificationMetrics Binary()
    {
        var ml = new MLContext(1);
        var rows = Enumerable.Range(0, 40).Select(i =>
        {
            float p = ((i % 10) / 10f) + 0.05f;
            return new BinaryRow { Label = (i * 7 % 10) / 10f < p, Score = (p * 4) - 2, Probability = p, PredictedLabel = p > 0.5f };
        });
        return ml.BinaryClassification.Evaluate(ml.Data.LoadFromEnumerable(rows));
    }

    /// <summary>MulticlassClassificationMetrics of 30 rows.</summary>
    public static MulticlassClassificationMetrics Multiclass()
    {
        var ml = new MLContext(1);
        var rows = Enumerable.Range(0, 30).Select(i =>
        {
            uint predicted = (uint)((i * 2) % 3) + 1;
            var score = new float[3];
            score[predicted - 1] = 0.6f;
            score[predicted % 3] = 0.3f;
            score[(predicted + 1) % 3] = 0.1f;
            return new MulticlassRow { Label = (uint)(i % 3) + 1, Score = score, PredictedLabel = predicted };
        });
        var data = ml.Data.LoadFromEnumerable(rows);
        data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        return ml.MulticlassClassification.Evaluate(data, predictedLabelColumnName: "PredictedLabel");
    }
}

/// <summary>Registration with the kernel's Formatter through reflection.</summary>
public static class NotebookFormatters
{
    private static readonly string[] Html = ["text/html"];

    /// <summary>What the last registration did.</summary>
    public static string Status { get; private set; } = "not run";

    /// <summary>Registers HTML formatters for ML.NET's metric types with the loaded Formatter, if any; tags their tables.</summary>
    public static bool Register(string tag)
    {
        var formatter = AppDomain.CurrentDomain.GetAssemblies()
            .Select(a => a.GetType("Microsoft.DotNet.Interactive.Formatting.Formatter", throwOnError: false)).FirstOrDefault(t => t is not null);
        if (formatter is null)
        {
            Status = "no Formatter loaded";
            return false;
        }
        var register = formatter.GetMethod("Register", [typeof(Type), typeof(Action<object, TextWriter>), typeof(string)])!;
        var preferred = formatter.GetMethod("SetPreferredMimeTypesFor", [typeof(Type), typeof(string[])]);
        void Add(Type type, Func<object, string> html)
        {
            register.Invoke(null, [type, (Action<object, TextWriter>)((o, w) => w.Write(html(o))), "text/html"]);
            preferred?.Invoke(null, [type, Html]);
        }
        Add(typeof(BinaryClassificationMetrics), o => Row(tag, "AUC", ((BinaryClassificationMetrics)o).AreaUnderRocCurve));
        Add(typeof(MulticlassClassificationMetrics), o => Row(tag, "MicroAccuracy", ((MulticlassClassificationMetrics)o).MicroAccuracy));
        Add(typeof(ConfusionMatrix), o => Row(tag, "classes", ((ConfusionMatrix)o).NumberOfClasses));
        Status = $"registered ({tag}) with {formatter.Assembly.GetName().Name} {formatter.Assembly.GetName().Version}";
        return true;
    }

    private static string Row(string tag, string name, double value) =>
        string.Create(CultureInfo.InvariantCulture, $"<table class=\"probe-{tag}\"><tr><td>{name}</td><td>{value:F4}</td></tr></table>");

#pragma warning disable CA2255 // the route under test: registration when the assembly's code first runs
    [ModuleInitializer]
    internal static void OnLoad()
    {
        if (Environment.GetEnvironmentVariable("PROBE_AUTO") == "1") Register("auto");
    }
#pragma warning restore CA2255
}

/// <summary>The look-alike attribute the kernel finds by name.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    public Type FormatterSourceType { get; } = formatterSourceType;

    public string[]? PreferredMimeTypes { get; set; }
}

/// <summary>One of "our" types, whose formatter source also yields a formatter for ML.NET's binary metrics.</summary>
[TypeFormatterSource(typeof(OwnSource), PreferredMimeTypes = ["text/html"])]
public sealed class OwnThing
{
    /// <summary>A value.</summary>
    public int X { get; set; } = 3;
}

#pragma warning disable CA1822 // called by name on an instance by the kernel
internal sealed class OwnSource
{
    public IEnumerable<object> CreateTypeFormatters() =>
    [
        new Formatter(typeof(OwnThing), o => $"<b class=\"own\">own {((OwnThing)o).X}</b>"),
        new Formatter(typeof(BinaryClassificationMetrics), _ => "<table class=\"probe-convention\"></table>"),
    ];

    internal sealed class Formatter(Type type, Func<object, string> html)
    {
        public string MimeType => "text/html";

        public Type Type => type;

        public bool Format(object o, TextWriter w)
        {
            w.Write(html(o));
            return true;
        }
    }
}
#pragma warning restore CA1822
