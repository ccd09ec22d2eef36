using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Pretraining;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Masked-LM loss and accuracy on held-out documents with fixed masks (epoch 0, unshuffled), plus the accuracy of always
/// predicting the training data's most frequent ordinary token: the baseline a model must beat. Runs on the training
/// engine.
/// </summary>
internal sealed class HeldOutEvaluator
{
    private readonly List<BertBatch> _batches = [];
    private readonly double _baseline;

    public HeldOutEvaluator(PretrainingDataset train, PretrainingDataset heldOut, int batchSize, ulong seed)
    {
        var batcher = new MlmBatcher(heldOut, new MlmBatcherOptions { Seed = seed, Shuffle = false });
        for (int b = 0; b < batcher.BatchesPerEpoch(batchSize); b++) _batches.Add(batcher.GetBatch(0, b, batchSize).Batch);
        int mostFrequent = MostFrequentToken(train);
        long hits = 0, total = 0;
        foreach (var batch in _batches)
            foreach (int label in batch.MaskedLmLabels!)
            {
                if (label == -100) continue;
                total++;
                if (label == mostFrequent) hits++;
            }
        _baseline = total == 0 ? double.NaN : (double)hits / total;
    }

    /// <summary>The held-out metrics of <paramref name="engine"/>'s current weights (the training engine, in inference mode).</summary>
    public IReadOnlyDictionary<string, double> Evaluate(IBertEngine engine)
    {
        double loss = 0;
        long predicted = 0, correct = 0;
        foreach (var batch in _batches)
        {
            var result = engine.Evaluate(batch);
            loss += result.MaskedLm * result.MaskedLmPredictions;
            predicted += result.MaskedLmPredictions;
            correct += result.MaskedLmCorrect;
        }
        return new Dictionary<string, double>
        {
            ["loss"] = predicted == 0 ? double.NaN : loss / predicted,
            ["mlm_accuracy"] = predicted == 0 ? double.NaN : (double)correct / predicted,
            ["baseline_accuracy"] = _baseline,
            ["predictions"] = predicted,
        };
    }

    private static int MostFrequentToken(PretrainingDataset train)
    {
        var counts = new long[train.VocabSize];
        var specials = new HashSet<int>(train.SpecialTokenIds);
        for (int i = 0; i < train.InstanceCount; i++)
            foreach (int id in train.GetTokenIds(i))
                counts[id]++;
        int best = 0;
        for (int id = 0; id < counts.Length; id++)
            if (!specials.Contains(id) && counts[id] > counts[best]) best = id;
        return best;
    }
}
