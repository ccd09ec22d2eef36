using Microsoft.ML.RobertaZh.Plotting;

namespace Microsoft.ML.RobertaZh.Tests.Plotting;

public class PlottingApiTests
{
    [Fact]
    public void PublicSurfaceOfThePlottingAssembly()
    {
        var types = typeof(RunPlots).Assembly.GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal);
        Assert.Equal(
            ["Microsoft.ML.RobertaZh.Plotting.Figure", "Microsoft.ML.RobertaZh.Plotting.MetricsHistory", "Microsoft.ML.RobertaZh.Plotting.MetricsRecord",
             "Microsoft.ML.RobertaZh.Plotting.RunPlots", "Microsoft.ML.RobertaZh.Plotting.SweepSummary",
             "Microsoft.ML.RobertaZh.Plotting.SweepTrialSummary", "Microsoft.ML.RobertaZh.Plotting.TrainingPlots"],
            types);
        Assert.Equal(["LearningCurve", "Sweep", "ValidationMetrics"],
            typeof(TrainingPlots).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static).Select(m => m.Name).Order(StringComparer.Ordinal));
        // The core library stays free of plotting and of native assets.
        Assert.DoesNotContain(typeof(Microsoft.ML.RobertaZh.Tokenization.BertTokenizer).Assembly.GetReferencedAssemblies(), a => a.Name is "ScottPlot" or "SkiaSharp");
    }
}
