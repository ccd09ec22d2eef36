using System.Reflection;
using Microsoft.ML.RobertaZh.Pretraining;

namespace Microsoft.ML.RobertaZh.Tests.Pretraining;

public class PretrainingApiTests
{
    [Fact]
    public void PublicSurfaceIsTheDataPipeline()
    {
        var types = typeof(PretrainingDataset).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == typeof(PretrainingDataset).Namespace).Select(t => t.Name).Order(StringComparer.Ordinal);
        Assert.Equal(
            ["CorpusDocument", "CorpusFormat", "CorpusReader", "DataPosition", "MaskRandom", "Masker", "MaskingOptions", "MaskingStrategy",
             "MlmBatch", "MlmBatchSource", "MlmBatcher", "MlmBatcherOptions", "PreprocessProgress", "PretrainingDataOptions", "PretrainingDataset", "SentenceSplitter"],
            types);
        var members = typeof(PretrainingDataset).GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m is not MethodInfo { IsSpecialName: true }).Select(m => m.Name).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(
            ["CreateMasker", "Directory", "Dispose", "DocumentCount", "GetLength", "GetStaticMask", "GetTokenIds", "GetWordStarts", "HeldOut",
             "InstanceCount", "MaskTokenId", "Open", "Options", "PadTokenId", "Preprocess", "Reused", "SpecialTokenIds", "StaticCopies", "TokenCount", "VocabSize"],
            members);
    }
}
