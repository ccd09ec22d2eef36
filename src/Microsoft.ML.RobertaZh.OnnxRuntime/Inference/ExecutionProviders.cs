using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Inference;

/// <summary>Turns <see cref="OnnxSessionOptions"/> into ONNX Runtime session options, checking the device first.</summary>
internal static class ExecutionProviders
{
    private const string CudaProvider = "CUDAExecutionProvider";

    public static SessionOptions Create(OnnxSessionOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.IntraOpThreads);
        ArgumentOutOfRangeException.ThrowIfNegative(options.InterOpThreads);
        int? cudaDevice = ParseDevice(options.Device);
        if (cudaDevice is int id) CheckCudaAvailable(options.Device, id);

        var session = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = options.InterOpThreads,
            GraphOptimizationLevel = options.GraphOptimizationLevel,
            ExecutionMode = options.ExecutionMode,
        };
        try
        {
            if (cudaDevice is int device)
            {
                try { session.AppendExecutionProvider_CUDA(device); }
                catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
                {
                    throw new InvalidOperationException(
                        $"Device '{options.Device}': ONNX Runtime's CUDA execution provider could not be started ({e.Message}). " +
                        "It needs an NVIDIA GPU, CUDA 12 and cuDNN 9 libraries on the library path, and the Microsoft.ML.OnnxRuntime.Gpu package.", e);
                }
            }
            options.Configure?.Invoke(session);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Null for the CPU; the CUDA device id for <c>cuda</c> (0) or <c>cuda:N</c>.</summary>
    internal static int? ParseDevice(string device)
    {
        ArgumentException.ThrowIfNullOrEmpty(device);
        string d = device.Trim().ToLowerInvariant();
        if (d == "cpu") return null;
        if (d == "cuda" || d == "gpu") return 0;
        if (d.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(d.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int id))
            return id;
        throw new ArgumentException($"Unknown device '{device}': use cpu, cuda or cuda:N.", nameof(device));
    }

    private static void CheckCudaAvailable(string device, int id)
    {
        var available = OrtEnv.Instance().GetAvailableProviders();
        if (!available.Contains(CudaProvider, StringComparer.Ordinal))
        {
            throw new InvalidOperationException(
                $"Device '{device}' (CUDA device {id}) needs ONNX Runtime's {CudaProvider}, which the loaded onnxruntime library " +
                $"does not have (it has: {string.Join(", ", available)}). Reference the Microsoft.ML.OnnxRuntime.Gpu package " +
                "(version 1.32.0, with CUDA 12 and cuDNN 9 installed) in place of Microsoft.ML.OnnxRuntime, or use device 'cpu'.");
        }
    }
}
