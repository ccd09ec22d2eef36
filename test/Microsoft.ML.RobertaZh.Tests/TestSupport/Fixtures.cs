namespace Microsoft.ML.RobertaZh.Tests.TestSupport;

/// <summary>Locates committed fixtures and the shared data folder from the test binary's directory.</summary>
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

    /// <summary>A path under test/Microsoft.ML.RobertaZh.Tests/Fixtures.</summary>
    public static string Path(string relative) =>
        System.IO.Path.Combine(RepositoryRoot, "test", "Microsoft.ML.RobertaZh.Tests", "Fixtures", relative);

    /// <summary>The shared data folder beside the repository (../shared/data), or null when it is absent.</summary>
    public static string? SharedData
    {
        get
        {
            string dir = System.IO.Path.GetFullPath(System.IO.Path.Combine(RepositoryRoot, "..", "shared", "data"));
            return Directory.Exists(dir) ? dir : null;
        }
    }
}
