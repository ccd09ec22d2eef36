namespace Microsoft.ML.RobertaZh.Training;

/// <summary>Settings of <see cref="TrainingLoop"/>. Steps count optimizer updates.</summary>
public sealed record TrainingOptions
{
    /// <summary>Optimizer updates to run in total.</summary>
    public long TotalSteps { get; init; } = 1000;

    /// <summary>Batches whose gradients are summed (each scaled by 1/N) before one update: the effective batch is batch size × N.</summary>
    public int GradientAccumulationSteps { get; init; } = 1;

    /// <summary>Peak learning rate. Default 1e-4 (UER's and roberta_zh's pretraining rate).</summary>
    public float LearningRate { get; init; } = 1e-4f;

    /// <summary>Warm-up updates; when null, <see cref="WarmupProportion"/> × <see cref="TotalSteps"/>.</summary>
    public long? WarmupSteps { get; init; }

    /// <summary>Fraction of the updates spent warming up when <see cref="WarmupSteps"/> is null. Default 0.1.</summary>
    public double WarmupProportion { get; init; } = 0.1;

    /// <summary>AdamW hyper-parameters.</summary>
    public AdamWOptions Optimizer { get; init; } = new() { Epsilon = 1e-6f, WeightDecay = 0.01f };

    /// <summary>Clip gradients to this global norm; 0 turns clipping off. Default 1.0.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Write a checkpoint every this many updates (and at the end); 0 only at the end.</summary>
    public long SaveEverySteps { get; init; } = 500;

    /// <summary>Checkpoints kept on disk (the newest ones). Default 2.</summary>
    public int KeepCheckpoints { get; init; } = 2;

    /// <summary>Run the evaluation callback every this many updates (and at the end); 0 only at the end.</summary>
    public long EvaluateEverySteps { get; init; }

    /// <summary>Where checkpoints and metrics.jsonl go; null keeps nothing on disk.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Seed of the dropout masks (the data source has its own).</summary>
    public int Seed { get; init; } = 7;

    /// <summary>Append a metrics line every this many updates. Default 1.</summary>
    public long LogEverySteps { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting when a value is invalid.</summary>
    public void Validate()
    {
        if (TotalSteps <= 0) throw new ArgumentOutOfRangeException(nameof(TotalSteps), TotalSteps, "must be positive.");
        if (GradientAccumulationSteps <= 0) throw new ArgumentOutOfRangeException(nameof(GradientAccumulationSteps), GradientAccumulationSteps, "must be positive.");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "must be positive.");
        if (WarmupSteps is < 0) throw new ArgumentOutOfRangeException(nameof(WarmupSteps), WarmupSteps, "must be >= 0.");
        if (WarmupProportion is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(WarmupProportion), WarmupProportion, "must be in [0, 1].");
        if (MaxGradNorm < 0) throw new ArgumentOutOfRangeException(nameof(MaxGradNorm), MaxGradNorm, "must be >= 0.");
        if (SaveEverySteps < 0) throw new ArgumentOutOfRangeException(nameof(SaveEverySteps), SaveEverySteps, "must be >= 0.");
        if (KeepCheckpoints <= 0) throw new ArgumentOutOfRangeException(nameof(KeepCheckpoints), KeepCheckpoints, "must be positive.");
        if (LogEverySteps <= 0) throw new ArgumentOutOfRangeException(nameof(LogEverySteps), LogEverySteps, "must be positive.");
        Optimizer.Validate();
    }

    /// <summary>The schedule these options describe.</summary>
    public LearningRateSchedule Schedule() =>
        WarmupSteps is { } w ? new LearningRateSchedule(LearningRate, w, TotalSteps) : LearningRateSchedule.WithWarmupProportion(LearningRate, WarmupProportion, TotalSteps);
}
