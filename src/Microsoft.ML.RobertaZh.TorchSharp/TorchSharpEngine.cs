using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.TorchSharp.Modules;
using Microsoft.ML.RobertaZh.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.RobertaZh.TorchSharp;

/// <summary>
/// The TorchSharp engine: <see cref="TorchBert"/> on a libtorch device, autograd for gradients, and AdamW written with
/// tensor operations so that it has our options (bias correction on or off, decay before or after the update, no decay
/// on biases and LayerNorm weights). Weights, gradients and moments are exchanged in <see cref="Layout"/> order.
/// </summary>
internal sealed partial class TorchSharpEngine : IBertTrainingEngine
{
    private readonly TorchBert _model;
    private readonly Device _device;
    private readonly (ParameterSlice Slice, Parameter Parameter)[] _parameters;
    private readonly Generator _dropoutGenerator;
    private float[] _staging = [];
    private bool _disposed;

    public TorchSharpEngine(BertModel source, Device device, string deviceName)
    {
        Layout = source.Layout;
        _device = device;
        Device = deviceName;
        _model = new TorchBert(Layout);
        if (device.type != DeviceType.CPU) _model.to(device);
        // The module tree and the layout name the same tensors: checked here, so the two can never drift apart.
        var byName = _model.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        var mismatch = new HashSet<string>(byName.Keys, StringComparer.Ordinal);
        mismatch.SymmetricExceptWith(Layout.Slices.Select(s => s.Name));
        if (mismatch.Count > 0)
            throw new InvalidOperationException($"The TorchSharp module's parameters do not match the layout: {string.Join(", ", mismatch.Order(StringComparer.Ordinal))}.");
        _parameters = [.. Layout.Slices.Select(s => (s, byName[s.Name]))];
        _dropoutGenerator = new Generator(0, device);
        ImportParameters(source.Parameters);
        DropoutSeed = source.DropoutSeed;
        TrainingPasses = source.TrainingPasses;
    }

    public EngineKind Kind => EngineKind.TorchSharp;

    public string Device { get; }

    public BertParameterLayout Layout { get; }

    public long ParameterCount => Layout.Count;

    public bool DropoutEnabled { get; set; } = true;

    public ulong DropoutSeed { get; set; }

    public long TrainingPasses { get; set; }

    public BertOutput Forward(BertBatch batch, int[]? maskedLmRows = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Validate(Layout.Config);
        if (maskedLmRows is not null) ManagedRows(maskedLmRows, batch);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (ids, types, mask) = Inputs(batch);
        var last = _model.Encode(ids, types, mask, TorchBert.Dropout.None);
        var heads = Layout.Heads;
        float[]? pooled = null, logits = null, logProbs = null;
        if (heads.Pooler)
        {
            var p = _model.Pool(last);
            pooled = ToArray(p);
            if (heads.NumLabels > 0) logits = ToArray(_model.Classify(p, TorchBert.Dropout.None));
        }
        if (maskedLmRows is { Length: > 0 } && heads.MaskedLm)
            logProbs = ToArray(F.log_softmax(_model.MaskedLmLogits(last, Rows(maskedLmRows)), 1));
        else if (maskedLmRows is { Length: 0 } && heads.MaskedLm)
            logProbs = [];
        return new BertOutput
        {
            Batch = batch.Batch, SeqLen = batch.SeqLen, LastHiddenState = ToArray(last), PoolerOutput = pooled, Logits = logits,
            MaskedLmLogProbabilities = logProbs,
        };
    }

    public BertLoss Evaluate(BertBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Validate(Layout.Config);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return Losses(batch, TorchBert.Dropout.None).Loss;
    }

