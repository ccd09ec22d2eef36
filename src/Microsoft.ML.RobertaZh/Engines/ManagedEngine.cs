using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tensors.Kernels;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Engines;

/// <summary>
/// The managed engine: <see cref="BertModel"/>'s kernels, <see cref="AdamW"/> and <see cref="GradientClipping"/> behind
/// the engine interface. It trains <see cref="Model"/> in place (no copy of the weights), so results and speed are
/// those of <see cref="BertModel"/> itself. CPU only.
/// </summary>
public sealed class ManagedEngine : IBertTrainingEngine
{
    private AdamW? _optimizer;

    /// <summary>An engine over <paramref name="model"/> (shared, not copied). <paramref name="options"/>' threads, when set, become the kernels' process-wide degree of parallelism.</summary>
    /// <exception cref="EngineUnavailableException">A CUDA device was asked for without <see cref="EngineOptions.FallbackToCpu"/>.</exception>
    public ManagedEngine(BertModel model, EngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= EngineOptions.Default;
        if (options.ParseDevice().Cuda && !options.FallbackToCpu)
            throw new EngineUnavailableException(
                $"The managed engine runs on the CPU only; device '{options.Device}' needs EngineKind.TorchSharp with a CUDA build of libtorch "
                + $"({BertEngines.TorchSharpCudaPackages}), or FallbackToCpu = true.");
        if (options.Threads > 0) KernelParallel.MaxDegreeOfParallelism = options.Threads;
        Model = model;
    }

    /// <summary>An engine over <paramref name="model"/> that steps <paramref name="optimizer"/> (the legacy <see cref="TrainingLoop"/> and <see cref="TrainingCheckpoint"/> signatures).</summary>
    internal ManagedEngine(BertModel model, AdamW optimizer)
        : this(model)
    {
        _optimizer = optimizer;
    }

    /// <summary>The model this engine runs and trains.</summary>
    public BertModel Model { get; }

    /// <summary>The optimizer, once <see cref="OptimizerStep"/> or <see cref="ImportOptimizerState"/> has created it.</summary>
    public AdamW? Optimizer => _optimizer;

    /// <inheritdoc/>
    public EngineKind Kind => EngineKind.Managed;

    /// <inheritdoc/>
    public string Device => "cpu";

    /// <inheritdoc/>
    public BertParameterLayout Layout => Model.Layout;

    /// <inheritdoc/>
    public long ParameterCount => Layout.Count;

    /// <inheritdoc/>
    public bool DropoutEnabled { get => Model.DropoutEnabled; set => Model.DropoutEnabled = value; }

    /// <inheritdoc/>
    public ulong DropoutSeed { get => Model.DropoutSeed; set => Model.DropoutSeed = value; }

    /// <inheritdoc/>
    public long TrainingPasses { get => Model.TrainingPasses; set => Model.TrainingPasses = value; }

    /// <inheritdoc/>
    public BertOutput Forward(BertBatch batch, int[]? maskedLmRows = null)
    {
        var output = Model.Forward(batch);
        if (maskedLmRows is null || !Model.Heads.MaskedLm) return output;
        CheckRows(maskedLmRows, batch);
        return new BertOutput
        {
            Batch = output.Batch, SeqLen = output.SeqLen, LastHiddenState = output.LastHiddenState, PoolerOutput = output.PoolerOutput,
            Logits = output.Logits, MaskedLmLogProbabilities = Model.MaskedLmLogProbabilities(output.LastHiddenState, maskedLmRows),
        };
    }

    /// <inheritdoc/>
    public float[] ForwardLogits(BertBatch batch) => Model.ForwardLogits(batch);

    /// <inheritdoc/>
    public BertLoss Evaluate(BertBatch batch) => Model.Evaluate(batch);

    /// <inheritdoc/>
    public BertLoss ForwardBackward(BertBatch batch, float lossScale = 1f) => Model.ForwardBackward(batch, lossScale);

    /// <inheritdoc/>
    public void ZeroGradients() => Model.ZeroGradients();

    /// <inheritdoc/>
    public double ClipGradients(double maxNorm) =>
        maxNorm > 0 ? GradientClipping.ClipByGlobalNorm(Model.Gradients, maxNorm) : GradientClipping.GlobalNorm(Model.Gradients);

    /// <inheritdoc/>
    public void OptimizerStep(float learningRate, AdamWOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptimizerFor(options).Update(Model.Parameters, Model.Gradients, learningRate);
    }

    /// <inheritdoc/>
    public void ExportParameters(Span<float> destination) => Model.Parameters.AsSpan().CopyTo(Checked(destination));

    /// <inheritdoc/>
    public void ImportParameters(ReadOnlySpan<float> source)
    {
        if (source.Length != Layout.Count) throw new ArgumentException($"Expected {Layout.Count} parameters; got {source.Length}.", nameof(source));
        source.CopyTo(Model.Parameters);
    }

    /// <inheritdoc/>
    public void ExportGradients(Span<float> destination) => Model.Gradients.AsSpan().CopyTo(Checked(destination));

    /// <inheritdoc/>
    public OptimizerState ExportOptimizerState() => _optimizer is { } o
        ? new OptimizerState(o.Step, (float[])o.FirstMoment.Clone(), (float[])o.SecondMoment.Clone())
        : OptimizerState.Empty(Layout.Count);

    /// <inheritdoc/>
    public void ImportOptimizerState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.FirstMoment.Length != Layout.Count || state.SecondMoment.Length != Layout.Count)
            throw new ArgumentException($"The optimizer state has {state.FirstMoment.Length}/{state.SecondMoment.Length} moments; the model has {Layout.Count} parameters.", nameof(state));
        var o = _optimizer ??= new AdamW(Layout);
        state.FirstMoment.CopyTo(o.FirstMoment, 0);
        state.SecondMoment.CopyTo(o.SecondMoment, 0);
        o.Step = state.Step;
    }

    /// <inheritdoc/>
    public void Save(string directory, string? vocabularyPath = null) => Model.Save(directory, vocabularyPath);

    /// <summary>Frees the activation buffers (the model stays usable; they are rebuilt on the next pass).</summary>
    public void Dispose() => Model.ReleaseBuffers();

    /// <summary>Creates the optimizer with <paramref name="options"/> now (keeping any moments), so <see cref="Optimizer"/> is stable from the start of a run.</summary>
    internal void EnsureOptimizer(AdamWOptions options) => OptimizerFor(options);

    // AdamW's options are fixed per instance: a change of options keeps the moments and the step count.
    private AdamW OptimizerFor(AdamWOptions options)
    {
        if (_optimizer is { } current && current.Options == options) return current;
        var next = new AdamW(Layout, options);
        if (_optimizer is { } old)
        {
            old.FirstMoment.CopyTo(next.FirstMoment, 0);
            old.SecondMoment.CopyTo(next.SecondMoment, 0);
            next.Step = old.Step;
        }
        return _optimizer = next;
    }

    private Span<float> Checked(Span<float> destination) => destination.Length == Layout.Count
        ? destination
        : throw new ArgumentException($"The destination has {destination.Length} elements; the model has {Layout.Count} parameters.", nameof(destination));

    internal static void CheckRows(int[] rows, BertBatch batch)
    {
        int n = batch.Batch * batch.SeqLen;
        foreach (int r in rows)
            if ((uint)r >= (uint)n) throw new ArgumentOutOfRangeException(nameof(rows), r, $"Masked-LM row {r} is outside the batch's {n} token rows.");
    }
}
