using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Evaluation;
using Microsoft.ML.RobertaZh.Pretraining;
using Microsoft.ML.RobertaZh.Tokenization;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

// ML.NET has a namespace Microsoft.ML.Command, which an enclosing namespace would find first.
using Command = System.CommandLine.Command;

/// <summary>What a demo run produced (for tests; the same is printed and written to the output directory).</summary>
/// <param name="OutputDirectory">Where everything was written.</param>
/// <param name="Metrics">The classifier's metrics on the held-out test reviews.</param>
/// <param name="Predictions">The classifier's predictions for a few new reviews.</param>
/// <param name="FillMask">The masked language model's best candidates for a few masked sentences.</param>
/// <param name="Elapsed">Wall time of the whole run.</param>
internal sealed record DemoReport(string OutputDirectory, CalibratedBinaryClassificationMetrics Metrics,
    IReadOnlyList<(string Text, DemoPrediction Prediction)> Predictions,
    IReadOnlyList<(string Text, IReadOnlyList<FillMaskResult> Candidates)> FillMask, TimeSpan Elapsed);

/// <summary>A review as the demo's PredictionEngine reads it.</summary>
internal sealed class DemoReview
{
    public string Sentence1 { get; set; } = "";
}

/// <summary>What the demo's PredictionEngine returns for a review (the binary classifier's output columns).</summary>
internal sealed class DemoPrediction
{
    public bool PredictedLabel { get; set; }

    public float Score { get; set; }

    public float Probability { get; set; }
}

/// <summary>
/// <c>roberta-zh demo [--output DIR] [--quick]</c>: on the embedded sample, builds a vocabulary, pretrains a tiny
/// RoBERTa briefly (token masking), fine-tunes a sentiment classifier from it, and prints its metrics, a few
/// predictions and a few fill-mask answers; everything is written to the output directory.
/// </summary>
internal static class DemoCommand
{
    /// <summary>New reviews (not in the sample) the classifier is asked about.</summary>
    public static readonly string[] NewReviews =
    [
        "服务很周到，房间也很干净，下次还来。",
        "等了很久也没人管，太失望了。",
        "这部手机拍照很清楚，电池也耐用。",
        "味道很一般，价格还贵，不推荐。",
    ];

    /// <summary>Masked sentences the pretrained model completes.</summary>
    public static readonly string[] MaskedSentences =
    [
        "今天天气很[MASK]。",
        "北京是中国的首[MASK]。",
        "房间很干[MASK]，服务也很好。",
        "这本书写得很有意[MASK]。",
    ];

    public static Command Create()
    {
        var output = new Option<DirectoryInfo?>("--output") { Description = "Directory for the results (default: a new temporary directory, printed)." };
        var quick = new Option<bool>("--quick") { Description = "Run every stage briefly (seconds instead of minutes)." };
        var command = new Command("demo", "Pretrain a tiny model on the embedded sample, fine-tune a sentiment classifier, print metrics and fill-mask answers.") { output, quick };
        command.SetAction(parse => CliRunner.Run(() =>
            Run(parse.GetValue(output)?.FullName, parse.GetValue(quick) ? DemoSettings.Quick : DemoSettings.Normal, Console.Out)));
        return command;
    }

