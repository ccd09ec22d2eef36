namespace Microsoft.ML.RobertaZh.Cli.Commands;

/// <summary>How long each stage of <c>roberta-zh demo</c> runs.</summary>
/// <param name="PretrainSteps">Masked-LM updates of the tiny model (2 layers × 128 hidden).</param>
/// <param name="PretrainBatchSize">Instances per pretraining batch.</param>
/// <param name="PretrainLearningRate">Peak pretraining learning rate.</param>
/// <param name="MaxSequenceLength">Tokens per pretraining instance and per review.</param>
/// <param name="FineTuneEpochs">Passes over the training reviews.</param>
/// <param name="FineTuneBatchSize">Reviews per fine-tuning batch.</param>
/// <param name="FineTuneLearningRate">Peak fine-tuning learning rate.</param>
internal sealed record DemoSettings(int PretrainSteps, int PretrainBatchSize, float PretrainLearningRate, int MaxSequenceLength,
    int FineTuneEpochs, int FineTuneBatchSize, float FineTuneLearningRate)
{
    /// <summary>The default run: a couple of minutes on 2 cores.</summary>
    public static DemoSettings Normal { get; } = new(PretrainSteps: 4000, PretrainBatchSize: 16, PretrainLearningRate: 2e-3f, MaxSequenceLength: 64,
        FineTuneEpochs: 10, FineTuneBatchSize: 16, FineTuneLearningRate: 1e-3f);

    /// <summary><c>--quick</c>: every stage runs, briefly (for tests and a first look), in seconds.</summary>
    public static DemoSettings Quick { get; } = new(PretrainSteps: 100, PretrainBatchSize: 16, PretrainLearningRate: 1e-3f, MaxSequenceLength: 48,
        FineTuneEpochs: 3, FineTuneBatchSize: 16, FineTuneLearningRate: 1e-3f);
}
