using System.CommandLine;
using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Estimators;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

// ML.NET has a namespace Microsoft.ML.Command, which an enclosing namespace would find first.
using Command = System.CommandLine.Command;

/// <summary>The fine-tuning options train and sweep share, named for an exact comparison with a PyTorch run, and the label preparation they share with evaluate.</summary>
internal sealed class ClassifierCliOptions
{
    public Option<FileInfo> Train { get; } = new("--train") { Description = "Training data (UER TSV, LCQMC, CLUE JSON lines, XNLI TSV or CSV).", Required = true };
    public Option<DirectoryInfo> Model { get; } = new("--model") { Description = "Starting model directory (Hugging Face, UER-py or ours) with vocab.txt.", Required = true };
    public Option<DirectoryInfo> Output { get; } = new("--output") { Description = "Output directory: model.safetensors, config.json, vocab.txt, pipeline.zip (and metrics, curve, checkpoints).", Required = true };
    public Option<string> Format { get; } = DataFormat();
    public Option<string> Task { get; } = new("--task") { Description = "auto (binary when the labels are 0/1), binary (labels 0/1 or true/false) or multiclass.", DefaultValueFactory = _ => "auto" };
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Examples per batch.", DefaultValueFactory = _ => 32 };
    public Option<float> LearningRate { get; } = new("--learning-rate") { Description = "Peak learning rate.", DefaultValueFactory = _ => 2e-5f };
    public Option<long?> WarmupSteps { get; } = new("--warmup-steps") { Description = "Warm-up updates (overrides --warmup-proportion)." };
    public Option<double> WarmupProportion { get; } = new("--warmup-proportion") { Description = "Warm-up as a fraction of the updates.", DefaultValueFactory = _ => 0.1 };
    public Option<float> WeightDecay { get; } = new("--weight-decay") { Description = "AdamW weight decay (not on biases and LayerNorm).", DefaultValueFactory = _ => 0.01f };
    public Option<float> AdamEpsilon { get; } = new("--adam-epsilon") { Description = "AdamW epsilon.", DefaultValueFactory = _ => 1e-6f };
    public Option<bool> NoBiasCorrection { get; } = new("--no-bias-correction") { Description = "AdamW without bias correction (UER-py's and Google BERT's optimizer)." };
    public Option<double> MaxGradNorm { get; } = new("--max-grad-norm") { Description = "Gradient clipping norm (0 = off).", DefaultValueFactory = _ => 1.0 };
    public Option<int> MaxSeqLength { get; } = new("--max-seq-length") { Description = "Tokens per input, special tokens included.", DefaultValueFactory = _ => 128 };
    public Option<float?> Dropout { get; } = new("--dropout") { Description = "Dropout everywhere (0 = off; default: the model config's)." };
    public Option<bool> NoShuffle { get; } = new("--no-shuffle") { Description = "Keep the file order in every epoch." };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the MLContext (new head, shuffling, dropout).", DefaultValueFactory = _ => 7 };
    public Option<int> GradAccum { get; } = new("--grad-accum") { Description = "Batches per update.", DefaultValueFactory = _ => 1 };
    public Option<bool> SlidingWindow { get; } = new("--sliding-window") { Description = "Long single texts: overlapping windows (probabilities averaged) instead of truncation." };
    public Option<int> Stride { get; } = new("--stride") { Description = "Tokens between window starts with --sliding-window.", DefaultValueFactory = _ => 64 };

    public EngineCliOptions Engine { get; } = new(training: true);

    public static Option<string> DataFormat() => new("--format") { Description = "auto, uer-tsv, lcqmc, clue-json, tsv or csv.", DefaultValueFactory = _ => "auto" };

    public void AddTo(Command command)
    {
        foreach (Option o in new Option[] { Train, Model, Output, Format, Task, BatchSize, LearningRate, WarmupSteps, WarmupProportion, WeightDecay, AdamEpsilon,
            NoBiasCorrection, MaxGradNorm, MaxSeqLength, Dropout, NoShuffle, Seed, GradAccum, SlidingWindow, Stride })
            command.Options.Add(o);
        Engine.AddTo(command);
    }

