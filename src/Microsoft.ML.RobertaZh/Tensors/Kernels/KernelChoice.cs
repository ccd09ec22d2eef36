namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>Reads a kernel override from an environment variable's value (ROBERTAZH_GEMM_KERNEL, ROBERTAZH_INT8_KERNEL).</summary>
internal static class KernelChoice
{
    /// <summary>
    /// The kernel <paramref name="text"/> names, case-insensitively: null, blank or <paramref name="auto"/> give
    /// <paramref name="best"/>; an unknown name or a number, or a kernel <paramref name="isSupported"/> rejects, throws an
    /// error that names <paramref name="variable"/> and what it accepts.
    /// </summary>
    public static TKernel Parse<TKernel>(string variable, string? text, TKernel auto, TKernel best, Func<TKernel, bool> isSupported)
        where TKernel : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(text)) return best;
        if (!Enum.TryParse(text, ignoreCase: true, out TKernel chosen) || !Enum.IsDefined(chosen) || text.Trim().All(char.IsDigit))
            throw new InvalidOperationException(
                $"{variable}='{text}' is not one of {string.Join(", ", Enum.GetNames<TKernel>().Select(name => name.ToLowerInvariant()))}.");
        if (EqualityComparer<TKernel>.Default.Equals(chosen, auto)) return best;
        if (!isSupported(chosen))
            throw new InvalidOperationException($"{variable}={text}: this machine does not support that kernel (the best it supports is {best}).");
        return chosen;
    }
}
