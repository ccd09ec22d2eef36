using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Pretraining;

/// <summary>Settings of <see cref="MlmBatcher"/>.</summary>
public sealed record MlmBatcherOptions
{
    /// <summary>Seed of the epoch orders and of dynamic masks; null for the dataset's seed.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Masking; null for the dataset's. Stored static masks are used when the dataset has them and this is not dynamic.</summary>
    public MaskingOptions? Masking { get; init; }

    /// <summary>Shuffle each epoch (a seeded permutation per epoch); false keeps dataset order (for held-out evaluation).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Pad every batch to this length; null pads to the longest instance of the batch.</summary>
    public int? FixedLength { get; init; }

    /// <summary>Round the padded length up to a multiple of this.</summary>
    public int PadToMultipleOf { get; init; } = 1;
}

/// <summary>
/// Turns a <see cref="PretrainingDataset"/> into masked-language-model batches. Epoch e visits the instances in a
/// permutation drawn from (seed, e); dynamic masks come from (seed, e, instance), so any batch can be rebuilt from its
/// <see cref="DataPosition"/> alone, in any order and on any thread. Thread-safe.
/// </summary>
public sealed class MlmBatcher
{
    private readonly PretrainingDataset _dataset;
    private readonly Masker _masker;
    private readonly ulong _seed;
    private readonly bool _static;
    private readonly MlmBatcherOptions _options;
    private readonly Lock _lock = new();
    private (int Epoch, int[] Order)? _permutation;

    /// <summary>Creates a batcher over <paramref name="dataset"/>.</summary>
    public MlmBatcher(PretrainingDataset dataset, MlmBatcherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        _options = options ?? new MlmBatcherOptions();
        if (_options.FixedLength is <= 0) throw new ArgumentException("FixedLength must be positive.", nameof(options));
        if (_options.PadToMultipleOf < 1) throw new ArgumentException("PadToMultipleOf must be >= 1.", nameof(options));
        _dataset = dataset;
        var masking = _options.Masking ?? dataset.Options.Masking;
        _masker = dataset.CreateMasker(masking);
        _seed = _options.Seed ?? dataset.Options.Seed;
        _static = dataset.StaticCopies > 0 && !masking.Dynamic;
    }

    /// <summary>Number of instances per epoch.</summary>
    public int InstanceCount => _dataset.InstanceCount;

    /// <summary>Batches per epoch; the last one is smaller when <paramref name="batchSize"/> does not divide the instance count.</summary>
    public int BatchesPerEpoch(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return (int)(((long)InstanceCount + batchSize - 1) / batchSize);
    }

    /// <summary>Batch <paramref name="batchIndex"/> of epoch <paramref name="epoch"/>.</summary>
    public MlmBatch GetBatch(int epoch, int batchIndex, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(batchIndex, BatchesPerEpoch(batchSize));
        return Next(new DataPosition(epoch, batchIndex * batchSize), batchSize);
    }

    /// <summary>
    /// The batch of up to <paramref name="batchSize"/> instances starting at <paramref name="position"/>; it stops at the
    /// end of the epoch, and its <see cref="MlmBatch.Next"/> is then the start of the next epoch.
    /// </summary>
    public MlmBatch Next(DataPosition position, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(position.Epoch, nameof(position));
        if (InstanceCount == 0) throw new InvalidOperationException("The dataset has no instances.");
        if (position.Offset < 0 || position.Offset >= InstanceCount)
            throw new ArgumentOutOfRangeException(nameof(position), position, $"Offset must be in [0, {InstanceCount}).");
        int count = Math.Min(batchSize, InstanceCount - position.Offset);
        var order = Order(position.Epoch);
        var instances = order.AsSpan(position.Offset, count).ToArray();
        int longest = instances.Max(_dataset.GetLength);
        int seqLen = _options.FixedLength ?? longest;
        if (seqLen < longest) throw new InvalidOperationException($"An instance has {longest} tokens, more than FixedLength {seqLen}.");
        seqLen = (seqLen + _options.PadToMultipleOf - 1) / _options.PadToMultipleOf * _options.PadToMultipleOf;
        var ids = new int[count * seqLen];
        var mask = new int[count * seqLen];
        var labels = new int[count * seqLen];
        Array.Fill(ids, _dataset.PadTokenId);
        Array.Fill(labels, Masker.IgnoreLabel);
        int tokens = 0, predictions = 0;
        for (int b = 0; b < count; b++)
        {
            int instance = instances[b], length = _dataset.GetLength(instance);
            var rowIds = ids.AsSpan(b * seqLen, length);
            var rowLabels = labels.AsSpan(b * seqLen, length);
            predictions += _static
                ? _dataset.GetStaticMask(instance, position.Epoch % _dataset.StaticCopies, rowIds, rowLabels)
                : _masker.Mask(_dataset.GetTokenIds(instance), _dataset.GetWordStarts(instance), rowIds, rowLabels,
                    MaskRandom.ForInstance(_seed, position.Epoch, instance));
            mask.AsSpan(b * seqLen, length).Fill(1);
            tokens += length;
        }
        int nextOffset = position.Offset + count;
        var next = nextOffset == InstanceCount ? new DataPosition(position.Epoch + 1, 0) : position with { Offset = nextOffset };
        var batch = new BertBatch(count, seqLen, ids, null, mask) { MaskedLmLabels = labels };
        return new MlmBatch(batch, position, next, instances, tokens, predictions);
    }

    /// <summary>Batches from <paramref name="start"/> on, endlessly across epochs.</summary>
    public IEnumerable<MlmBatch> GetBatches(DataPosition start, int batchSize)
    {
        for (var position = start; ; )
        {
            var batch = Next(position, batchSize);
            yield return batch;
            position = batch.Next;
        }
    }

    /// <summary>The order in which epoch <paramref name="epoch"/> visits the instances.</summary>
    public IReadOnlyList<int> GetOrder(int epoch) => Order(epoch);

    private int[] Order(int epoch)
    {
        lock (_lock)
        {
            if (_permutation is { } cached && cached.Epoch == epoch) return cached.Order;
            var order = new int[InstanceCount];
            for (int i = 0; i < order.Length; i++) order[i] = i;
            if (_options.Shuffle)
            {
                var random = MaskRandom.ForShuffle(_seed, epoch);
                for (int k = order.Length - 1; k > 0; k--)
                {
                    int j = random.NextInt(k + 1);
                    (order[k], order[j]) = (order[j], order[k]);
                }
            }
            _permutation = (epoch, order);
            return order;
        }
    }
}