    public BertLoss ForwardBackward(BertBatch batch, float lossScale = 1f)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Validate(Layout.Config);
        var heads = Layout.Heads;
        if (batch.MaskedLmLabels is not null && !heads.MaskedLm) throw new InvalidOperationException("The batch has masked-LM labels but the model has no masked-LM head.");
        if (batch.ClassLabels is not null && heads.NumLabels == 0) throw new InvalidOperationException("The batch has class labels but the model has no classification head.");
        if (batch.MaskedLmLabels is null && batch.ClassLabels is null) throw new ArgumentException("The batch has no labels to train on.", nameof(batch));
        // Dropout masks come from the engine's own generator, reseeded from (seed, pass) so a resumed run repeats them.
        var drop = DropoutEnabled ? _model.TrainingDropout(_dropoutGenerator) : TorchBert.Dropout.None;
        long pass = TrainingPasses++;
        if (DropoutEnabled) Reseed(DropoutSeed, pass);
        using var scope = NewDisposeScope();
        var (loss, total) = Losses(batch, drop);
        if (total is not null) (total * lossScale).backward();
        return loss;
    }

    /// <summary>The heads' mean cross-entropies (summed into Total), counts and correct masked-LM predictions.</summary>
    private (BertLoss Loss, Tensor? Total) Losses(BertBatch batch, TorchBert.Dropout drop)
    {
        var heads = Layout.Heads;
        var (ids, types, mask) = Inputs(batch);
        var last = _model.Encode(ids, types, mask, drop);
        Tensor? total = null;
        float mlm = 0, cls = 0;
        int mlmCount = 0, correct = 0, clsCount = 0;
        if (batch.MaskedLmLabels is { } labels && heads.MaskedLm)
        {
            int[] rows = [.. Enumerable.Range(0, labels.Length).Where(i => labels[i] != -100)];
            if (rows.Length > 0)
            {
                var logits = _model.MaskedLmLogits(last, Rows(rows));
                var targets = Rows([.. rows.Select(i => labels[i])]);
                var loss = F.cross_entropy(logits, targets);
                mlm = loss.item<float>();
                mlmCount = rows.Length;
                correct = (int)logits.argmax(1).eq(targets).sum().item<long>();
                total = loss;
            }
        }
        if (batch.ClassLabels is { } classes && heads.NumLabels > 0)
        {
            for (int b = 0; b < classes.Length; b++)
                if (classes[b] != -100 && (uint)classes[b] >= (uint)heads.NumLabels)
                    throw new ArgumentException($"Class label {classes[b]} of sequence {b} is outside [0, {heads.NumLabels}).", nameof(batch));
            clsCount = classes.Count(l => l != -100);
            if (clsCount > 0)
            {
                var logits = _model.Classify(_model.Pool(last), drop);
                var loss = F.cross_entropy(logits, Rows(classes)); // ignore_index −100, mean over the rest
                cls = loss.item<float>();
                total = total is null ? loss : total + loss;
            }
        }
        return (new BertLoss(mlm + cls, mlm, mlmCount, correct, cls, clsCount), total);
    }

    public void ZeroGradients()
    {
        using var noGrad = no_grad();
        foreach (var (_, p) in _parameters) p.grad?.zero_();
    }

    public void ExportParameters(Span<float> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        foreach (var (slice, p) in _parameters) Copy(p, destination.Slice(slice.Offset, slice.Length));
    }

    public void ImportParameters(ReadOnlySpan<float> source)
    {
        CheckLength(source.Length, nameof(source));
        using var noGrad = no_grad();
        foreach (var (slice, p) in _parameters) Load(p, source.Slice(slice.Offset, slice.Length));
        _staging = [];
    }

    public void ExportGradients(Span<float> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        foreach (var (slice, p) in _parameters)
        {
            if (p.grad is { } g) Copy(g, destination.Slice(slice.Offset, slice.Length));
            else destination.Slice(slice.Offset, slice.Length).Clear();
        }
    }

    public void Save(string directory, string? vocabularyPath = null)
    {
        var parameters = new float[Layout.Count];
        ExportParameters(parameters);
        var copy = new BertModel(Layout, parameters);
        copy.Save(directory, vocabularyPath);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        DisposeOptimizer();
        _dropoutGenerator.Dispose();
        _model.Dispose();
    }

    private (Tensor Ids, Tensor Types, Tensor Mask) Inputs(BertBatch batch)
    {
        long[] shape = [batch.Batch, batch.SeqLen];
        return (Long(batch.InputIds, shape), Long(batch.TokenTypeIds, shape), Long(batch.AttentionMask, shape));
    }

    private Tensor Rows(int[] values) => Long(values, [values.Length]);

    private Tensor Long(int[] values, long[] shape)
    {
        var longs = new long[values.Length];
        for (int i = 0; i < values.Length; i++) longs[i] = values[i];
        var t = tensor(longs, shape);
        return _device.type == DeviceType.CPU ? t : t.to(_device);
    }

    private static float[] ToArray(Tensor t)
    {
        using var cpu = t.detach().cpu().contiguous();
        return cpu.data<float>().ToArray();
    }

    private static void Copy(Tensor t, Span<float> destination)
    {
        using var cpu = t.detach().cpu().contiguous();
        cpu.data<float>().CopyTo(destination);
    }

    // Values reach libtorch through one reused staging array that a tensor borrows (frombuffer, no copy), rather than
    // through torch.tensor(values.ToArray()), which would hold two extra copies of each tensor at once.
    private void Load(Tensor target, ReadOnlySpan<float> values)
    {
        if (_staging.Length < values.Length) _staging = new float[values.Length];
        values.CopyTo(_staging);
        using var flat = frombuffer(_staging, ScalarType.Float32, values.Length);
        using var shaped = flat.view(target.shape);
        target.copy_(shaped);
    }

    private void CheckLength(int length, string name)
    {
        if (length != Layout.Count) throw new ArgumentException($"Expected {Layout.Count} parameters; got {length}.", name);
    }

    private static void ManagedRows(int[] rows, BertBatch batch)
    {
        int n = batch.Batch * batch.SeqLen;
        foreach (int r in rows)
            if ((uint)r >= (uint)n) throw new ArgumentOutOfRangeException(nameof(rows), r, $"Masked-LM row {r} is outside the batch's {n} token rows.");
    }

    private void Reseed(ulong seed, long pass)
    {
        // SplitMix64 of (seed, pass): well-spread 63-bit seeds for consecutive passes.
        ulong z = seed + (0x9E3779B97F4A7C15UL * (ulong)(pass + 1));
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        long mixed = (long)((z ^ (z >> 31)) & long.MaxValue);
        _dropoutGenerator.manual_seed(mixed);
    }
}
