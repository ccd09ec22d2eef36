using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tensors.Kernels;

namespace Microsoft.ML.RobertaZh.Benchmarks;

/// <summary>Times each kernel of one encoder layer on a UER size's shapes, to see where a forward pass spends its time.</summary>
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
        void Time(string name, Action a)
        {
            a(); a();
            var sw = Stopwatch.StartNew(); int reps = 0;
            while (sw.ElapsedMilliseconds < 300) { a(); reps++; }
            Console.WriteLine($"{name,-28} {sw.Elapsed.TotalMilliseconds / reps,9:F3} ms");
        }
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
        return 0;
    }
}
