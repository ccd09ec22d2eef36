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

    private static readonly string[] Fixed = ["ITokenizedIds", "TokenizeForRobertaMapping", "TokenizeForRobertaMappingBase`1", "TokenizeForRobertaMappingInput", "TokenizedIds"];

    [Fact]
    public void PersistenceExportsOnlyTheTypesMlNetLoadsByContract()
    {
        int[] sizes = [16, 32, 64, 128, 256, 384, 512];
        Assert.Equal(
            [.. Fixed.Concat(sizes.Select(n => $"TokenizeForRobertaMapping{n}")).Concat(sizes.Select(n => $"TokenizedIds{n}")).Order(StringComparer.Ordinal)],
            Exported(typeof(TokenizeForRobertaMapping)));
        Assert.Equal("Microsoft.ML.RobertaZh.TokenizeForRoberta.v1.Dynamic", TokenizeForRobertaMapping.Contract);
        Assert.Equal("Microsoft.ML.RobertaZh.TokenizeForRoberta.v1.Fixed128", TokenizeForRobertaMapping128.Contract);
    }
}
