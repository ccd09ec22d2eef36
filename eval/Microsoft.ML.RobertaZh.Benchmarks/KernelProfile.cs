using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tensors.Kernels;

namespace Microsoft.ML.RobertaZh.Benchmarks;

/// <summary>
/// Times each kernel of one encoder layer on a UER size's shapes, to see where a pass spends its time: the training
/// kernels one by one, then the inference pass's steps as Model/Inference runs them (fused epilogues), in fp32 and int8.
///   profile [size] [batch] [--inference] [--cpu]   (--inference: the inference steps only; --cpu: CPU time)
/// </summary>
internal static class KernelProfile
{
    public static int Run(string[] args)
    {
        string size = args.Length > 0 ? args[0] : "tiny";
        int batch = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32, seq = 128;
        var c = BertConfig.FromPreset(size);
        int n = batch * seq, h = c.HiddenSize, ff = c.IntermediateSize, heads = c.NumAttentionHeads;
        var rng = new Random(1);
        float[] R(int len) { var a = new float[len]; for (int i = 0; i < len; i++) a[i] = (float)(rng.NextDouble() - 0.5); return a; }
        var x = R(n * h); var wqkv = R(3 * h * h); var bqkv = R(3 * h); var qkv = new float[n * 3 * h];
        var probs = new float[batch * heads * seq * seq]; var ctx = new float[n * h]; var mask = new float[n];
        var wo = R(h * h); var bo = R(h); var o1 = new float[n * h]; var wi = R(ff * h); var bi = R(ff); var pre = new float[n * ff]; var act = new float[n * ff];
        var w2 = R(h * ff); var o2 = new float[n * h]; var mean = new float[n]; var rstd = new float[n]; var lnw = R(h); var lnb = R(h); var ln = new float[n * h];
        var dq = new float[n * 3 * h]; var dctx = R(n * h); var dx = new float[n * h]; var dW = new float[3 * h * h]; var dB = new float[3 * h];
        void Time(string name, Action a) => TimeStep(name, a);
        double TimeStep(string name, Action a)
        {
            a(); a();
            // The median of 5 samples of ≥ 60 ms each: steadier than one mean when the machine is shared. With --cpu,
            // process CPU time instead of wall time (with DOTNET_PROCESSOR_COUNT=1: the work itself, even on a busy machine).
            bool cpu = args.Contains("--cpu");
            var process = Process.GetCurrentProcess();
            var samples = new List<double>();
            for (int s = 0; s < 5; s++)
            {
                process.Refresh();
                var cpuStart = process.TotalProcessorTime;
                var sw = Stopwatch.StartNew(); int reps = 0;
                while (sw.ElapsedMilliseconds < 60) { a(); reps++; }
                process.Refresh();
                samples.Add((cpu ? (process.TotalProcessorTime - cpuStart).TotalMilliseconds : sw.Elapsed.TotalMilliseconds) / reps);
            }
            samples.Sort();
            Console.WriteLine($"{name,-28} {samples[2],9:F3} ms");
            return samples[2];
        }
        if (args.Contains("--inference")) goto inference;
        Time("qkv matmul", () => MatMul.Forward(qkv, x, wqkv, bqkv, n, h, 3 * h));
        Time("attention fwd", () => Attention.Forward(ctx, probs, [], qkv, mask, batch, seq, h, heads, 0f, 1, 1));
        Time("attn out matmul", () => MatMul.Forward(o1, ctx, wo, bo, n, h, h));
        Time("add residual", () => System.Numerics.Tensors.TensorPrimitives.Add(o1, x, o1));
        Time("layernorm fwd", () => LayerNorm.Forward(ln, mean, rstd, o1, lnw, lnb, n, h, 1e-12f));
        Time("intermediate matmul", () => MatMul.Forward(pre, ln, wi, bi, n, h, ff));
        Time("gelu fwd", () => Gelu.Forward(act, pre));
        Time("output matmul", () => MatMul.Forward(o2, act, w2, bo, n, ff, h));
        Time("attention bwd", () => { Array.Clear(dq); Attention.Backward(dq, dctx, qkv, probs, [], batch, seq, h, heads, 0f); });
        Time("qkv matmul bwd", () => MatMul.Backward(dx, dW, dB, dq, x, wqkv, n, h, 3 * h));
        Time("layernorm bwd", () => LayerNorm.Backward(dx, lnw, lnb, dctx, o1, lnw, mean, rstd, n, h));
        Time("gelu bwd", () => Gelu.Backward(pre, act, pre));

    inference:
        // The inference pass's steps (Model/Inference/BertInference): fp32 products with fused epilogues, then int8.
        void Fp32(float[] output, float[] input, float[] w, float[] bias, int outF, int inF, RowBlockEpilogue? epilogue) =>
            Gemm.Multiply(false, true, n, outF, inF, input, inF, w, inF, output.AsSpan(0, n * outF), outF, false, bias, true, GemmKernel.Auto, epilogue);
        RowBlockEpilogue ln1 = (first, count) => LayerNorm.AddForwardRows(ln, mean, rstd, o1, x, lnw, lnb, first, count, h, 1e-12f);
        RowBlockEpilogue gelu = (first, count) => Gelu.ApplySerial(act.AsSpan(first * ff, count * ff));
        RowBlockEpilogue ln2 = (first, count) => LayerNorm.AddForwardRows(o2, mean, rstd, o2, ln, lnw, lnb, first, count, h, 1e-12f);
        double total = 0;
        void Step(string name, Action a) => total += TimeStep(name, a);
        Step("fp32 qkv", () => Fp32(qkv, x, wqkv, bqkv, 3 * h, h, null));
        Step("attention (inference)", () => Attention.ForwardInference(ctx, qkv, mask, batch, seq, h, heads));
        Step("fp32 attn out + LN", () => Fp32(o1, ctx, wo, bo, h, h, ln1));
        Step("fp32 intermediate + GELU", () => Fp32(act, ln, wi, bi, ff, h, gelu));
        Step("fp32 output + LN", () => Fp32(o2, act, w2, bo, h, ff, ln2));
        Console.WriteLine($"{"fp32 layer",-28} {total,9:F3} ms");
        // The attention's parts, over every (sequence, head) on the calling thread: scores, softmax rows, context.
        int d = h / heads;
        var scores = new float[seq * seq];
        TimeStep("  attention Q·Kᵀ", () =>
        {
            for (int pair = 0; pair < batch * heads; pair++)
                Gemm.Multiply(false, true, seq, seq, d, qkv.AsSpan((pair / heads) * seq * 3 * h + (pair % heads) * d), 3 * h,
                    qkv.AsSpan((pair / heads) * seq * 3 * h + h + (pair % heads) * d), 3 * h, scores, seq, parallel: false);
        });
        TimeStep("  attention softmax", () =>
        {
            for (int pair = 0; pair < batch * heads; pair++)
                for (int i = 0; i < seq; i++) Softmax.ForwardRow(scores.AsSpan(i * seq, seq), scores.AsSpan(i * seq, seq), mask.AsSpan(0, seq), 0.125f);
        });
        TimeStep("  attention P·V", () =>
        {
            for (int pair = 0; pair < batch * heads; pair++)
                Gemm.Multiply(false, false, seq, d, seq, scores, seq, qkv.AsSpan((pair / heads) * seq * 3 * h + 2 * h + (pair % heads) * d), 3 * h,
                    ctx.AsSpan((pair / heads) * seq * h + (pair % heads) * d), h, parallel: false);
        });
        total = 0;
        using var q1 = new QuantizedWeights(wqkv, 3 * h, h);
        using var q2 = new QuantizedWeights(wo, h, h);
        using var q3 = new QuantizedWeights(wi, ff, h);
        using var q4 = new QuantizedWeights(w2, h, ff);
        Step("int8 qkv", () => Int8Gemm.Forward(qkv, x, q1, bqkv, n));
        Step("attention (inference)", () => Attention.ForwardInference(ctx, qkv, mask, batch, seq, h, heads));
        Step("int8 attn out + LN", () => Int8Gemm.Forward(o1, ctx, q2, bo, n, ln1));
        Step("int8 intermediate + GELU", () => Int8Gemm.Forward(act, ln, q3, bi, n, gelu: true));
        Step("int8 output + LN", () => Int8Gemm.Forward(o2, act, q4, bo, n, ln2));
        Console.WriteLine($"{"int8 layer",-28} {total,9:F3} ms");
        return 0;
    }
}
