namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>The explanation given when ML.NET's own <c>Model.Save</c> reaches one of this library's transformers.</summary>
internal static class PersistenceMessages
{
    public static NotSupportedException NativeSaveNotSupported(string type) => new(
        $"mlContext.Model.Save cannot store a {type}: ML.NET keeps its model-saving API internal to its own assemblies " +
        "(dotnet/machinelearning #4911, #6839). Save the whole pipeline with mlContext.Model.SaveWithRoberta(model, inputSchema, path) " +
        "and load it with mlContext.Model.LoadWithRoberta(path, out var schema) (using Microsoft.ML.RobertaZh.Estimators), " +
        $"or save the transformer alone as a Hugging Face-compatible directory with {type}.Save(directory) / {type}.Load(mlContext, directory).");
}
