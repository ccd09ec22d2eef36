using System.Runtime.InteropServices;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// A linear layer's weight (outFeatures, inFeatures) quantized per output channel to signed integers in
/// [−<see cref="MaxWeight"/>, <see cref="MaxWeight"/>] and packed for <see cref="Int8Gemm"/>: wq[o,k] = round(w[o,k] /
/// scale[o]) with scale[o] = max_k |w[o,k]| / <see cref="MaxWeight"/>.
/// </summary>
/// <remarks>
/// Why [−32, 32] (65 levels, a little over 6 bits): without VNNI the u8×s8 products are summed in pairs into 16-bit
/// lanes (vpmaddubsw), and the kernels add two such pair sums (two groups of 4 k) in 16 bits before widening, which
/// saves a quarter of the multiplier instructions. With activation codes in [1, 255] four products are at most
/// 4·255·32 = 32640 &lt; 32767, so nothing ever saturates or wraps, and every kernel (VNNI, AVX-512BW, AVX2, scalar)
/// computes the same exact integer sums (the approach of FBGEMM's and oneDNN's non-VNNI int8 paths, which reduce one
/// operand's range). The activations keep their 8 bits: in trained transformers their per-row range, set by outlier
/// features, is the larger error source. (Measured on the test fixture and fine-tuned classifiers: eval/README.md.)
/// <para>
/// Layout: output channels in panels of <see cref="PanelWidth"/> (16); K rounded up to a multiple of 8 (zero padded);
/// panel p holds, for each group g of 4 consecutive k, 16 channels × 4 bytes (channel-major within the group): byte
/// (p·groups + g)·64 + c·4 + t is wq[16p + c, 4g + t]. So one 64-byte load is one VNNI / vpmaddubsw operand for 16
/// channels, and a 32-byte half covers 8. Channels are padded with zero weights to a multiple of 32 (two panels),
/// the width of the widest kernel tile.
/// </para>
/// </remarks>
internal sealed unsafe class QuantizedWeights : IDisposable
{
    /// <summary>Output channels per packed panel.</summary>
    public const int PanelWidth = 16;

    /// <summary>Largest weight magnitude after quantization (see remarks).</summary>
    public const int MaxWeight = 32;

    private sbyte* _packed;

    /// <summary>Output features (rows of the original weight).</summary>
    public int OutFeatures { get; }

    /// <summary>Input features (columns of the original weight).</summary>
    public int InFeatures { get; }

    /// <summary>InFeatures rounded up to a multiple of 8 (whole pairs of 4-k groups).</summary>
    public int PaddedIn { get; }

    /// <summary>OutFeatures rounded up to a multiple of 32.</summary>
    public int PaddedOut { get; }

    /// <summary>Per-channel dequantization scale, length <see cref="PaddedOut"/> (0 on padding channels).</summary>
    public float[] Scales { get; }

    /// <summary>offset · Σ_k wq[o,k] per channel (<see cref="Int8Gemm.ActivationOffset"/>): removes the offset of the unsigned activations.</summary>
    public int[] Compensation { get; }

    /// <summary>The packed panels, <see cref="PaddedOut"/> · <see cref="PaddedIn"/> bytes, 64-byte aligned.</summary>
    public sbyte* Packed => _packed;

    /// <summary>Quantizes and packs <paramref name="weight"/>, (outFeatures, inFeatures) row-major.</summary>
    public QuantizedWeights(ReadOnlySpan<float> weight, int outFeatures, int inFeatures)
    {
        KernelGuard.Positive(outFeatures, nameof(outFeatures));
        KernelGuard.Positive(inFeatures, nameof(inFeatures));
        KernelGuard.Length(weight.Length, (long)outFeatures * inFeatures, nameof(weight));
        OutFeatures = outFeatures;
        InFeatures = inFeatures;
        PaddedIn = (inFeatures + 7) & ~7;
        PaddedOut = (outFeatures + 31) & ~31;
        Scales = new float[PaddedOut];
        Compensation = new int[PaddedOut];
        nuint bytes = (nuint)PaddedOut * (nuint)PaddedIn;
        _packed = (sbyte*)NativeMemory.AlignedAlloc(bytes, 64);
        NativeMemory.Clear(_packed, bytes);
        int groups = PaddedIn / 4;
        for (int o = 0; o < outFeatures; o++)
        {
            var row = weight.Slice(o * inFeatures, inFeatures);
            float max = 0f;
            foreach (float v in row) max = Math.Max(max, Math.Abs(v));
            float scale = max / MaxWeight;
            float inverse = max > 0f ? MaxWeight / max : 0f;
            Scales[o] = scale;
            int sum = 0;
            sbyte* panel = _packed + (nint)(o / PanelWidth) * groups * 64 + (o % PanelWidth) * 4;
            for (int k = 0; k < inFeatures; k++)
            {
                int q = Math.Clamp((int)MathF.Round(row[k] * inverse, MidpointRounding.ToEven), -MaxWeight, MaxWeight);
                panel[(k / 4) * 64 + (k % 4)] = (sbyte)q;
                sum += q;
            }
            Compensation[o] = Int8Gemm.ActivationOffset * sum;
        }
    }

    /// <summary>The quantized value of weight (o, k), read back from the packed layout (for tests and references).</summary>
    public int this[int o, int k] => _packed[(nint)(o / PanelWidth) * (PaddedIn / 4) * 64 + (k / 4) * 64 + (o % PanelWidth) * 4 + (k % 4)];

    /// <summary>Native bytes held.</summary>
    public long Bytes => (long)PaddedOut * PaddedIn;

    /// <summary>Frees the packed panels.</summary>
    public void Dispose()
    {
        if (_packed != null)
        {
            NativeMemory.AlignedFree(_packed);
            _packed = null;
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the packed panels if <see cref="Dispose"/> was not called.</summary>
    ~QuantizedWeights() => Dispose();
}
