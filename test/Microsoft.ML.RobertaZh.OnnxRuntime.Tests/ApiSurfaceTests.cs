using System.Reflection;
using Microsoft.ML.RobertaZh.OnnxRuntime.Export;
using Microsoft.ML.RobertaZh.OnnxRuntime.Inference;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests;

public class ApiSurfaceTests
{
    private static string[] Members(Type type) => [.. type
        .GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
        .Where(m => m is not MethodInfo { IsSpecialName: true } && m is not ConstructorInfo)
        .Select(m => m.Name).Distinct().Order(StringComparer.Ordinal)];

    [Fact]
    public void PublicSurfaceIsTheExporterTheSessionTheEngineAndTheirOptions()
    {
        var types = typeof(OnnxExporter).Assembly.GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal);
        Assert.Equal(
        [
            "Microsoft.ML.RobertaZh.OnnxRuntime.Export.OnnxExportOptions",
            "Microsoft.ML.RobertaZh.OnnxRuntime.Export.OnnxExportResult",
            "Microsoft.ML.RobertaZh.OnnxRuntime.Export.OnnxExporter",
            "Microsoft.ML.RobertaZh.OnnxRuntime.Export.TransformerOnnxExport",
            "Microsoft.ML.RobertaZh.OnnxRuntime.Inference.OnnxBertSession",
            "Microsoft.ML.RobertaZh.OnnxRuntime.Inference.OnnxSessionOptions",
            "Microsoft.ML.RobertaZh.OnnxRuntime.Metadata.OnnxModelInfo",
            "Microsoft.ML.RobertaZh.OnnxRuntime.Metadata.OnnxModelTask",
            "Microsoft.ML.RobertaZh.OnnxRuntime.OnnxRuntimeEngine",
            "Microsoft.ML.RobertaZh.OnnxRuntime.OnnxRuntimeEngineFactory",
            "Microsoft.ML.RobertaZh.OnnxRuntime.Scoring.BinaryClassifierLogits",
            "Microsoft.ML.RobertaZh.OnnxRuntime.Scoring.BinaryClassifierScoreColumns",
            "Microsoft.ML.RobertaZh.OnnxRuntime.Scoring.BinaryClassifierScores",
            "Microsoft.ML.RobertaZh.OnnxRuntime.Scoring.ClassifierProbabilities",
            "Microsoft.ML.RobertaZh.OnnxRuntime.Scoring.MulticlassClassifierScores",
            "Microsoft.ML.RobertaZh.OnnxRuntime.Scoring.MulticlassPredictedLabel",
        ], types);
        Assert.Equal(["Export"], Members(typeof(OnnxExporter)));
        Assert.Equal(["ExportOnnx"], Members(typeof(TransformerOnnxExport)));
        Assert.Equal(["CreateTokenizer", "Dispose", "Forward", "Info", "Load"], Members(typeof(OnnxBertSession)));
        Assert.Equal(["Configure", "Device", "ExecutionMode", "GraphOptimizationLevel", "InterOpThreads", "IntraOpThreads"], Members(typeof(OnnxSessionOptions)));
        Assert.Equal(["CacheDirectory", "ClearCache", "CreateInference", "CreateTraining", "Fused", "Kind", "MaxCachedModels", "SessionOptions", "SupportsTraining"],
            Members(typeof(OnnxRuntimeEngineFactory)));
        Assert.Equal(["Device", "Dispose", "Evaluate", "Forward", "Info", "Kind", "Layout", "Load", "ParameterCount"], Members(typeof(OnnxRuntimeEngine)));
        Assert.Equal(["ExternalData", "Fused", "MaxSequenceLength", "MaximumOpset", "MinimumOpset", "Opset", "Task"], Members(typeof(OnnxExportOptions)));
    }
}
