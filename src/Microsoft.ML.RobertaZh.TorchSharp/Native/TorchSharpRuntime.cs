using System.Runtime.InteropServices;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.TorchSharp.Build;
using TorchSharp;

namespace Microsoft.ML.RobertaZh.TorchSharp.Native;

/// <summary>
/// Checks, before TorchSharp is first used, that its native libraries load here, and resolves the device; when something
/// is missing it throws <see cref="EngineUnavailableException"/> naming the package to add (or the GLIBCXX fix), instead
/// of TorchSharp's own console dump.
/// </summary>
internal static class TorchSharpRuntime
{
    public const string CpuPackages =
        "TorchSharp 0.107.0 and the libtorch runtime of the platform: libtorch-cpu-linux-x64 2.10.0 (libtorch-cpu-win-x64, libtorch-cpu-osx-arm64), "
        + "or TorchSharp-cpu 0.107.0, which bundles all three";

    public const string CudaPackages =
        "libtorch-cuda-12.8-linux-x64 2.10.0 (or TorchSharp-cuda-linux 0.107.0; TorchSharp-cuda-windows on Windows) in place of the CPU "
        + "runtime, with an NVIDIA driver for CUDA 12.8";

    private static readonly Lock Gate = new();
    private static bool s_cpuReady;

    /// <summary>The device <paramref name="options"/> asks for, checked; <paramref name="name"/> is <c>cpu</c> or <c>cuda:N</c>.</summary>
    public static torch.Device Resolve(EngineOptions options, out string name)
    {
        var (cuda, index) = options.ParseDevice();
        EnsureCpu();
        if (options.Threads > 0) torch.set_num_threads(options.Threads);
        if (cuda)
        {
            string? problem = CudaProblem("torch_cuda", index);
            if (problem is null)
            {
                name = $"cuda:{index}";
                return torch.device(DeviceType.CUDA, index);
            }
            if (!options.FallbackToCpu) throw new EngineUnavailableException(problem);
        }
        name = "cpu";
        return torch.CPU;
    }

    /// <summary>Loads libtorch and TorchSharp's native binding and initializes the CPU backend, once, or explains what is missing.</summary>
    internal static void EnsureCpu()
    {
        lock (Gate)
        {
            if (s_cpuReady) return;
            CheckNatives("torch_cpu", "LibTorchSharp");
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
            {
                throw new EngineUnavailableException($"TorchSharp could not initialize libtorch ({e.Message.Split('\n')[0]}). It needs {CpuPackages}.", e);
            }
            s_cpuReady = true;
        }
    }

    /// <summary>Loads the named libtorch and binding libraries as TorchSharp probes them (beside TorchSharp.dll), or explains why they do not load.</summary>
    internal static void CheckNatives(string torchLibrary, string bindingLibrary)
    {
        var assembly = typeof(torch).Assembly;
        if (!NativeLibrary.TryLoad(torchLibrary, assembly, null, out _))
            throw new EngineUnavailableException(
                $"The TorchSharp engine cannot load libtorch ({torchLibrary}) for {Path.GetFileName(assembly.Location)}: this application has no "
                + $"libtorch runtime. Add {CpuPackages}.");
        if (!NativeLibrary.TryLoad(bindingLibrary, assembly, null, out _))
            throw new EngineUnavailableException(BindingProblem(bindingLibrary));
    }

    /// <summary>Why CUDA device <paramref name="index"/> cannot be used, or null when it can.</summary>
    internal static string? CudaProblem(string torchCudaLibrary, int index)
    {
        if (!NativeLibrary.TryLoad(torchCudaLibrary, typeof(torch).Assembly, null, out _))
            return $"Device 'cuda' needs a CUDA build of libtorch, and this application has the CPU build. Reference {CudaPackages}.";
        try
        {
            torch.InitializeDeviceType(DeviceType.CUDA);
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            return $"libtorch's CUDA build did not initialize ({e.Message.Split('\n')[0]}); it needs {CudaPackages}.";
        }
        if (!torch.cuda.is_available()) return "libtorch's CUDA build is present but no CUDA device is usable (no GPU, or no NVIDIA driver for CUDA 12.8).";
        int count = torch.cuda.device_count();
        return index < count ? null : $"Device cuda:{index} does not exist: this machine has {count} CUDA device(s).";
    }

    /// <summary>Why TorchSharp's native binding does not load: missing, or (Linux) needing a newer libstdc++ than the system's.</summary>
    private static string BindingProblem(string bindingLibrary)
    {
        string file = OperatingSystem.IsWindows() ? bindingLibrary + ".dll" : OperatingSystem.IsMacOS() ? $"lib{bindingLibrary}.dylib" : $"lib{bindingLibrary}.so";
        string? path = Candidates(file).FirstOrDefault(File.Exists);
        if (path is null)
            return $"The TorchSharp engine cannot find {file} (TorchSharp's native binding): add {CpuPackages}.";
        if (OperatingSystem.IsLinux() && ElfVersionNeeds.FindSystemLibStdCxx() is { } libstdcxx && !ElfVersionNeeds.Defines(libstdcxx, ElfVersionNeeds.Glibcxx)
            && ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(path)).Any(n => n.Version == ElfVersionNeeds.Glibcxx && !n.Weak))
        {
            return $"{path} needs {ElfVersionNeeds.Glibcxx}, which {libstdcxx} lacks (GCC 13's libstdc++; Debian 12 and Ubuntu 22.04 have 3.4.30). "
                + "Build the application with Microsoft.ML.RobertaZh.TorchSharp's build targets (automatic with its NuGet package; with a project "
                + "reference, import src/Microsoft.ML.RobertaZh.TorchSharp/build/Microsoft.ML.RobertaZh.TorchSharp.targets): they mark that one "
                + "unused need weak in the output folder's copy. Or install a libstdc++ that has the version.";
        }
        return $"{path} exists but does not load (a missing dependency or another architecture); it needs {CpuPackages}.";
    }

    private static IEnumerable<string> Candidates(string file)
    {
        string baseDir = AppContext.BaseDirectory;
        string runtimes = Path.Combine(baseDir, "runtimes");
        if (Directory.Exists(runtimes))
            foreach (string native in Directory.EnumerateDirectories(runtimes).Select(d => Path.Combine(d, "native")))
                yield return Path.Combine(native, file);
        yield return Path.Combine(baseDir, file);
        yield return Path.Combine(Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? baseDir, file);
    }
}
