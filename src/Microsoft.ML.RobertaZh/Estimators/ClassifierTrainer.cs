using System.Globalization;
using Microsoft.ML.RobertaZh.Hosting;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>Validation metrics of one epoch.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Step">Updates done at the end of the epoch.</param>
/// <param name="Accuracy">Validation accuracy.</param>
/// <param name="LogLoss">Validation log-loss (natural log, probabilities clipped at 1e-15).</param>
/// <param name="Seconds">Training seconds of the epoch.</param>
[Display.TypeFormatterSource(typeof(Display.EpochMetricsDisplay), PreferredMimeTypes = ["text/html"])]
public sealed record EpochMetrics(int Epoch, long Step, double Accuracy, double LogLoss, double Seconds);

/// <summary>
/// Fine-tunes a sequence-classification model on tokenized rows with the shared <see cref="TrainingLoop"/>: validation
/// after every epoch (logged to the channel, plotted, passed to the callback), early stopping with the best epoch's
/// weights restored, and a stop between batches when the token fires or ML.NET's cancel flag is set.
/// This is the one place where fine-tuning's training call runs.
/// </summary>
internal static class ClassifierTrainer
{
    /// <summary>Trains <paramref name="model"/>; returns the epochs' validation metrics and whether the run was cancelled (early stopping is not a cancel).</summary>
    public static (IReadOnlyList<EpochMetrics> History, bool Cancelled) Train(RobertaClassifierOptions o, int seed, BertModel model, IReadOnlyList<ClassificationExample[]> trainRows,
        IReadOnlyList<ClassificationExample[]>? validationRows, int padTokenId, string? vocabularyPath, CancellationToken cancellation,
        IHost? host = null, IChannel? channel = null)
    {
        var examples = trainRows.SelectMany(r => r).ToList();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        ITrainingBatchSource source = new ClassificationBatchSource(examples, o.BatchSize, o.Shuffle, seed, padTokenId);
        int batchesPerEpoch = ((ClassificationBatchSource)source).BatchesPerEpoch;
        if (host is not null) source = new CancelAwareBatchSource(source, host, cancel);
        using var link = cancel.Token.Register(stop.Cancel);
        long stepsPerEpoch = (batchesPerEpoch + o.GradientAccumulationSteps - 1) / o.GradientAccumulationSteps;
        long total = o.MaxSteps ?? stepsPerEpoch * o.MaxEpochs;
        if (o.Dropout is float p)
        {
            model.Config.HiddenDropoutProb = p;
            model.Config.AttentionProbsDropoutProb = p;
            model.Config.ClassifierDropout = p;
        }
        var training = new TrainingOptions
        {
            TotalSteps = total, GradientAccumulationSteps = o.GradientAccumulationSteps, LearningRate = o.LearningRate,
            WarmupSteps = o.WarmupSteps, WarmupProportion = o.WarmupRatio, MaxGradNorm = o.ClipNorm,
            Optimizer = new AdamWOptions { Epsilon = o.AdamEpsilon, WeightDecay = o.WeightDecay, BiasCorrection = o.AdamBiasCorrection },
            EvaluateEverySteps = stepsPerEpoch, SaveEverySteps = stepsPerEpoch, OutputDirectory = o.OutputDirectory, Seed = seed,
            LogEverySteps = Math.Max(1, stepsPerEpoch / 20),
        };
        var history = new List<EpochMetrics>();
        float[]? best = null;
        double bestAccuracy = double.NegativeInfinity;
        int sinceBest = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        channel?.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
            $"fine-tuning on {trainRows.Count} rows ({examples.Count} examples), {total} updates of batch {o.BatchSize}, learning rate {o.LearningRate:G3}, seed {seed}"));
        var loop = new TrainingLoop(model, source, training)
        {
            Progress = channel is null ? o.Progress : new ChannelProgress(channel, o.Progress),
            VocabularyPath = vocabularyPath,
            SelectionMetric = validationRows is null ? null : "accuracy",
            Evaluate = validationRows is null ? null : m =>
            {
                double seconds = clock.Elapsed.TotalSeconds;
                var probabilities = ClassifierPredictor.Predict(m, validationRows, o.BatchSize, padTokenId);
                var (accuracy, logLoss) = AccuracyAndLogLoss(probabilities, validationRows);
                var state = history.Count;
                var epoch = new EpochMetrics(state + 1, (state + 1) * stepsPerEpoch, accuracy, logLoss, seconds);
                history.Add(epoch);
                channel?.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
                    $"epoch {epoch.Epoch}: validation accuracy {accuracy:F4}, log-loss {logLoss:F4} ({seconds:F1} s)"));
                o.MetricsCallback?.Invoke(epoch);
                if (accuracy > bestAccuracy)
                {
                    bestAccuracy = accuracy;
                    best = (float[])m.Parameters.Clone();
                    sinceBest = 0;
                }
                else if (o.EarlyStoppingPatience is int patience && ++sinceBest >= patience)
                {
                    stop.Cancel();
                }
                clock.Restart();
                return new Dictionary<string, double> { ["accuracy"] = accuracy, ["loss"] = logLoss };
            },
        };
        loop.Run(stop.Token);
        best?.CopyTo(model.Parameters, 0);
        return (history, cancel.IsCancellationRequested);
    }

    /// <summary>Accuracy and mean negative log-probability of the true class (clipped at 1e-15), over rows with a label.</summary>
    public static (double Accuracy, double LogLoss) AccuracyAndLogLoss(float[][] probabilities, IReadOnlyList<ClassificationExample[]> rows)
    {
        int correct = 0, count = 0;
        double loss = 0;
        for (int r = 0; r < rows.Count; r++)
        {
            int label = rows[r][0].Label;
            if (label < 0) continue;
            var p = probabilities[r];
            int predicted = Array.IndexOf(p, p.Max());
            if (predicted == label) correct++;
            loss -= Math.Log(Math.Max(p[label], 1e-15));
            count++;
        }
        return count == 0 ? (double.NaN, double.NaN) : ((double)correct / count, loss / count);
    }
}
