using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>Which integer micro-kernel <see cref="Int8Gemm"/> runs; <see cref="Auto"/> picks the fastest the CPU supports.</summary>
internal enum Int8Kernel
{
    /// <summary>AVX512-VNNI, else AVX-VNNI, else AVX-512BW, else AVX2, else scalar (or ROBERTAZH_INT8_KERNEL's choice).</summary>
    Auto,
    /// <summary>vpdpbusd on 512-bit vectors (<see cref="Avx512VnniTile"/>: AMD Zen 4, Intel Cascade Lake / Ice Lake and later; Linux x64).</summary>
    Avx512Vnni,
    /// <summary>vpdpbusd on 256-bit vectors (<see cref="AvxVnni"/>: Intel Alder Lake / Sapphire Rapids and later).</summary>
    AvxVnni,
    /// <summary>vpmaddubsw + vpmaddwd on 512-bit vectors (<see cref="Avx512BW"/>).</summary>
    Avx512BW,
    /// <summary>vpmaddubsw + vpmaddwd on 256-bit vectors (<see cref="Avx2"/>).</summary>
    Avx2,
    /// <summary>Plain integer loops: the specification and the fallback.</summary>
    Scalar,
}

/// <summary>Called after rows [firstRow, firstRow + rowCount) of the output are final, on the thread that wrote them.</summary>
internal delegate void RowBlockEpilogue(int firstRow, int rowCount);

/// <summary>
/// Dynamically quantized linear layer: output (rows, out) = dequant(q8(input) · wq(weight)ᵀ) + bias, with a per-row
/// activation scale computed on the fly and per-channel weight scales (<see cref="QuantizedWeights"/>).
/// </summary>
/// <remarks>
/// For each row i: s_i = max_k |x[i,k]| / 127, q[i,k] = round_even(x[i,k] · 127 / max) ∈ [−127, 127], stored as
/// u = q + 128 ∈ [1, 255] (<see cref="MaxActivation"/>, <see cref="ActivationOffset"/>). Then acc[i,o] = Σ_k
/// u[i,k]·wq[o,k] exactly in int32, and output[i,o] = float(acc[i,o] − 128·Σ_k wq[o,k]) · (s_i · scale_o) + bias_o
/// (then the quick GELU <see cref="Gelu.ApplyQuick(float)"/> when asked), evaluated in that order with separate
/// (unfused) multiply and add, so every kernel — vector or scalar — gives bit-identical outputs.
/// Rows are processed in blocks of <see cref="RowBlock"/>: each block is quantized into the worker's own buffer and
/// multiplied while it is still in cache, then an optional epilogue (GELU, residual + LayerNorm, ...) runs on it.
/// </remarks>
internal static unsafe partial class Int8Gemm
{
    /// <summary>Rows of one micro-tile.</summary>
    internal const int MR = 6;

    /// <summary>Output channels of one micro-tile (two 16-channel panels).</summary>
    internal const int NR = 32;

    /// <summary>Largest activation magnitude after quantization: q = round_even(x·MaxActivation/max|row|) (8 bits).</summary>
    internal const int MaxActivation = 127;

    /// <summary>Added to q so the activations are unsigned bytes for vpmaddubsw: codes in [1, 2·MaxActivation + 1].</summary>
    internal const int ActivationOffset = MaxActivation + 1;

    /// <summary>Largest activation code (q + offset).</summary>
    internal const int MaxActivationCode = 2 * MaxActivation + 1;

    /// <summary>Rows per parallel task (a multiple of <see cref="MR"/>).</summary>
    internal const int RowBlock = 48;

    /// <summary>
    /// The kernel Auto resolves to: the fastest this CPU supports, unless the environment variable ROBERTAZH_INT8_KERNEL
    /// names another (avx512vnni, avxvnni, avx512bw, avx2 or scalar; auto or unset keeps the default).
    /// </summary>
    internal static Int8Kernel DefaultKernel { get; } = ChooseKernel(Environment.GetEnvironmentVariable("ROBERTAZH_INT8_KERNEL"));

