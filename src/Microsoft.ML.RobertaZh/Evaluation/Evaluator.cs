namespace Microsoft.ML.RobertaZh.Evaluation;

/// <summary>
/// Computes classification metrics from labels and predicted probabilities, without any model (these entry points),
/// or from a scored data view (the <c>IDataView</c> overloads, also reached through the context's
/// <c>BinaryClassification.Evaluate</c> and <c>MulticlassClassification.Evaluate</c>).
/// </summary>
public static partial class Evaluator
{
    /// <summary>Probabilities are clipped to at least this before taking logs (ML.NET's and sklearn's epsilon).</summary>
    public const double ProbabilityEpsilon = 1e-15;

    /// <summary>
    /// Binary metrics from gold <paramref name="labels"/> (true = positive) and the predicted probabilities of the
    /// positive class. An example is predicted positive when its probability is greater than
    /// <paramref name="threshold"/> (so at 0.5 a tie goes to the negative class, as argmax over [p₀, p₁] does).
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length, are empty, or a probability is outside [0, 1] or NaN.</exception>
    public static BinaryClassificationMetrics EvaluateBinary(IReadOnlyList<bool> labels, IReadOnlyList<float> probabilities, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (labels.Count != probabilities.Count)
            throw new ArgumentException($"{labels.Count} labels but {probabilities.Count} probabilities.", nameof(probabilities));
        if (labels.Count == 0) throw new ArgumentException("Nothing to evaluate: no examples.", nameof(labels));
        int n = labels.Count;
        double tp = 0, fp = 0, tn = 0, fn = 0, logLoss = 0;
        for (int i = 0; i < n; i++)
        {
            double p = probabilities[i];
            if (!(p >= 0 && p <= 1)) throw new ArgumentException($"Probability {i} is {p}; probabilities must be in [0, 1].", nameof(probabilities));
            bool predicted = p > threshold;
            if (labels[i]) { if (predicted) tp++; else fn++; }
            else if (predicted) fp++;
            else tn++;
            logLoss -= Math.Log2(Math.Max(labels[i] ? p : 1 - p, ProbabilityEpsilon));
        }

        double positives = tp + fn, prior = positives / n;
        double entropy = prior is 0 or 1 ? 0 : -((prior * Math.Log2(prior)) + ((1 - prior) * Math.Log2(1 - prior)));
        var (auc, auprc) = RankingAreas(labels, probabilities);
        var matrix = new ConfusionMatrix([[tp, fn], [fp, tn]], ["positive", "negative"], isBinary: true);
        return new BinaryClassificationMetrics((tp + tn) / n, auc, auprc, logLoss / n, entropy, matrix, n);
    }

    /// <summary>
    /// Both ranking areas in one pass over the examples sorted by score, highest first, one curve point per distinct
    /// score: ROC by the trapezoid rule, PR as average precision.
    /// </summary>
    private static (double Auc, double Auprc) RankingAreas(IReadOnlyList<bool> labels, IReadOnlyList<float> scores)
    {
        int n = labels.Count;
        var order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (a, b) => scores[b].CompareTo(scores[a]));
        double totalPos = labels.Count(l => l), totalNeg = n - totalPos;
        double tp = 0, fp = 0, auc = 0, ap = 0;
        for (int i = 0; i < n;)
        {
            double prevTp = tp, prevFp = fp;
            float s = scores[order[i]];
            for (; i < n && scores[order[i]] == s; i++)
            {
                if (labels[order[i]]) tp++;
                else fp++;
            }

            // Trapezoid between (prevFp, prevTp) and (fp, tp): a tied group with both classes contributes a diagonal.
            auc += (fp - prevFp) * (tp + prevTp) / 2;
            if (totalPos > 0) ap += (tp - prevTp) / totalPos * (tp / (tp + fp));
        }

