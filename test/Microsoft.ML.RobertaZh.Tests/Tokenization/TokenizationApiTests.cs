using System.Reflection;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Tests.Tokenization;

public class TokenizationApiTests
{
    [Fact]
    public void PublicSurfaceOfTheTokenizationNamespace()
    {
        var types = typeof(BertTokenizer).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == typeof(BertTokenizer).Namespace).Select(t => t.Name).Order(StringComparer.Ordinal);
        Assert.Equal(
            ["BertEncoding", "BertTokenizer", "BertTokenizerOptions", "ChineseCharRanges", "EncodeOptions", "PaddingStrategy",
             "RobertaZhTokenizer", "TokenOffset", "TruncationStrategy", "Vocabulary", "VocabularyBuilder", "VocabularyBuilderOptions"],
            types);
        Assert.Equal(["HuggingFaceFast", "GoogleBert"], Enum.GetNames<ChineseCharRanges>());
    }

    [Fact]
    public void RobertaZhTokenizerIsAMicrosoftMLTokenizerWithPairsAsItsOwnAddition()
    {
        Assert.True(typeof(RobertaZhTokenizer).IsSubclassOf(typeof(Microsoft.ML.Tokenizers.Tokenizer)));
        var members = typeof(RobertaZhTokenizer).GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m is not MethodInfo { IsSpecialName: true })
            .Select(m => m.Name).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal([".ctor", "AddSpecialTokens", "BertTokenizer", "Create", "Decode", "EncodePair"], members);
        // The protected fast paths are overridden, not left to the base class's EncodeToTokens-based defaults.
        foreach (string name in (string[])["EncodeToTokens", "EncodeToIds", "CountTokens", "GetIndexByTokenCount"])
        {
            var method = typeof(RobertaZhTokenizer).GetMethods(BindingFlags.NonPublic | BindingFlags.Instance)
                .Single(m => m.Name == name && m.IsFamily);
            Assert.Equal(typeof(RobertaZhTokenizer), method.DeclaringType);
        }
    }
}