    /// <summary>The fastest kernel this CPU supports.</summary>
    internal static Int8Kernel BestKernel =>
        Avx512VnniTile.IsSupported ? Int8Kernel.Avx512Vnni
        : System.Runtime.Intrinsics.X86.AvxVnni.IsSupported ? Int8Kernel.AvxVnni
        : System.Runtime.Intrinsics.X86.Avx512BW.IsSupported ? Int8Kernel.Avx512BW
        : System.Runtime.Intrinsics.X86.Avx2.IsSupported ? Int8Kernel.Avx2
        : Int8Kernel.Scalar;

    /// <summary>The kernel a value of ROBERTAZH_INT8_KERNEL selects (null or blank: <see cref="BestKernel"/>); a clear error for anything else.</summary>
    internal static Int8Kernel ChooseKernel(string? text) =>
        KernelChoice.Parse("ROBERTAZH_INT8_KERNEL", text, Int8Kernel.Auto, BestKernel, IsSupported);

    /// <summary>Whether <paramref name="kernel"/> can run on this CPU.</summary>
    internal static bool IsSupported(Int8Kernel kernel) => kernel switch
    {
        Int8Kernel.Avx512Vnni => Avx512VnniTile.IsSupported,
        Int8Kernel.AvxVnni => System.Runtime.Intrinsics.X86.AvxVnni.IsSupported,
        Int8Kernel.Avx512BW => System.Runtime.Intrinsics.X86.Avx512BW.IsSupported,
        Int8Kernel.Avx2 => System.Runtime.Intrinsics.X86.Avx2.IsSupported,
        _ => true,
    };

    /// <summary>
    /// output (rows, weights.OutFeatures) = dequantized q8(input) · wqᵀ + bias, passed through GELU when
    /// <paramref name="gelu"/> (applied to each dequantized vector before it is stored: the values of
    /// <see cref="Gelu.ApplyQuick(float)"/> on the unfused output, within 1e-6·|x| + 3e-7·|gelu(x)| of the exact
    /// GELU); then <paramref name="epilogue"/> per finished row block.
    /// <paramref name="input"/> is (rows, weights.InFeatures); bias is empty or OutFeatures long.
    /// </summary>
    /// <param name="output">(rows, weights.OutFeatures).</param>
    /// <param name="input">(rows, weights.InFeatures).</param>
    /// <param name="weights">The packed weights.</param>
    /// <param name="bias">Empty, or OutFeatures long.</param>
    /// <param name="rows">Rows of input and output.</param>
    /// <param name="epilogue">Called per finished row block, or null.</param>
    /// <param name="kernel">The integer micro-kernel (tests pick one; Auto: the fastest this CPU has).</param>
    /// <param name="gelu">Apply GELU to each output.</param>
    /// <param name="firstColumn">First output channel to compute (a multiple of <see cref="NR"/>); the others are left untouched.</param>
    /// <param name="columns">Output channels to compute from <paramref name="firstColumn"/>; −1 for all the rest.</param>
    public static void Forward(Span<float> output, ReadOnlySpan<float> input, QuantizedWeights weights, ReadOnlySpan<float> bias,
        int rows, RowBlockEpilogue? epilogue = null, Int8Kernel kernel = Int8Kernel.Auto, bool gelu = false, int firstColumn = 0, int columns = -1)
    {
        ArgumentNullException.ThrowIfNull(weights);
        KernelGuard.NonNegative(rows, nameof(rows));
        int n = weights.OutFeatures, k = weights.InFeatures;
        if (columns < 0) columns = n - firstColumn;
        if (firstColumn < 0 || firstColumn % NR != 0 || columns < 0 || firstColumn + columns > n)
            throw new ArgumentOutOfRangeException(nameof(firstColumn), $"Columns [{firstColumn}, {firstColumn + columns}) must lie in [0, {n}) and start at a multiple of {NR}.");
        KernelGuard.Length(input.Length, (long)rows * k, nameof(input));
        KernelGuard.Length(output.Length, (long)rows * n, nameof(output));
        if (!bias.IsEmpty) KernelGuard.Length(bias.Length, n, nameof(bias));
        if (kernel == Int8Kernel.Auto) kernel = DefaultKernel;
        else if (!IsSupported(kernel)) throw new PlatformNotSupportedException($"{kernel} is not supported on this CPU.");
        if (rows == 0) return;

        int blocks = (rows + RowBlock - 1) / RowBlock;
        fixed (float* po = output)
        fixed (float* pi = input)
        fixed (float* pb = bias)
        {
            var job = new Job(po, pi, bias.IsEmpty ? null : pb, weights, rows, kernel, epilogue, gelu, firstColumn, firstColumn + columns);
            if (!KernelParallel.ShouldParallelize((long)rows * columns * k / 64, blocks))
            {
                for (int block = 0; block < blocks; block++) job.Run(block);
            }
            else
            {
                KernelParallel.For(blocks, job.Run);
            }
        }
    }