        return (totalPos > 0 && totalNeg > 0 ? auc / (totalPos * totalNeg) : double.NaN, totalPos > 0 ? ap : double.NaN);
    }

    /// <summary>
    /// Multiclass metrics from gold class indexes (0-based) and per-example class probabilities (each array holds one
    /// probability per class; the prediction is the first highest). <paramref name="topK"/> &gt; 0 also computes top-k
    /// accuracies for k = 1..topK. <paramref name="classNames"/> names the classes in tables (default "0", "1", ...).
    /// <paramref name="priorProbabilities"/>, when given (for example the training label frequencies), is the prior of
    /// <see cref="MulticlassClassificationMetrics.LogLossReduction"/>; by default the evaluated labels' frequencies are.
    /// </summary>
    /// <exception cref="ArgumentException">Mismatched lengths, a label outside [0, classes), or score arrays of different lengths.</exception>
    public static MulticlassClassificationMetrics EvaluateMulticlass(IReadOnlyList<int> labels, IReadOnlyList<float[]> scores, int topK = 0,
        IReadOnlyList<string>? classNames = null, IReadOnlyList<double>? priorProbabilities = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(scores);
        if (labels.Count != scores.Count) throw new ArgumentException($"{labels.Count} labels but {scores.Count} score vectors.", nameof(scores));
        if (labels.Count == 0) throw new ArgumentException("Nothing to evaluate: no examples.", nameof(labels));
        int n = labels.Count, k = scores[0]?.Length ?? 0;
        if (k < 2) throw new ArgumentException($"Score vectors need one probability per class (at least 2); the first has {k}.", nameof(scores));
        if (classNames is not null && classNames.Count != k) throw new ArgumentException($"{classNames.Count} class names for {k} classes.", nameof(classNames));
        if (priorProbabilities is not null && priorProbabilities.Count != k) throw new ArgumentException($"{priorProbabilities.Count} prior probabilities for {k} classes.", nameof(priorProbabilities));
        ArgumentOutOfRangeException.ThrowIfNegative(topK);
        topK = Math.Min(topK, k);

        var counts = new double[k][];
        for (int c = 0; c < k; c++) counts[c] = new double[k];
        var classLogLoss = new double[k];
        var topKHits = new long[topK];
        double logLoss = 0;
        for (int i = 0; i < n; i++)
        {
            var s = scores[i] ?? throw new ArgumentException($"Score vector {i} is null.", nameof(scores));
            if (s.Length != k) throw new ArgumentException($"Score vector {i} has {s.Length} entries; the first has {k}.", nameof(scores));
            int label = labels[i];
            if ((uint)label >= (uint)k) throw new ArgumentException($"Label {i} is {label}; labels must be class indexes in [0, {k}).", nameof(labels));
            int predicted = 0, rank = 0;
            for (int c = 1; c < k; c++) if (s[c] > s[predicted]) predicted = c;
            for (int c = 0; c < k; c++) if (s[c] > s[label] || (s[c] == s[label] && c < label)) rank++;
            counts[label][predicted]++;
            for (int r = rank; r < topK; r++) topKHits[r]++;
            double loss = -Math.Log(Math.Clamp((double)s[label], ProbabilityEpsilon, 1));
            logLoss += loss;
            classLogLoss[label] += loss;
        }

        double micro = 0, macroSum = 0, priorLogLoss = 0;
        int present = 0;
        var perClassLogLoss = new double[k];
        for (int c = 0; c < k; c++)
        {
            double support = counts[c].Sum();
            micro += counts[c][c];
            perClassLogLoss[c] = support > 0 ? classLogLoss[c] / support : double.NaN;
            if (support == 0) continue;
            present++;
            macroSum += counts[c][c] / support;
            double prior = priorProbabilities is null ? support / n : priorProbabilities[c];
            priorLogLoss -= support / n * Math.Log(Math.Clamp(prior, ProbabilityEpsilon, 1));
        }

        var matrix = new ConfusionMatrix(counts, classNames ?? ConfusionMatrix.DefaultNames(k), isBinary: false);
        return new MulticlassClassificationMetrics(micro / n, macroSum / present, logLoss / n, priorLogLoss, perClassLogLoss,
            topK, topKHits.Select(h => (double)h / n).ToArray(), matrix, n);
    }
}