    /// <summary>The estimator options these arguments give, for data with (or without) a second text column.</summary>
    public RobertaClassifierOptions ToOptions(ParseResult parse, bool pair) => new()
    {
        ModelPath = parse.GetValue(Model)!.FullName, Sentence1ColumnName = TaskColumns.Sentence1, Sentence2ColumnName = pair ? TaskColumns.Sentence2 : null,
        LabelColumnName = TaskColumns.Label, BatchSize = parse.GetValue(BatchSize), LearningRate = parse.GetValue(LearningRate),
        WarmupSteps = parse.GetValue(WarmupSteps), WarmupRatio = parse.GetValue(WarmupProportion), WeightDecay = parse.GetValue(WeightDecay),
        AdamEpsilon = parse.GetValue(AdamEpsilon), AdamBiasCorrection = !parse.GetValue(NoBiasCorrection), ClipNorm = parse.GetValue(MaxGradNorm),
        MaxSequenceLength = parse.GetValue(MaxSeqLength), Dropout = parse.GetValue(Dropout), Shuffle = !parse.GetValue(NoShuffle),
        GradientAccumulationSteps = parse.GetValue(GradAccum), LongTextStrategy = parse.GetValue(SlidingWindow) ? LongTextStrategy.SlidingWindow : LongTextStrategy.Truncate,
        Stride = parse.GetValue(Stride), Engine = Engine.Kind(parse), Device = Engine.DeviceOf(parse), FallbackToCpu = Engine.FallbackOf(parse),
    };

    /// <summary>Binary or multiclass: --task, or (auto) binary when the labels of <paramref name="train"/> are exactly 0 and 1.</summary>
    public RobertaClassifierTask TaskOf(ParseResult parse, IDataView train)
    {
        var labels = Labels(train);
        bool binaryLabels = labels.SetEquals(["0", "1"]) || labels.SetEquals(["false", "true"]);
        return parse.GetValue(Task) switch
        {
            "binary" when binaryLabels => RobertaClassifierTask.Binary,
            "binary" => throw new CommandLineException($"--task binary needs labels 0/1 or true/false; the training data has {string.Join(", ", labels.Order().Take(10))}. Use --task multiclass."),
            "multiclass" => RobertaClassifierTask.Multiclass,
            "auto" => binaryLabels && labels.Contains("0") ? RobertaClassifierTask.Binary : RobertaClassifierTask.Multiclass,
            var other => throw new CommandLineException($"--task must be auto, binary or multiclass, not '{other}'."),
        };
    }

    private static HashSet<string> Labels(IDataView view)
    {
        var column = view.Schema.GetColumnOrNull(TaskColumns.Label) ?? throw new CommandLineException("The training data has no label column.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var cursor = view.GetRowCursor([column]);
        var get = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            get(ref value);
            seen.Add(value.ToString().Trim().ToLowerInvariant());
        }

        return seen;
    }

    /// <summary>
    /// The label preparation of the CLI's pipelines: binary, text 0/1 (true/false) to Boolean with ConvertType;
    /// multiclass, MapValueToKey, with the key order of <paramref name="classes"/> when given (a trained classifier's).
    /// </summary>
    public static IEstimator<ITransformer> LabelPreparation(MLContext ml, RobertaClassifierTask task, IReadOnlyList<string>? classes = null)
    {
        if (task == RobertaClassifierTask.Binary) return ml.Transforms.Conversion.ConvertType(TaskColumns.Label, outputKind: DataKind.Boolean);
        if (classes is null) return ml.Transforms.Conversion.MapValueToKey(TaskColumns.Label);
        var keys = ml.Data.LoadFromEnumerable(classes.Select(c => new KeyRow { Label = c }).ToList());
        return ml.Transforms.Conversion.MapValueToKey(TaskColumns.Label, keyData: keys);
    }

    /// <summary>Loads a task file in the named format.</summary>
    public static FileDataView Load(MLContext ml, FileInfo file, string format)
    {
        var f = format switch
        {
            "auto" => TaskFormat.Auto,
            "uer-tsv" => TaskFormat.UerTsv,
            "lcqmc" => TaskFormat.Lcqmc,
            "clue-json" => TaskFormat.ClueJson,
            "tsv" => TaskFormat.Tsv,
            "csv" => TaskFormat.Csv,
            _ => throw new CommandLineException($"--format must be auto, uer-tsv, lcqmc, clue-json, tsv or csv, not '{format}'."),
        };
        return ml.Data.LoadTaskDataset(file.FullName, f);
    }

    /// <summary>True when the view has a second text column.</summary>
    public static bool HasPair(IDataView view) => view.Schema.GetColumnOrNull(TaskColumns.Sentence2) is not null;

    /// <summary>A row of MapValueToKey's key data.</summary>
    private sealed class KeyRow
    {
        public string Label { get; set; } = "";
    }
}
