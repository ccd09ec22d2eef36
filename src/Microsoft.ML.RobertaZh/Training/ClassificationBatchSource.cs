using System.Globalization;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Training;

/// <summary>
/// Epochs over tokenized classification examples for <see cref="TrainingLoop"/>, as UER's run_classifier does: a fresh
/// seeded shuffle every epoch (unless turned off), consecutive slices as batches, the last one partial; each batch
/// padded to its longest example. The position "epoch,offset" makes a resumed run see the same batches.
/// </summary>
public sealed class ClassificationBatchSource : ITrainingBatchSource
{
    private readonly IReadOnlyList<ClassificationExample> _examples;
    private readonly int _batchSize;
    private readonly bool _shuffle;
    private readonly int _seed;
    private readonly int _padId;
    private int[] _order = [];
    private int _orderEpoch = -1;
    private int _epoch, _offset;

    /// <summary>Batches of <paramref name="batchSize"/> examples; <paramref name="padTokenId"/> fills the padding.</summary>
    public ClassificationBatchSource(IReadOnlyList<ClassificationExample> examples, int batchSize, bool shuffle, int seed, int padTokenId = 0)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0) throw new ArgumentException("There are no training examples.", nameof(examples));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        _examples = examples;
        _batchSize = batchSize;
        _shuffle = shuffle;
        _seed = seed;
        _padId = padTokenId;
    }

    /// <summary>Batches per epoch (the last may be partial).</summary>
    public int BatchesPerEpoch => (_examples.Count + _batchSize - 1) / _batchSize;

    /// <inheritdoc/>
    public double Epoch => _epoch + (double)_offset / _examples.Count;

    /// <inheritdoc/>
    public BertBatch NextBatch()
    {
        var order = Order(_epoch);
        int count = Math.Min(_batchSize, _examples.Count - _offset);
        var batch = Build([.. order.AsSpan(_offset, count).ToArray().Select(i => _examples[i])], _padId);
        _offset += count;
        if (_offset == _examples.Count) { _epoch++; _offset = 0; }
        return batch;
    }

    /// <summary>Pads examples into one batch with class labels (labels of -1 become -100, ignored).</summary>
    public static BertBatch Build(IReadOnlyList<ClassificationExample> examples, int padTokenId)
    {
        ArgumentNullException.ThrowIfNull(examples);
        int seqLen = examples.Max(e => e.InputIds.Length), n = examples.Count * seqLen;
        var ids = new int[n];
        var types = new int[n];
        var mask = new int[n];
        if (padTokenId != 0) Array.Fill(ids, padTokenId);
        for (int b = 0; b < examples.Count; b++)
        {
            var e = examples[b];
            e.InputIds.CopyTo(ids, b * seqLen);
            e.TokenTypeIds.CopyTo(types, b * seqLen);
            mask.AsSpan(b * seqLen, e.InputIds.Length).Fill(1);
        }
        return new BertBatch(examples.Count, seqLen, ids, types, mask) { ClassLabels = [.. examples.Select(e => e.Label < 0 ? -100 : e.Label)] };
    }

    /// <inheritdoc/>
    public string SavePosition() => string.Create(CultureInfo.InvariantCulture, $"{_epoch},{_offset}");

    /// <inheritdoc/>
    public void RestorePosition(string position)
    {
        ArgumentNullException.ThrowIfNull(position);
        var parts = position.Split(',');
        if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out int epoch) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int offset)
            || epoch < 0 || offset < 0 || offset >= _examples.Count)
            throw new FormatException($"'{position}' is not a position of this training set (epoch,offset with offset < {_examples.Count}).");
        (_epoch, _offset) = (epoch, offset);
    }

    private int[] Order(int epoch)
    {
        if (_orderEpoch == epoch) return _order;
        _order = [.. Enumerable.Range(0, _examples.Count)];
        // Each epoch's permutation depends only on (seed, epoch), so a resumed run reshuffles identically.
        if (_shuffle) new Random(unchecked(_seed * 1_000_003 + epoch * 7_919 + 0x5eed)).Shuffle(_order);
        _orderEpoch = epoch;
        return _order;
    }
}
