using System.Reflection;
using Microsoft.ML.RobertaZh.Segmentation;

namespace Microsoft.ML.RobertaZh.Tests.Segmentation;

public class SegmentationApiTests
{
    [Fact]
    public void PublicSurfaceIsTheSegmenterItsModeAndItsToken()
    {
        var types = typeof(JiebaSegmenter).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == typeof(JiebaSegmenter).Namespace).Select(t => t.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["JiebaSegmenter", "SegmentToken", "SegmentationMode"], types);

        var members = typeof(JiebaSegmenter).GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m is not MethodInfo { IsSpecialName: true })
            .Select(m => m.Name).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(
            ["AddWord", "Cut", "EntryCount", "GetFrequency", "Load", "LoadUserDictionary", "SuggestFrequency", "Tokenize", "Total"],
            members);
        Assert.Equal(["Default", "NoHmm", "Full", "Search", "SearchNoHmm"], Enum.GetNames<SegmentationMode>());
    }
}