    /// <summary>Runs the demo, printing to <paramref name="console"/> (training progress goes to stderr).</summary>
    public static DemoReport Run(string? outputDirectory, DemoSettings settings, TextWriter console)
    {
        var clock = Stopwatch.StartNew();
        string dir = PrepareOutput(outputDirectory);
        var transcript = new StringBuilder();
        void Say(string line = "")
        {
            console.WriteLine(line);
            transcript.AppendLine(line);
        }

        Say($"roberta-zh demo: results go to {dir}");
        string sample = DemoSample.Export(Path.Combine(dir, "sample"));
        string corpusText = DemoSample.Read("corpus.txt");
        var corpus = corpusText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var reviews = DemoSample.ReviewTexts().ToList();
        Say(Invariant($"[1/5] sample: {reviews.Count} reviews, {DemoSample.Read("pairs.tsv").Count(c => c == '\n') - 1} sentence pairs, {corpus.Length} documents -> {sample}"));

        // Pretraining reads the corpus and the review texts (not their labels), one document per line.
        string pretrainCorpus = Path.Combine(dir, "pretrain-corpus.txt");
        File.WriteAllLines(pretrainCorpus, corpus.Concat(reviews), new UTF8Encoding(false));
        var vocabulary = VocabularyBuilder.Build(File.ReadLines(pretrainCorpus), new VocabularyBuilderOptions { Size = 8000, MinFrequency = 1, UnusedTokens = 0 });
        string vocabPath = Path.Combine(dir, "vocab.txt");
        vocabulary.Save(vocabPath);
        Say(Invariant($"[2/5] vocabulary: {vocabulary.Count} tokens (characters and their ## forms) -> {vocabPath}"));

        var stage = Stopwatch.StartNew();
        var printer = new ProgressPrinter(TimeSpan.FromSeconds(5));
        var ml = new MLContext(seed: 7);
        var pretrainer = new RobertaPretrainEstimator(ml, new RobertaPretrainOptions
        {
            CorpusPath = pretrainCorpus, VocabularyPath = vocabPath, OutputDirectory = Path.Combine(dir, "pretrain"), Architecture = "tiny",
            Format = CorpusFormat.DocumentPerLine, MaxSeqLength = settings.MaxSequenceLength, BatchSize = settings.PretrainBatchSize,
            TotalSteps = settings.PretrainSteps, LearningRate = settings.PretrainLearningRate, AdamBiasCorrection = true,
            Masking = new MaskingOptions { Strategy = MaskingStrategy.Token }, HoldOutDocuments = 10, SaveEverySteps = settings.PretrainSteps, Seed = 7,
            Progress = new InlineProgress<TrainingProgress>(printer.Report),
        });
        var encoder = pretrainer.Fit();
        printer.Flush();
        RunPlotWriter.Write(Path.Combine(dir, "pretrain"), announce: false);
        var heldOut = pretrainer.LastEvaluation;
        Say(Invariant($"[3/5] pretrained a tiny RoBERTa (2 layers × 128 hidden, {encoder.Model.Layout.Count:N0} parameters): {settings.PretrainSteps} updates in {stage.Elapsed.TotalSeconds:F1} s") +
            (heldOut is not null && heldOut.TryGetValue("mlm_accuracy", out double accuracy) ? Invariant($", held-out masked-token accuracy {accuracy:F3}") : ""));

        // The ML.NET pipeline: text labels 0/1 → Boolean, then the RoBERTa binary classifier started from the encoder.
        stage.Restart();
        var data = ml.Data.LoadTaskDataset(Path.Combine(sample, "reviews.tsv"));
        var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 7);
        var trainValidation = ml.Data.TrainTestSplit(split.TrainSet, testFraction: 0.125, seed: 7);
        var labels = ml.Transforms.Conversion.ConvertType(TaskColumns.Label, outputKind: DataKind.Boolean);
        string classifierDir = Path.Combine(dir, "classifier");
        var pipeline = labels.Append(ml.BinaryClassification.Trainers.RobertaClassifier(new RobertaClassifierOptions
        {
            PretrainedModel = encoder, MaxEpochs = settings.FineTuneEpochs, BatchSize = settings.FineTuneBatchSize,
            LearningRate = settings.FineTuneLearningRate, MaxSequenceLength = settings.MaxSequenceLength, Seed = 7,
            ValidationSet = labels.Fit(trainValidation.TestSet).Transform(trainValidation.TestSet), OutputDirectory = classifierDir,
            Progress = new InlineProgress<TrainingProgress>(printer.Report),
        }));
        var model = pipeline.Fit(trainValidation.TrainSet);
        printer.Flush();
        var classifier = model.LastTransformer;
        classifier.Save(classifierDir);
        ml.Model.SaveWithRoberta(model, data.Schema, Path.Combine(dir, "pipeline.zip"));
        RunPlotWriter.Write(classifierDir, announce: false);
        Say(Invariant($"[4/5] fine-tuned a sentiment classifier on {CliRunner.CountRows(trainValidation.TrainSet)} reviews in {stage.Elapsed.TotalSeconds:F1} s -> {classifierDir}"));
        long validationRows = CliRunner.CountRows(trainValidation.TestSet);
        foreach (var e in classifier.TrainingHistory)
            Say(Invariant($"      epoch {e.Epoch}: validation accuracy {e.Accuracy:F3}, log-loss {e.LogLoss:F3} ({validationRows} reviews)"));

        var metrics = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet));
        Say();
        Say($"[5/5] on the {CliRunner.CountRows(split.TestSet)} test reviews (ML.NET's BinaryClassification.Evaluate):");
        Say(metrics.ToTable());
        File.WriteAllText(Path.Combine(dir, "metrics.txt"), metrics.ToTable() + "\n");
        File.WriteAllText(Path.Combine(dir, "metrics.json"), metrics.ToJson() + "\n");
        File.WriteAllText(Path.Combine(dir, "metrics.html"), metrics.ToHtml() + "\n");

        Say("Predictions (a PredictionEngine over the classifier; positive when Score > 0):");
        var engine = ml.Model.CreatePredictionEngine<DemoReview, DemoPrediction>(classifier);
        var predictions = NewReviews.Select(t => (t, engine.Predict(new DemoReview { Sentence1 = t }))).ToList();
        foreach (var (text, p) in predictions)
            Say(Invariant($"  {(p.PredictedLabel ? "positive" : "negative")}  P(positive) = {p.Probability:F3}  {text}"));

        Say();
        Say("Fill-mask (the pretrained model's three best candidates):");
        var answers = MaskedSentences.Select(t => (t, encoder.FillMask(t, topK: 3)[0])).ToList();
        foreach (var (text, candidates) in answers)
            Say($"  {text}  ->  " + string.Join("  ", candidates.Select(c => Invariant($"{c.TokenStr} {c.Score:F3}"))));

        Say();
        Say(Invariant($"done in {clock.Elapsed.TotalSeconds:F0} s; in {dir}: sample/, vocab.txt, pretrain/ (model/, metrics.jsonl, learning_curve.png/.svg), ") +
            "classifier/ (fine-tuned model, learning_curve.png/.svg, validation_metrics.png/.svg), pipeline.zip (SaveWithRoberta), metrics.txt/.json/.html, demo.txt");
        File.WriteAllText(Path.Combine(dir, "demo.txt"), transcript.ToString());
        return new DemoReport(dir, metrics, predictions, answers, clock.Elapsed);
    }

    /// <summary>
    /// The output directory, made ready: a new temporary directory by default; an earlier demo's directory (it has
    /// demo.txt) has its training outputs removed so the run starts afresh; any other non-empty directory is refused.
    /// </summary>
    private static string PrepareOutput(string? requested)
    {
        if (requested is null) return Directory.CreateTempSubdirectory("roberta-zh-demo-").FullName;
        string dir = Path.GetFullPath(requested);
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
        {
            if (!File.Exists(Path.Combine(dir, "demo.txt")))
                throw new CommandLineException($"{dir} is not empty and holds no earlier demo (demo.txt); choose a new or empty directory.");
            foreach (var sub in new[] { "pretrain", "classifier" })
                if (Directory.Exists(Path.Combine(dir, sub))) Directory.Delete(Path.Combine(dir, sub), recursive: true);
        }
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
