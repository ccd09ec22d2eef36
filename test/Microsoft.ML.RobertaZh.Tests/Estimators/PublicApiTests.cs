using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Evaluation;

namespace Microsoft.ML.RobertaZh.Tests.Estimators;

/// <summary>Locks the public surface other components build on: a change here is deliberate.</summary>
public sealed class PublicApiTests
{
    private static string[] Exported(Type anchor) => anchor.Assembly.GetExportedTypes()
        .Where(t => t.Namespace == anchor.Namespace).Select(t => t.FullName![(anchor.Namespace!.Length + 1)..]).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void DataNamespaceHoldsOnlyTheTaskLoaders()
    {
        Assert.Equal(
        [
            "DataFormatException", "FileDataView", "JsonLinesLoader", "JsonLinesLoader+Column", "JsonLinesLoader+Options", "LoadReport", "MalformedRowHandling",
            "TaskColumns", "TaskDataCatalog", "TaskDatasetOptions", "TaskFormat",
        ], Exported(typeof(TaskDataCatalog)));
    }

    [Fact]
    public void EvaluationNamespaceHoldsOnlyFormattingOfMlNetsMetrics()
    {
        Assert.Equal(["MetricsFormattingExtensions"], Exported(typeof(MetricsFormattingExtensions)));
    }

    [Fact]
    public void EstimatorsNamespaceIsTheMlNetExtension()
    {
        Assert.Equal(
        [
            "ClassifierPrediction", "EmbeddingPooling", "EpochMetrics", "FillMaskResult", "LongTextStrategy", "RobertaClassifierCatalog", "RobertaClassifierEstimator",
            "RobertaClassifierOptions", "RobertaClassifierOptions+Defaults", "RobertaClassifierSweep", "RobertaClassifierTask", "RobertaClassifierTransformer",
            "RobertaEmbeddingEstimator", "RobertaEmbeddingOptions", "RobertaEncoderTransformer", "RobertaInferenceOptions", "RobertaModelOperations", "RobertaPretrainEstimator", "RobertaPretrainOptions",
            "RobertaTextCatalog", "SweepMetric", "SweepOptions", "SweepResult", "SweepSearch", "SweepTrial", "SweepTrialParameters",
        ], Exported(typeof(RobertaClassifierEstimator)));
    }

    [Fact]
    public void NoLookAlikeOfAnMlNetTypeRemains()
    {
        // Our namespaces sit inside Microsoft.ML, so a type of ours named like one of ML.NET's would shadow it.
        var mlNet = typeof(IDataView).Assembly.GetExportedTypes().Concat(typeof(MLContext).Assembly.GetExportedTypes())
            .Concat(typeof(SchemaShape).Assembly.GetExportedTypes()).Where(t => !t.IsNested).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var ours = typeof(TaskDataCatalog).Assembly.GetTypes().Where(t => !t.IsNested && t.Namespace?.StartsWith("Microsoft.ML.RobertaZh", StringComparison.Ordinal) == true);
        Assert.Empty(ours.Where(t => mlNet.Contains(t.Name)).Select(t => t.FullName));
    }

    [Fact]
    public void TransformersAreMlNetTransformersAndDisposable()
    {
        foreach (var t in new[] { typeof(RobertaClassifierTransformer), typeof(RobertaEncoderTransformer) })
        {
            Assert.True(typeof(ITransformer).IsAssignableFrom(t), t.Name);
            Assert.True(typeof(IDisposable).IsAssignableFrom(t), t.Name);
        }

        Assert.True(typeof(IEstimator<RobertaClassifierTransformer>).IsAssignableFrom(typeof(RobertaClassifierEstimator)));
        Assert.True(typeof(IEstimator<RobertaEncoderTransformer>).IsAssignableFrom(typeof(RobertaPretrainEstimator)));
        Assert.True(typeof(IEstimator<RobertaEncoderTransformer>).IsAssignableFrom(typeof(RobertaEmbeddingEstimator)));
    }
}
