using Microsoft.ML.RobertaZh.Transforms;
using Microsoft.ML.RobertaZh.Transforms.Persistence;

namespace Microsoft.ML.RobertaZh.Tests.Transforms;

/// <summary>Locks the public surface of the TokenizeForRoberta transform: a change here is deliberate.</summary>
public sealed class TransformsApiTests
{
    private static string[] Exported(Type anchor) => [.. anchor.Assembly.GetExportedTypes()
        .Where(t => t.Namespace == anchor.Namespace).Select(t => t.Name).Order(StringComparer.Ordinal)];

    [Fact]
    public void TheTransformsNamespaceHoldsTheCatalogTheEstimatorTheTransformerAndTheOptions()
    {
        Assert.Equal(["TokenizeForRobertaCatalog", "TokenizeForRobertaEstimator", "TokenizeForRobertaOptions", "TokenizeForRobertaTransformer"],
            Exported(typeof(TokenizeForRobertaTransformer)));
        Assert.True(typeof(IEstimator<TokenizeForRobertaTransformer>).IsAssignableFrom(typeof(TokenizeForRobertaEstimator)));
    }

    [Fact]
    public void PersistenceExportsOnlyTheTypesMlNetLoadsByContract()
    {
        Assert.Equal(
            ["TokenizeForRobertaMapping", "TokenizeForRobertaMappingInput", "TokenizeForRobertaMappingOutput", "TokenizeForRobertaPairMapping", "TokenizeForRobertaPairMappingInput"],
            Exported(typeof(TokenizeForRobertaMapping)));
        Assert.Equal("Microsoft.ML.RobertaZh.TokenizeForRoberta.v1", TokenizeForRobertaMapping.Contract);
        Assert.Equal("Microsoft.ML.RobertaZh.TokenizeForRoberta.Pair.v1", TokenizeForRobertaPairMapping.Contract);
    }
}
