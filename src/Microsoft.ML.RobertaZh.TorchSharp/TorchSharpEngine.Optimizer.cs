using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.RobertaZh.TorchSharp;

internal sealed partial class TorchSharpEngine
{
    private Tensor[]? _firstMoment, _secondMoment;
    private long _step;

    /// <summary>torch.nn.utils.clip_grad_norm_ with the L2 norm: the norm of the per-tensor norms; scale by max/(norm + 1e-6) when below 1.</summary>
    public double ClipGradients(double maxNorm)
    {
        using var noGrad = no_grad();
        var grads = _parameters.Select(p => p.Parameter.grad).OfType<Tensor>().ToArray();
        // Per-tensor norms in float32 as torch computes them, their squares summed in float64 (no float64 copy of the gradients).
        double sum = 0;
        foreach (var g in grads)
        {
            using var n = g.norm();
            double v = n.item<float>();
            sum += v * v;
        }
        double norm = Math.Sqrt(sum);
        if (maxNorm > 0)
        {
            double coefficient = maxNorm / (norm + 1e-6);
            if (coefficient < 1)
                foreach (var g in grads) g.mul_(coefficient);
        }
        return norm;
    }

    /// <summary>
    /// torch.optim.AdamW's update with our options, per tensor: m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
    /// p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε), the bias corrections being 1 when turned off; decoupled decay
    /// p ← p·(1 − lr·wd) before the update (torch) or after it (UER, old Hugging Face), on decayed tensors only.
    /// </summary>
    public void OptimizerStep(float learningRate, AdamWOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        EnsureMoments();
        _step++;
        double bc1 = options.BiasCorrection ? 1 - Math.Pow(options.Beta1, _step) : 1;
        double bc2 = options.BiasCorrection ? 1 - Math.Pow(options.Beta2, _step) : 1;
        // Constants rounded to float32 exactly as the managed engine rounds them.
        float stepSize = (float)(learningRate / bc1), invSqrtBc2 = (float)(1 / Math.Sqrt(bc2));
        float b1 = options.Beta1, b2 = options.Beta2;
        using var noGrad = no_grad();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var (slice, p) = _parameters[i];
            using var scope = NewDisposeScope();
            // A tensor no loss reached (the pooler in masked-LM training) has no gradient: a zero one, as in the managed
            // engine, still decays its moments and its weights.
            var g = p.grad ?? zeros_like(p);
            var m = _firstMoment![i];
            var v = _secondMoment![i];
            m.mul_(b1).add_(g, alpha: 1 - b1);
            v.mul_(b2).addcmul_(g, g, value: 1 - b2);
            float decay = slice.WeightDecay ? 1f - learningRate * options.WeightDecay : 1f;
            if (!options.DecayAfterUpdate && decay != 1f) p.mul_(decay);
            var denominator = v.sqrt().mul_(invSqrtBc2).add_(options.Epsilon);
            p.addcdiv_(m, denominator, value: -stepSize);
            if (options.DecayAfterUpdate && decay != 1f) p.mul_(decay);
        }
    }

    public OptimizerState ExportOptimizerState()
    {
        var state = OptimizerState.Empty(Layout.Count);
        if (_firstMoment is null) return state;
        for (int i = 0; i < _parameters.Length; i++)
        {
            var slice = _parameters[i].Slice;
            Copy(_firstMoment[i], state.FirstMoment.AsSpan(slice.Offset, slice.Length));
            Copy(_secondMoment![i], state.SecondMoment.AsSpan(slice.Offset, slice.Length));
        }
        return state with { Step = _step };
    }

    public void ImportOptimizerState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.FirstMoment.Length != Layout.Count || state.SecondMoment.Length != Layout.Count)
            throw new ArgumentException($"The optimizer state has {state.FirstMoment.Length}/{state.SecondMoment.Length} moments; the model has {Layout.Count} parameters.", nameof(state));
        EnsureMoments();
        using var noGrad = no_grad();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var slice = _parameters[i].Slice;
            Load(_firstMoment![i], state.FirstMoment.AsSpan(slice.Offset, slice.Length));
            Load(_secondMoment![i], state.SecondMoment.AsSpan(slice.Offset, slice.Length));
        }
        _staging = [];
        _step = state.Step;
    }

    private void EnsureMoments()
    {
        if (_firstMoment is not null) return;
        _firstMoment = [.. _parameters.Select(p => zeros_like(p.Parameter).detach())];
        _secondMoment = [.. _parameters.Select(p => zeros_like(p.Parameter).detach())];
    }

    private void DisposeOptimizer()
    {
        foreach (var t in _firstMoment ?? []) t.Dispose();
        foreach (var t in _secondMoment ?? []) t.Dispose();
        _firstMoment = _secondMoment = null;
    }
}