    /// <summary>
    /// <see cref="Forward"/> on at most <see cref="RowBlock"/> rows, on the calling thread, with no epilogue: for
    /// callers that chain several layers per row block while the rows are in cache. The same values as
    /// <see cref="Forward"/> on those rows (every row is quantized and dequantized on its own).
    /// </summary>
    public static void ForwardBlock(Span<float> output, ReadOnlySpan<float> input, QuantizedWeights weights, ReadOnlySpan<float> bias,
        int rows, Int8Kernel kernel = Int8Kernel.Auto, bool gelu = false)
    {
        ArgumentNullException.ThrowIfNull(weights);
        KernelGuard.NonNegative(rows, nameof(rows));
        if (rows > RowBlock) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"A block has at most {RowBlock} rows.");
        KernelGuard.Length(input.Length, (long)rows * weights.InFeatures, nameof(input));
        KernelGuard.Length(output.Length, (long)rows * weights.OutFeatures, nameof(output));
        if (!bias.IsEmpty) KernelGuard.Length(bias.Length, weights.OutFeatures, nameof(bias));
        if (kernel == Int8Kernel.Auto) kernel = DefaultKernel;
        else if (!IsSupported(kernel)) throw new PlatformNotSupportedException($"{kernel} is not supported on this CPU.");
        if (rows == 0) return;
        fixed (float* po = output)
        fixed (float* pi = input)
        fixed (float* pb = bias)
        {
            RunBlock(po, pi, bias.IsEmpty ? null : pb, weights, rows, kernel, gelu, 0, weights.OutFeatures);
        }
    }

    /// <summary>One call's pointers; a class so the parallel loop can capture it without copying spans.</summary>
    private sealed class Job(float* output, float* input, float* bias, QuantizedWeights weights, int rows, Int8Kernel kernel, RowBlockEpilogue? epilogue, bool gelu,
        int firstColumn, int endColumn)
    {
        public void Run(int block)
        {
            int first = block * RowBlock;
            int count = Math.Min(RowBlock, rows - first);
            RunBlock(output + (nint)first * weights.OutFeatures, input + (nint)first * weights.InFeatures, bias, weights, count, kernel, gelu, firstColumn, endColumn);
            epilogue?.Invoke(first, count);
        }
    }

    /// <summary>
    /// Rows 0 … count − 1 (count ≤ <see cref="RowBlock"/>) of one product, output channels [firstColumn, endColumn): the
    /// rows are quantized into the thread's own buffer, then multiplied tile by tile and dequantized (+ bias, GELU) into
    /// <paramref name="output"/> (row stride OutFeatures).
    /// </summary>
    private static void RunBlock(float* output, float* input, float* bias, QuantizedWeights weights, int count, Int8Kernel kernel, bool gelu, int firstColumn, int endColumn)
    {
        int k = weights.InFeatures, kp = weights.PaddedIn, n = weights.OutFeatures;
        // Rows past `count` (up to a whole tile) are set to the offset value, i.e. q = 0.
        int paddedRows = (count + MR - 1) / MR * MR;
        byte* quantized = Buffers.Activations(RowBlock * kp);
        float* rowScales = Buffers.Scales(RowBlock);
        QuantizeRows(input, count, k, kp, quantized, rowScales);
        new Span<byte>(quantized + (nint)count * kp, (paddedRows - count) * kp).Fill(ActivationOffset);

        int* tile = stackalloc int[MR * NR];
        int groups = kp / 4;
        for (int col = firstColumn; col < endColumn; col += NR)
        {
            sbyte* panels = weights.Packed + (nint)col * kp; // panel col/16 starts at (col/16)·groups·64 = col·kp bytes
            int nr = Math.Min(NR, endColumn - col);
            for (int r = 0; r < count; r += MR)
            {
                byte* a = quantized + (nint)r * kp;
                switch (kernel)
                {
                    case Int8Kernel.Avx512Vnni: Avx512VnniTile.Run(groups, a, kp, panels, tile); break;
                    case Int8Kernel.AvxVnni: TileAvxVnni(groups, a, kp, panels, tile); break;
                    case Int8Kernel.Avx512BW: TileAvx512BW(groups, a, kp, panels, tile); break;
                    case Int8Kernel.Avx2: TileAvx2(groups, a, kp, panels, tile); break;
                    default: TileScalar(groups, a, kp, panels, tile); break;
                }
                int mr = Math.Min(MR, count - r);
                StoreTile(tile, mr, nr, rowScales + r, weights, col, bias, output + (nint)r * n + col, n, gelu);
            }
        }
    }

    /// <summary>
    /// Quantizes <paramref name="count"/> rows of <paramref name="k"/> floats to u8 = round_even(x·127/max|row|) + 128
    /// (stride <paramref name="kp"/>, padding columns set to 128, i.e. q = 0) and writes each row's scale max|row|/127.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void QuantizeRows(float* input, int count, int k, int kp, byte* quantized, float* scales)
    {
        for (int r = 0; r < count; r++)
        {
            float* x = input + (nint)r * k;
            byte* q = quantized + (nint)r * kp;
            float max = MaxAbs(x, k);
            float inverse = max > 0f ? MaxActivation / max : 0f;
            scales[r] = max / MaxActivation;
            int i = 0;
            if (Avx512F.IsSupported)
            {
                var inv = Vector512.Create(inverse);
                var offset = Vector512.Create(ActivationOffset);
                for (; i + 16 <= k; i += 16)
                {
                    // vcvtps2dq rounds to nearest even (the MXCSR default), as MathF.Round below; vpmovdb keeps the
                    // low byte of q + 128 ∈ [1, 255].
                    var code = Avx512F.ConvertToVector512Int32(Vector512.Load(x + i) * inv) + offset;
                    Avx512F.ConvertToVector128Byte(code.AsUInt32()).Store(q + i);
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                var inv = Vector256.Create(inverse);
                for (; i + 16 <= k; i += 16)
                {
                    // Round to nearest even (as MathF.Round below), then narrow 32 → 16 → 8 bits; |q| ≤ 127 so no bits are lost.
                    var q0 = Vector256.ConvertToInt32(Vector256.Round(Vector256.Load(x + i) * inv));
                    var q1 = Vector256.ConvertToInt32(Vector256.Round(Vector256.Load(x + i + 8) * inv));
                    var s16 = Vector256.Narrow(q0, q1);                        // 16 shorts, order kept
                    var s8 = Vector128.Narrow(s16.GetLower(), s16.GetUpper()); // 16 sbytes
                    (s8.AsByte() + Vector128.Create((byte)ActivationOffset)).Store(q + i);  // q + 128 as unsigned (wraps exactly)
                }
            }
            for (; i < k; i++) q[i] = (byte)((int)MathF.Round(x[i] * inverse, MidpointRounding.ToEven) + ActivationOffset);
            for (; i < kp; i++) q[i] = ActivationOffset;
        }
    }

    /// <summary>max_k |x[k]|: NaN when some x[k] is NaN (Vector.Max and Math.Max propagate it), 0 for an empty row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float MaxAbs(float* x, int k)
    {
        int i = 0;
        float max = 0f;
        if (Vector512.IsHardwareAccelerated && k >= 16)
        {
            var m = Vector512<float>.Zero;
            for (; i + 16 <= k; i += 16) m = Vector512.Max(m, Vector512.Abs(Vector512.Load(x + i)));
            var m8 = Vector256.Max(m.GetLower(), m.GetUpper());
            var m4 = Vector128.Max(m8.GetLower(), m8.GetUpper());
            max = Math.Max(Math.Max(m4[0], m4[1]), Math.Max(m4[2], m4[3]));
        }
        else if (Vector256.IsHardwareAccelerated && k >= 8)
        {
            var m = Vector256<float>.Zero;
            for (; i + 8 <= k; i += 8) m = Vector256.Max(m, Vector256.Abs(Vector256.Load(x + i)));
            var m4 = Vector128.Max(m.GetLower(), m.GetUpper());
            max = Math.Max(Math.Max(m4[0], m4[1]), Math.Max(m4[2], m4[3]));
        }
        for (; i < k; i++) max = Math.Max(max, Math.Abs(x[i]));
        return max;
    }

    /// <summary>
    /// Dequantizes the valid mr×nr corner of an int32 tile (row stride NR) into C, adding the bias and, when
    /// <paramref name="gelu"/>, applying GELU: 16 lanes, 8 lanes or one at a time with the same operations per element.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTile(int* tile, int mr, int nr, float* rowScales, QuantizedWeights w, int col, float* bias, float* c, int ldc, bool gelu)
    {
        fixed (float* ws = w.Scales)
        fixed (int* comp = w.Compensation)
        {
            for (int r = 0; r < mr; r++)
            {
                int* acc = tile + r * NR;
                float* dst = c + (nint)r * ldc;
                float rowScale = rowScales[r];
                int j = 0;
                if (Vector512.IsHardwareAccelerated)
                {
                    var vs = Vector512.Create(rowScale);
                    for (; j + 16 <= nr; j += 16)
                    {
                        var v = Vector512.ConvertToSingle(Vector512.Load(acc + j) - Vector512.Load(comp + col + j)) * (vs * Vector512.Load(ws + col + j));
                        if (bias != null) v += Vector512.Load(bias + col + j);
                        if (gelu) v = Gelu.ApplyQuick(v);
                        v.Store(dst + j);
                    }
                }
                if (Vector256.IsHardwareAccelerated)
                {
                    var vs = Vector256.Create(rowScale);
                    for (; j + 8 <= nr; j += 8)
                    {
                        var v = Vector256.ConvertToSingle(Vector256.Load(acc + j) - Vector256.Load(comp + col + j)) * (vs * Vector256.Load(ws + col + j));
                        if (bias != null) v += Vector256.Load(bias + col + j);
                        if (gelu) v = Gelu.ApplyQuick(v);
                        v.Store(dst + j);
                    }
                }
                for (; j < nr; j++)
                {
                    float v = (float)(acc[j] - comp[col + j]) * (rowScale * ws[col + j]);
                    if (bias != null) v += bias[col + j];
                    dst[j] = gelu ? Gelu.ApplyQuick(v) : v;
                }
            }
        }
    }

    /// <summary>Per-thread aligned scratch for one row block, grown on demand and kept (like Gemm's packing buffers).</summary>
    private static class Buffers
    {
        [ThreadStatic] private static nint t_activations;
        [ThreadStatic] private static int t_activationsLength;
        [ThreadStatic] private static float[]? t_scales;

        public static byte* Activations(int length)
        {
            if (length > t_activationsLength)
            {
                if (t_activations != 0) NativeMemory.AlignedFree((void*)t_activations);
                t_activations = (nint)NativeMemory.AlignedAlloc((nuint)length, 64);
                t_activationsLength = length;
            }
            return (byte*)t_activations;
        }

        public static float* Scales(int length)
        {
            if (t_scales is null || t_scales.Length < length) t_scales = GC.AllocateArray<float>(length, pinned: true);
            return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(t_scales));
        }
    }
}
