using System.Text.Json.Serialization;

namespace Microsoft.ML.RobertaZh.Training;

/// <summary>Everything besides weights and optimizer moments that a resumed run needs to continue exactly.</summary>
public sealed record TrainerState
{
    /// <summary>Optimizer updates completed.</summary>
    [JsonPropertyName("step")] public long Step { get; init; }

    /// <summary>Training forward passes run (each has its own dropout masks).</summary>
    [JsonPropertyName("training_passes")] public long TrainingPasses { get; init; }

    /// <summary>Seed of the dropout masks.</summary>
    [JsonPropertyName("dropout_seed")] public ulong DropoutSeed { get; init; }

    /// <summary>The data source's position (see <see cref="ITrainingBatchSource.SavePosition"/>).</summary>
    [JsonPropertyName("data_position")] public string DataPosition { get; init; } = "";

    /// <summary>Tokens (non-padding) trained on so far.</summary>
    [JsonPropertyName("tokens_seen")] public long TokensSeen { get; init; }

    /// <summary>Wall-clock seconds spent training so far, across resumes.</summary>
    [JsonPropertyName("elapsed_seconds")] public double ElapsedSeconds { get; init; }

    /// <summary>The total number of updates the run was started with.</summary>
    [JsonPropertyName("total_steps")] public long TotalSteps { get; init; }

    /// <summary>Best evaluation value so far and its step (for early stopping / best-model selection), if any.</summary>
    [JsonPropertyName("best_metric")] public double? BestMetric { get; init; }

    /// <summary>The step at which <see cref="BestMetric"/> was reached.</summary>
    [JsonPropertyName("best_step")] public long? BestStep { get; init; }

    /// <summary>The engine that wrote the checkpoint (informational: any training engine resumes from it).</summary>
    [JsonPropertyName("engine")] public string? Engine { get; init; }
}
