namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests.TestSupport;

/// <summary>Locates the core test project's committed fixtures from the test binary's directory.</summary>
internal static class Fixtures
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Microsoft.ML.RobertaZh.sln"))) return dir.FullName;
        throw new InvalidOperationException("Cannot find the repository root (Microsoft.ML.RobertaZh.sln) above " + AppContext.BaseDirectory);
    });

    /// <summary>The repository root.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>The tiny BERT of eval/reference/make_model_fixtures.py (hidden 64, 2 layers, 4 heads, vocabulary 120,
    /// 32 positions, 3 labels), with every head and the PyTorch reference outputs.</summary>
    public static string ModelDirectory =>
        System.IO.Path.Combine(Root.Value, "test", "Microsoft.ML.RobertaZh.Tests", "Fixtures", "model");
}
