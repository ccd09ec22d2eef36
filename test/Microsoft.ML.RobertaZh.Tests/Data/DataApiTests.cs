using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Evaluation;

namespace Microsoft.ML.RobertaZh.Tests.Data;

/// <summary>Locks the public surface other components build on: a change here is deliberate.</summary>
public sealed class DataApiTests
{
    private static string[] Exported(Type anchor) => anchor.Assembly.GetExportedTypes()
        .Where(t => t.Namespace == anchor.Namespace).Select(t => t.FullName![(anchor.Namespace!.Length + 1)..]).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void DataNamespaceExportsTheMlNetShapedTypes()
    {
        Assert.Equal(
        [
            "BatchMapper", "BooleanDataViewType", "ColumnCopyingEstimator", "ColumnCopyingTransformer", "ColumnNameAttribute", "DataFormatException",
            "DataKind", "DataOperationsCatalog", "DataOperationsCatalog+TrainTestData", "DataViewRow", "DataViewRowCursor", "DataViewSchema",
            "DataViewSchema+Annotations", "DataViewSchema+Builder", "DataViewSchema+Column", "DataViewType", "EstimatorChain`1", "EstimatorExtensions",
            "FileDataView", "IDataView", "IEstimator`1", "ITransformer", "JsonLinesLoader", "JsonLinesLoader+Column", "JsonLinesLoader+Options",
            "KeyDataViewType", "KeyOrdinality", "KeyTypeAttribute", "LoadColumnAttribute", "LoadReport", "MalformedRowHandling", "MappedDataView",
            "NoColumnAttribute", "NumberDataViewType", "PrimitiveDataViewType", "SchemaShape", "SchemaShape+Column", "SchemaShape+VectorKind",
            "TaskColumns", "TaskFormat", "TextDataViewType", "TextLoader", "TextLoader+Column", "TextLoader+Options", "TransformerChain`1",
            "TransformsCatalog", "TransformsCatalog+ConversionTransforms", "VBuffer`1", "ValueGetter`1", "ValueToKeyMappingEstimator",
            "ValueToKeyMappingTransformer", "VectorDataViewType", "VectorTypeAttribute",
        ], Exported(typeof(IDataView)));
    }

    [Fact]
    public void EvaluationNamespaceExportsTheMetricsObjects()
    {
        Assert.Equal(
        [
            "BinaryClassificationCatalog", "BinaryClassificationCatalog+BinaryClassificationTrainers", "BinaryClassificationMetrics", "ConfusionMatrix",
            "Evaluator", "MulticlassClassificationCatalog", "MulticlassClassificationCatalog+MulticlassClassificationTrainers", "MulticlassClassificationMetrics",
        ], Exported(typeof(Evaluator)));
    }
}
