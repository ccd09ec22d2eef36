using System.Reflection;
using Microsoft.ML.RobertaZh.Engines;

namespace Microsoft.ML.RobertaZh.Tests.Engines;

/// <summary>Locks the engine abstraction other assemblies implement (TorchSharp, ONNX Runtime): a change here is deliberate.</summary>
public class EnginesApiTests
{
    [Fact]
    public void EnginesNamespaceExportsTheAbstractionTheManagedEngineAndTheResolver()
    {
        var types = typeof(IBertEngine).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == typeof(IBertEngine).Namespace).Select(t => t.Name).Order(StringComparer.Ordinal);
        Assert.Equal(
            ["BertEngines", "EngineKind", "EngineOptions", "EngineUnavailableException", "IBertEngine", "IBertEngineFactory", "IBertTrainingEngine",
             "InferenceLoss", "ManagedEngine", "OptimizerState"],
            types);
    }

    [Fact]
    public void TheInterfacesHaveExactlyTheseMembers()
    {
        Assert.Equal(["Evaluate", "Forward", "ForwardLogits", "get_Device", "get_Kind", "get_Layout", "get_ParameterCount"], Members(typeof(IBertEngine)));
        Assert.Equal(
            ["ClipGradients", "ExportGradients", "ExportOptimizerState", "ExportParameters", "ForwardBackward", "ImportOptimizerState", "ImportParameters",
             "OptimizerStep", "Save", "ZeroGradients", "get_DropoutEnabled", "get_DropoutSeed", "get_TrainingPasses", "set_DropoutEnabled",
             "set_DropoutSeed", "set_TrainingPasses"],
            Members(typeof(IBertTrainingEngine)));
        Assert.Equal(["CreateInference", "CreateTraining", "get_Kind", "get_SupportsTraining"], Members(typeof(IBertEngineFactory)));
        Assert.Equal(["CopyParametersTo", "CreateInference", "CreateTraining", "GetFactory"],
            typeof(BertEngines).GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly).Select(m => m.Name).Order(StringComparer.Ordinal));
    }

    private static IEnumerable<string> Members(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Select(m => m.Name).Order(StringComparer.Ordinal);
}
