using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.TorchSharp.Native;

namespace Microsoft.ML.RobertaZh.TorchSharp.Tests.TestSupport;

/// <summary>
/// A fact that needs libtorch: skipped, saying why, only where TorchSharp's native libraries cannot load at all. On the
/// project's machines and CI they load (the build patches the GLIBCXX need), so these tests run there.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class TorchSharpFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Problem = new(() =>
    {
        try
        {
            TorchSharpRuntime.EnsureCpu();
            return null;
        }
        catch (EngineUnavailableException e)
        {
            return "TorchSharp's native libraries do not load here: " + e.Message;
        }
    });

    public TorchSharpFactAttribute()
    {
        if (Problem.Value is { } reason) Skip = reason;
    }
}

/// <summary>The theory form of <see cref="TorchSharpFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class TorchSharpTheoryAttribute : TheoryAttribute
{
    public TorchSharpTheoryAttribute()
    {
        if (new TorchSharpFactAttribute().Skip is { } reason) Skip = reason;
    }
}

/// <summary>A fact about Linux ELF files and loading: skipped elsewhere, saying so.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "The GLIBCXX handling concerns Linux builds of libLibTorchSharp.so only.";
    }
}
