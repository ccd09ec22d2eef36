using System.CommandLine;
using System.Globalization;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Pretraining;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

// ML.NET has a namespace Microsoft.ML.Command, which an enclosing namespace would find first.
using Command = System.CommandLine.Command;

/// <summary><c>roberta-zh pretrain --corpus FILE --vocab FILE --output DIR [options]</c>: RobertaPretrainEstimator from the command line.</summary>
internal static class PretrainCommand
{
    public static Command Create()
    {
        var corpus = new Option<FileInfo>("--corpus") { Description = "Corpus: one document per line (UER) or one sentence per line with blank lines between documents.", Required = true };
        var vocab = new Option<FileInfo>("--vocab") { Description = "WordPiece vocabulary (vocab.txt).", Required = true };
        var output = new Option<DirectoryInfo>("--output") { Description = "Output directory (data cache, checkpoints, metrics, model). Re-running resumes.", Required = true };
        var arch = new Option<string>("--architecture") { Description = "Preset: tiny, mini, small, medium, base, large or L-{layers}_H-{hidden}.", DefaultValueFactory = _ => "tiny" };
        var config = new Option<FileInfo?>("--config") { Description = "config.json (Hugging Face or UER keys) instead of a preset." };
        var init = new Option<DirectoryInfo?>("--init") { Description = "Model directory to continue pretraining from (domain adaptation, or a second stage at a longer --seq-length)." };
        var seq = new Option<int>("--seq-length") { Description = "Tokens per instance.", DefaultValueFactory = _ => 128 };
        var batch = new Option<int>("--batch-size") { Description = "Instances per batch.", DefaultValueFactory = _ => 32 };
        var accum = new Option<int>("--grad-accum") { Description = "Batches per update (effective batch = batch size × this).", DefaultValueFactory = _ => 1 };
        var steps = new Option<long>("--steps") { Description = "Updates to run.", DefaultValueFactory = _ => 1000 };
        var lr = new Option<float>("--learning-rate") { Description = "Peak learning rate.", DefaultValueFactory = _ => 1e-4f };
        var warmup = new Option<double>("--warmup") { Description = "Warm-up as a fraction of --steps.", DefaultValueFactory = _ => 0.1 };
        var warmupSteps = new Option<long?>("--warmup-steps") { Description = "Warm-up updates (overrides --warmup)." };
        var decay = new Option<float>("--weight-decay") { Description = "AdamW weight decay.", DefaultValueFactory = _ => 0.01f };
        var eps = new Option<float>("--adam-epsilon") { Description = "AdamW epsilon.", DefaultValueFactory = _ => 1e-6f };
        var clip = new Option<double>("--max-grad-norm") { Description = "Gradient clipping norm (0 = off).", DefaultValueFactory = _ => 1.0 };
        var dropout = new Option<float?>("--dropout") { Description = "Dropout (default: the config's, 0.1)." };
        var masking = new Option<string>("--masking") { Description = "whole-word, token or span.", DefaultValueFactory = _ => "whole-word" };
        var maskProb = new Option<double>("--mask-prob") { Description = "Share of tokens to predict.", DefaultValueFactory = _ => 0.15 };
        var maxPred = new Option<int>("--max-predictions") { Description = "Cap on predictions per instance (0 = none).", DefaultValueFactory = _ => 20 };
        var staticMasks = new Option<bool>("--static") { Description = "Static masks written at preprocessing (with --dupe-factor copies) instead of dynamic ones." };
        var dupe = new Option<int>("--dupe-factor") { Description = "Masked copies per instance with --static.", DefaultValueFactory = _ => 1 };
        var jiebaDict = new Option<FileInfo?>("--jieba-dict") { Description = "jieba dict.txt (whole-word masking)." };
        var jiebaHmm = new Option<FileInfo?>("--jieba-hmm") { Description = "jieba HMM model JSON (whole-word masking)." };
        var holdOut = new Option<int>("--hold-out") { Description = "Documents held out for evaluation.", DefaultValueFactory = _ => 0 };
        var evalEvery = new Option<long>("--eval-every") { Description = "Evaluate on held-out documents every N updates.", DefaultValueFactory = _ => 0 };
        var saveEvery = new Option<long>("--save-every") { Description = "Checkpoint every N updates.", DefaultValueFactory = _ => 500 };
        var seed = new Option<int>("--seed") { Description = "Seed of initialization, data order, masks and dropout.", DefaultValueFactory = _ => 7 };
        var format = new Option<string>("--format") { Description = "auto, document (one per line) or sentence (one per line, blank line between documents).", DefaultValueFactory = _ => "auto" };
        var engine = new EngineCliOptions(training: true);
        var command = new Command("pretrain", "Pretrain a Chinese RoBERTa with (whole-word) masked-LM on a corpus; resumable.")
        {
            corpus, vocab, output, arch, config, init, seq, batch, accum, steps, lr, warmup, warmupSteps, decay, eps, clip, dropout,
            masking, maskProb, maxPred, staticMasks, dupe, jiebaDict, jiebaHmm, holdOut, evalEvery, saveEvery, seed, format,
        };
        engine.AddTo(command);
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var printer = new ProgressPrinter(TimeSpan.FromSeconds(10));
            bool preprocessing = false;
            var strategy = parse.GetValue(masking) switch
            {
                "whole-word" => MaskingStrategy.WholeWord,
                "token" => MaskingStrategy.Token,
                "span" => MaskingStrategy.Span,
                var other => throw new CommandLineException($"--masking must be whole-word, token or span, not '{other}'."),
            };
            var corpusFormat = parse.GetValue(format) switch
            {
                "auto" => CorpusFormat.Auto,
                "document" => CorpusFormat.DocumentPerLine,
                "sentence" => CorpusFormat.SentencePerLine,
                var other => throw new CommandLineException($"--format must be auto, document or sentence, not '{other}'."),
            };
            var options = new RobertaPretrainOptions
            {
                CorpusPath = parse.GetValue(corpus)!.FullName, VocabularyPath = parse.GetValue(vocab)!.FullName, OutputDirectory = parse.GetValue(output)!.FullName,
                Architecture = parse.GetValue(arch)!, ConfigPath = parse.GetValue(config)?.FullName, InitialCheckpoint = parse.GetValue(init)?.FullName,
                MaxSeqLength = parse.GetValue(seq), BatchSize = parse.GetValue(batch), GradientAccumulationSteps = parse.GetValue(accum),
                TotalSteps = parse.GetValue(steps), LearningRate = parse.GetValue(lr), WarmupProportion = parse.GetValue(warmup), WarmupSteps = parse.GetValue(warmupSteps),
                WeightDecay = parse.GetValue(decay), AdamEpsilon = parse.GetValue(eps), MaxGradNorm = parse.GetValue(clip), Dropout = parse.GetValue(dropout),
                Masking = new MaskingOptions
                {
                    Strategy = strategy, Probability = parse.GetValue(maskProb), MaxPredictions = parse.GetValue(maxPred),
                    Dynamic = !parse.GetValue(staticMasks), DuplicationFactor = parse.GetValue(dupe),
                },
                Format = corpusFormat, JiebaDictionaryPath = parse.GetValue(jiebaDict)?.FullName, JiebaHmmPath = parse.GetValue(jiebaHmm)?.FullName,
                HoldOutDocuments = parse.GetValue(holdOut), EvaluateEverySteps = parse.GetValue(evalEvery), SaveEverySteps = parse.GetValue(saveEvery),
                Seed = parse.GetValue(seed), Engine = engine.Kind(parse), Device = engine.DeviceOf(parse), FallbackToCpu = engine.FallbackOf(parse),
                Progress = new InlineProgress<Training.TrainingProgress>(p =>
                {
                    if (preprocessing) { Console.Error.WriteLine(); preprocessing = false; }
                    printer.Report(p);
                    if (p.Evaluation is not null) RunPlotWriter.Write(parse.GetValue(output)!.FullName, announce: false);   // live plots
                }),
                PreprocessProgress = new InlineProgress<PreprocessProgress>(p =>
                {
                    preprocessing = true;
                    Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
                        $"\rpreprocessing: {p.Fraction:P0}  {p.Documents:N0} documents  {p.Instances:N0} instances  {p.TokensPerSecond:N0} tok/s"));
                }),
            };
            using var cancel = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); Console.Error.WriteLine("\nstopping after a checkpoint..."); };
            var estimator = new RobertaPretrainEstimator(new MLContext(), options with { CancellationToken = cancel.Token });
            string engineUsed = "";
            try
            {
                using var fitted = estimator.Fit();
                engineUsed = $" (trained on the {fitted.Engine} engine, {fitted.Device})";
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                // Reported below: the checkpoint is written and the same command resumes.
            }

            printer.Flush();
            RunPlotWriter.Write(options.OutputDirectory);
            if (estimator.InitialCheckpointReport is { } report && (report.Missing.Count > 0 || report.Unexpected.Count > 0))
                Console.Error.WriteLine(report);
            Console.Error.WriteLine(cancel.IsCancellationRequested
                ? $"stopped; resume with the same command. Checkpoints in {Path.Combine(options.OutputDirectory, "checkpoints")}"
                : $"model saved to {Path.Combine(options.OutputDirectory, "model")}{engineUsed}");
        }));
        return command;
    }
}
