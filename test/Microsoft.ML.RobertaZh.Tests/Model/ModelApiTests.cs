using System.Reflection;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Tests.Model;

public class ModelApiTests
{
    [Fact]
    public void PublicSurfaceOfTheModelNamespace()
    {
        var types = typeof(BertModel).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == typeof(BertModel).Namespace).Select(t => t.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["BertBatch", "BertConfig", "BertHeads", "BertLoss", "BertModel", "BertOutput", "BertParameterLayout", "CheckpointLoadReport",
            "InferencePrecision", "ParameterSlice"], types);
        Assert.Equal(["DynamicInt8", "FullPrecision"], Enum.GetNames<InferencePrecision>().Order(StringComparer.Ordinal));
        var members = typeof(BertModel).GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m is not MethodInfo { IsSpecialName: true }).Select(m => m.Name).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal([".ctor", "Config", "Create", "DropoutEnabled", "DropoutSeed", "Evaluate", "Forward", "ForwardBackward", "ForwardLogits", "FromStateDict", "Gradient", "Gradients", "Heads",
            "InferencePrecision", "Initialize", "InvalidateInferenceCaches", "Layout", "Load", "MaskedLmLogProbabilities", "PackPaddedSequences", "Parameter", "Parameters",
            "ReleaseBuffers", "Save", "TrainingPasses", "ZeroGradients"], members);
    }
}
