using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Fine-tunes a Chinese RoBERTa/BERT text classifier, as UER-py's run_classifier does (single texts, or sentence pairs
/// when <see cref="RobertaClassifierOptions.Sentence2ColumnName"/> is set). Reached from
/// <c>mlContext.BinaryClassification.Trainers.RobertaClassifier(...)</c> (Boolean label) or
/// <c>mlContext.MulticlassClassification.Trainers.RobertaClassifier(...)</c> (key label, after <c>MapValueToKey</c>).
/// The schema is checked before any row is read; rows are streamed through a cursor and tokenized once; log messages go
/// to <c>MLContext.Log</c> (source "RobertaClassifier; Fit"); the seed comes from the MLContext unless the options set
/// one; <c>MLContext</c>'s cancel flag and <see cref="RobertaClassifierOptions.CancellationToken"/> stop training.
/// Training and the fitted transformer run on <see cref="RobertaClassifierOptions.Engine"/> and
/// <see cref="RobertaClassifierOptions.Device"/> (or the MLContext's <c>GpuDeviceId</c>/<c>FallbackToCpu</c> when no device
/// is set), checked before any row is read.
/// </summary>
public sealed class RobertaClassifierEstimator : IEstimator<RobertaClassifierTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly IHost _host;

    /// <summary>An estimator on <paramref name="env"/> (an <see cref="MLContext"/>) with <paramref name="options"/> for <paramref name="task"/>.</summary>
    public RobertaClassifierEstimator(IHostEnvironment env, RobertaClassifierOptions options, RobertaClassifierTask task)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        _env = env;
        _host = env.Register("RobertaClassifier");
        Options = options;
        Task = task;
    }

    /// <summary>The settings.</summary>
    public RobertaClassifierOptions Options { get; }

    /// <summary>Binary or multiclass.</summary>
    public RobertaClassifierTask Task { get; }

    /// <summary>What loading the starting checkpoint matched (missing and unexpected tensors), after <see cref="Fit(IDataView)"/> from a directory.</summary>
    public CheckpointLoadReport? StartingCheckpointReport { get; private set; }

    /// <summary>Rows of the last fit's training and validation sets skipped for a missing (key 0) label.</summary>
    public (int Training, int Validation) SkippedRows { get; private set; }

    /// <summary>The input shape plus the output columns (see <see cref="RobertaClassifierTransformer"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A text or label column is missing or of the wrong type; the message names it, the type found and expected, and the fix.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = Options;
        ClassifierSchema.Check(inputSchema, o.Sentence1ColumnName, o.Sentence2ColumnName, o.LabelColumnName, Task);
        // The class names are not known before Fit: placeholder classes with the label's key-value type give the same shape.
        var labels = Task == RobertaClassifierTask.Binary ? ClassLabels.Binary : ClassLabels.Restore(false, ["0", "1"], KeyValueType(inputSchema.Find(o.LabelColumnName)!.Value));
        var outputs = ClassifierSchema.Outputs(ClassifierSettings.From(o, labels), labels);
        return ClassifierSchema.Shape(inputSchema, o.Sentence1ColumnName, outputs, o.LabelColumnName);
    }

    private static string? KeyValueType(SchemaShape.Column label)
    {
        var kv = label.Annotations.Find(AnnotationNames.KeyValues);
        if (kv is null) return null;
        var raw = kv.Value.ItemType.RawType;
        return raw == typeof(ReadOnlyMemory<char>) ? "String" : raw.Name;
    }

    /// <summary>Trains on <paramref name="input"/>, validating on <see cref="RobertaClassifierOptions.ValidationSet"/> if set.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type (raised before any row is read).</exception>
    /// <exception cref="EngineUnavailableException">The engine's assembly or native runtime, or the device, is not available here (raised before any row is read; the message names the package to add).</exception>
    /// <exception cref="NotSupportedException">The engine cannot train (ONNX Runtime), or int8 inference was asked of an engine other than the managed one.</exception>
    /// <exception cref="OperationCanceledException">The options' token fired or <c>MLContext.CancelExecution</c> was called (after a checkpoint, with an output directory).</exception>
    public RobertaClassifierTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var ch = _host.Start("Fit");
        Options.Validate();
        var engine = EngineSelection.Resolve(_env, Options.Engine, Options.Device, Options.FallbackToCpu, Options.InferencePrecision, Options.PackPaddedSequences);
        EngineSelection.CheckTraining(engine);
        var data = ClassifierTrainingData.Prepare(Options, Task, input, Options.ValidationSet);
        SkippedRows = (data.SkippedTrainRows, data.SkippedValidationRows);
        if (data.SkippedTrainRows > 0) ch.Warning(MessageSensitivity.None, $"{data.SkippedTrainRows} training rows have no label (key 0) and were skipped.");
        var (model, cancelled) = Train(data, Options, Options.Seed ?? _host.Rand.Next(), ch, engine, Options.CancellationToken);
        StartingCheckpointReport = data.Start.LoadReport;
        if (cancelled)
        {
            model.Dispose();
            ch.Warning(MessageSensitivity.None, "training was cancelled" + (Options.OutputDirectory is { } d ? $"; the last checkpoint is in {d}" : ""));
            throw new OperationCanceledException("RoBERTa classifier training was cancelled" + (Options.OutputDirectory is { } dir ? $"; fitting again with OutputDirectory {dir} resumes from its last checkpoint." : "."));
        }

        return model;
    }

    /// <summary>One training run on prepared data (a fit, or a sweep trial): the model and whether it was cancelled.</summary>
    internal (RobertaClassifierTransformer Model, bool Cancelled) Train(ClassifierTrainingData data, RobertaClassifierOptions o, int seed, IChannel? ch,
        EngineOptions engine, CancellationToken cancellation)
    {
        var model = data.Start.CreateModel(data.Labels.Count, seed);
        var (history, cancelled) = ClassifierTrainer.Train(o, seed, model, data.Train, data.Validation, data.PadTokenId, data.Start.VocabularyPath, cancellation, _host, ch, engine);
        return (new RobertaClassifierTransformer(_env, model, data.Start.Tokenizer, data.Labels, ClassifierSettings.From(o, data.Labels), history, engine), cancelled);
    }
}
