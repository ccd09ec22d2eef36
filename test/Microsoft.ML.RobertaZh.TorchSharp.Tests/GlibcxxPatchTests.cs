using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.TorchSharp.Build;
using Microsoft.ML.RobertaZh.TorchSharp.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.TorchSharp.Tests;

/// <summary>
/// The GLIBCXX handling: the patcher sets exactly one flag on a copy and is idempotent; the build patched this output
/// folder's libLibTorchSharp.so exactly when the system's libstdc++ lacks GLIBCXX_3.4.32; and that patched copy is the one
/// loaded, not a TorchSharp-consolidated cpu/ folder.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class GlibcxxPatchTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("rzh-glibcxx-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string OutputLibrary => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    /// <summary>The library as the TorchSharp package ships it, in the NuGet cache (read, never written).</summary>
    private static string PackageLibrary
    {
        get
        {
            string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
                ? p
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            string path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            Assert.True(File.Exists(path), $"The restored TorchSharp package's library is not at {path}.");
            return path;
        }
    }

    [LinuxFact]
    public void ThePackagesLibraryNeedsGlibcxx3432FromLibStdCxxNotWeak()
    {
        var needs = ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(PackageLibrary));
        var need = Assert.Single(needs, n => n.Version == ElfVersionNeeds.Glibcxx);
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.False(need.Weak);
        Assert.Contains(needs, n => n.File == "libc.so.6" && n.Version.StartsWith("GLIBC_2.", StringComparison.Ordinal));
    }

    [LinuxFact]
    public void ThePatcherSetsOnlyTheWeakFlagOnACopyAndIsIdempotent()
    {
        string copy = Path.Combine(_temp, "libLibTorchSharp.so");
        File.Copy(PackageLibrary, copy);
        var original = File.ReadAllBytes(copy);
        var mode = File.GetUnixFileMode(copy);

        Assert.True(ElfVersionNeeds.MarkWeak(copy, ElfVersionNeeds.LibStdCxx, ElfVersionNeeds.Glibcxx));
        var patched = File.ReadAllBytes(copy);
        Assert.Equal(original.Length, patched.Length);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        var need = ElfVersionNeeds.ReadNeeds(patched).Single(n => n.Version == ElfVersionNeeds.Glibcxx);
        Assert.Equal([need.FlagsOffset], changed.Select(i => (long)i)); // one byte: vna_flags' low byte
        Assert.Equal(ElfVersionNeeds.VerFlagWeak, need.Flags);
        Assert.True(need.Weak);
        // Every other need is as it was.
        Assert.Equal(
            ElfVersionNeeds.ReadNeeds(original).Where(n => n.Version != ElfVersionNeeds.Glibcxx).Select(n => (n.File, n.Version, n.Flags)),
            ElfVersionNeeds.ReadNeeds(patched).Where(n => n.Version != ElfVersionNeeds.Glibcxx).Select(n => (n.File, n.Version, n.Flags)));
        Assert.Equal(mode, File.GetUnixFileMode(copy));

        Assert.False(ElfVersionNeeds.MarkWeak(copy, ElfVersionNeeds.LibStdCxx, ElfVersionNeeds.Glibcxx)); // second run: nothing to do
        Assert.Equal(patched, File.ReadAllBytes(copy));
        Assert.False(File.Exists(copy + ".patching"));
    }

    [LinuxFact]
    public void ThePatcherWritesANewFileSoAHardLinkedOriginalIsNeverChanged()
    {
        string original = Path.Combine(_temp, "original.so");
        string link = Path.Combine(_temp, "linked.so");
        File.Copy(PackageLibrary, original);
        var before = File.ReadAllBytes(original);
        Assert.Equal(0, HardLink(original, link));
        ElfVersionNeeds.MarkWeak(link, ElfVersionNeeds.LibStdCxx, ElfVersionNeeds.Glibcxx);
        Assert.Equal(before, File.ReadAllBytes(original));
        Assert.NotEqual(before, File.ReadAllBytes(link));
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int HardLink(string existing, string created);

    [LinuxFact]
    public void AVersionTheLibraryDoesNotNeedIsReported()
    {
        string copy = Path.Combine(_temp, "lib.so");
        File.Copy(PackageLibrary, copy);
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.MarkWeak(copy, ElfVersionNeeds.LibStdCxx, "GLIBCXX_9.9.9"));
        Assert.Contains("does not need GLIBCXX_9.9.9", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.ReadNeeds([1, 2, 3]));
    }

    [LinuxFact]
    public void TheSystemLibStdCxxIsFoundAndItsVersionDefinitionsRead()
    {
        string? libstdcxx = ElfVersionNeeds.FindSystemLibStdCxx();
        Assert.NotNull(libstdcxx);
        Assert.True(ElfVersionNeeds.Defines(libstdcxx, "GLIBCXX_3.4"), $"{libstdcxx} should define GLIBCXX_3.4");
        Assert.True(ElfVersionNeeds.Defines(libstdcxx, "CXXABI_1.3"));
        Assert.False(ElfVersionNeeds.Defines(libstdcxx, "GLIBCXX_99.0"));
    }

    [LinuxFact]
    public void TheBuildPatchedThisOutputFolderExactlyWhenTheSystemLacksTheVersion()
    {
        bool lacks = !ElfVersionNeeds.Defines(ElfVersionNeeds.FindSystemLibStdCxx()!, ElfVersionNeeds.Glibcxx);
        var output = File.ReadAllBytes(OutputLibrary);
        var need = ElfVersionNeeds.ReadNeeds(output).Single(n => n.Version == ElfVersionNeeds.Glibcxx);
        Assert.Equal(lacks, need.Weak);
        if (!lacks) Assert.Equal(File.ReadAllBytes(PackageLibrary), output); // untouched where the system has the version
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "cpu", "libLibTorchSharp.so")), "a consolidated cpu/ folder survived the build");
    }

    [TorchSharpFact]
    public void ThePatchedOutputCopyIsTheLibraryLoadedHere()
    {
        using var engine = BertEngines.CreateInference(
            BertModel.Create(new BertConfig { VocabSize = 20, HiddenSize = 8, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 16, MaxPositionEmbeddings = 8 },
                new BertHeads(), seed: 1),
            new EngineOptions { Engine = EngineKind.TorchSharp });
        Assert.Equal(8 * 4, engine.Forward(new BertBatch(1, 4, [1, 2, 3, 4])).LastHiddenState.Length);
        var mapped = File.ReadAllLines("/proc/self/maps").Where(l => l.EndsWith("/libLibTorchSharp.so", StringComparison.Ordinal))
            .Select(l => l[l.IndexOf('/', StringComparison.Ordinal)..]).Distinct().ToArray();
        Assert.Equal([Path.GetFullPath(OutputLibrary)], mapped);
    }

    [LinuxFact]
    public void AConsolidatedNativesFolderIsRemovedAndAnyOtherFolderKept()
    {
        string cpu = Directory.CreateDirectory(Path.Combine(_temp, "cpu")).FullName;
        File.WriteAllText(Path.Combine(cpu, "libLibTorchSharp.so"), "stale");
        string other = Directory.CreateDirectory(Path.Combine(_temp, "other")).FullName;
        File.WriteAllText(Path.Combine(other, "libtorch_cpu.so"), "x");
        Assert.True(ElfVersionNeeds.RemoveConsolidatedNatives(cpu));
        Assert.False(Directory.Exists(cpu));
        Assert.False(ElfVersionNeeds.RemoveConsolidatedNatives(other));
        Assert.True(Directory.Exists(other));
    }
}
