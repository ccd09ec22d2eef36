using System.Runtime.Intrinsics;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Training;

/// <summary>
/// AdamW over flat parameter, gradient and moment arrays (one pass per tensor range), with the semantics of
/// torch.optim.AdamW (decoupled decay p ← p·(1 − lr·wd) before the update; bias correction optional).
/// </summary>
public sealed class AdamW
{
    private readonly (int Offset, int Length, bool Decay)[] _ranges;

    /// <summary>The first moments, laid out like the parameters.</summary>
    public float[] FirstMoment { get; }

    /// <summary>The second moments, laid out like the parameters.</summary>
    public float[] SecondMoment { get; }

    /// <summary>Hyper-parameters.</summary>
    public AdamWOptions Options { get; }

    /// <summary>Optimizer steps taken so far (torch's <c>state['step']</c>); restored when resuming.</summary>
    public long Step { get; set; }

    /// <summary>An optimizer for the parameters of <paramref name="layout"/>; decay follows each tensor's <see cref="ParameterSlice.WeightDecay"/>.</summary>
    public AdamW(BertParameterLayout layout, AdamWOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Options = options ?? new AdamWOptions();
        Options.Validate();
        // Merge neighbouring tensors with the same decay flag into long ranges.
        var ranges = new List<(int Offset, int Length, bool Decay)>();
        foreach (var s in layout.Slices)
        {
            if (ranges.Count > 0 && ranges[^1].Decay == s.WeightDecay && ranges[^1].Offset + ranges[^1].Length == s.Offset)
                ranges[^1] = (ranges[^1].Offset, ranges[^1].Length + s.Length, s.WeightDecay);
            else
                ranges.Add((s.Offset, s.Length, s.WeightDecay));
        }
        _ranges = [.. ranges];
        FirstMoment = new float[layout.Count];
        SecondMoment = new float[layout.Count];
    }

    /// <summary>One update of <paramref name="parameters"/> from <paramref name="gradients"/> at learning rate <paramref name="learningRate"/>.</summary>
    public void Update(float[] parameters, float[] gradients, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(gradients);
        if (parameters.Length != FirstMoment.Length || gradients.Length != FirstMoment.Length)
            throw new ArgumentException($"Parameter and gradient arrays must have {FirstMoment.Length} elements.");
        Step++;
        var o = Options;
        // torch: step_size = lr / (1 − β1ᵗ); denom = √v / √(1 − β2ᵗ) + ε. Without correction both factors are 1.
        double bc1 = o.BiasCorrection ? 1 - Math.Pow(o.Beta1, Step) : 1;
        double bc2 = o.BiasCorrection ? 1 - Math.Pow(o.Beta2, Step) : 1;
        var k = new Constants((float)(learningRate / bc1), (float)(1 / Math.Sqrt(bc2)), o.Beta1, o.Beta2, o.Epsilon);
        foreach (var (offset, length, decay) in _ranges)
        {
            float decayFactor = decay ? 1f - learningRate * o.WeightDecay : 1f;
            UpdateRange(parameters.AsSpan(offset, length), gradients.AsSpan(offset, length),
                FirstMoment.AsSpan(offset, length), SecondMoment.AsSpan(offset, length), k, decayFactor, o.DecayAfterUpdate);
        }
    }

    private readonly record struct Constants(float StepSize, float InvSqrtBc2, float Beta1, float Beta2, float Eps);

    private static void UpdateRange(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Constants k, float decayFactor, bool decayAfter)
    {
        float b1 = k.Beta1, b2 = k.Beta2, c1 = 1 - b1, c2 = 1 - b2;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vb1 = Vector256.Create(b1); var vb2 = Vector256.Create(b2);
            var vc1 = Vector256.Create(c1); var vc2 = Vector256.Create(c2);
            var vStep = Vector256.Create(k.StepSize); var vInv = Vector256.Create(k.InvSqrtBc2);
            var vEps = Vector256.Create(k.Eps); var vDecay = Vector256.Create(decayFactor);
            for (; i <= p.Length - 8; i += 8)
            {
                var gi = Vector256.Create(g.Slice(i, 8));
                var mi = vb1 * Vector256.Create(m.Slice(i, 8)) + vc1 * gi;
                var vi = vb2 * Vector256.Create(v.Slice(i, 8)) + vc2 * gi * gi;
                var pi = Vector256.Create(p.Slice(i, 8));
                if (!decayAfter) pi *= vDecay;
                pi -= vStep * mi / (Vector256.Sqrt(vi) * vInv + vEps);
                if (decayAfter) pi *= vDecay;
                mi.CopyTo(m.Slice(i, 8)); vi.CopyTo(v.Slice(i, 8)); pi.CopyTo(p.Slice(i, 8));
            }
        }
        for (; i < p.Length; i++)
        {
            // The scalar path is the specification of the vector loop above.
            float gi = g[i];
            m[i] = b1 * m[i] + c1 * gi;
            v[i] = b2 * v[i] + c2 * gi * gi;
            float pi = p[i];
            if (!decayAfter) pi *= decayFactor;
            pi -= k.StepSize * m[i] / (MathF.Sqrt(v[i]) * k.InvSqrtBc2 + k.Eps);
            if (decayAfter) pi *= decayFactor;
            p[i] = pi;
        }
    }
}
