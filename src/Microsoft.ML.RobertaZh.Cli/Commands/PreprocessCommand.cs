using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.RobertaZh.Pretraining;
using Microsoft.ML.RobertaZh.Segmentation;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

// ML.NET has a namespace Microsoft.ML.Command, which an enclosing namespace would find first.
using Command = System.CommandLine.Command;

/// <summary>
/// <c>roberta-zh preprocess --corpus FILE --vocab FILE --output DIR [options]</c>: packs and (optionally) masks a pretraining
/// corpus into memory-mapped shards, with a progress line on stderr and a summary on stdout. Does nothing when the output
/// is already up to date.
/// </summary>
internal static class PreprocessCommand
{
    public static Command Create()
    {
        var corpus = new Option<FileInfo>("--corpus") { Description = "Corpus file (UTF-8).", Required = true };
        var vocab = new Option<FileInfo>("--vocab") { Description = "WordPiece vocab.txt (a tokenizer_config.json beside it is honoured).", Required = true };
        var output = new Option<DirectoryInfo>("--output") { Description = "Output directory for the shards and manifest.json.", Required = true };
        var format = new Option<string>("--format") { Description = "auto (blank lines → sentence), document (one per line, UER) or sentence (one per line, blank line between documents, Google).", DefaultValueFactory = _ => "auto" };
        format.AcceptOnlyFromAmong("auto", "document", "sentence");
        var seqLength = new Option<int>("--seq-length") { Description = "Sequence length with [CLS] and [SEP].", DefaultValueFactory = _ => 128 };
        var masking = new Option<string>("--masking") { Description = "whole-word (needs --jieba-dict/--jieba-hmm), token or span.", DefaultValueFactory = _ => "whole-word" };
        masking.AcceptOnlyFromAmong("whole-word", "token", "span");
        var maskProb = new Option<double>("--mask-prob") { Description = "Fraction of tokens predicted.", DefaultValueFactory = _ => 0.15 };
        var maxPredictions = new Option<int>("--max-predictions") { Description = "Cap on predictions per sequence (0 = none).", DefaultValueFactory = _ => 20 };
        var shortSeq = new Option<double>("--short-seq-prob") { Description = "Probability of a shorter target length.", DefaultValueFactory = _ => 0.1 };
        var isStatic = new Option<bool>("--static") { Description = "Store masks (static masking) instead of masking afresh every epoch." };
        var dupe = new Option<int>("--dupe-factor") { Description = "With --static: number of differently masked copies.", DefaultValueFactory = _ => 1 };
        var jiebaDict = new Option<FileInfo?>("--jieba-dict") { Description = "jieba dict.txt, for whole-word masking." };
        var jiebaHmm = new Option<FileInfo?>("--jieba-hmm") { Description = "jieba HMM model (JSON), for whole-word masking." };
        var holdOut = new Option<int>("--hold-out") { Description = "Documents held out for evaluation, spread evenly.", DefaultValueFactory = _ => 0 };
        var seed = new Option<ulong>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 12345UL };
        var threads = new Option<int>("--threads") { Description = "Worker threads (0 = all cores); the output does not depend on it.", DefaultValueFactory = _ => 0 };
        var command = new Command("preprocess", "Pack a pretraining corpus into masked-LM instances stored as memory-mapped shards.")
        {
            corpus, vocab, output, format, seqLength, masking, maskProb, maxPredictions, shortSeq, isStatic, dupe, jiebaDict, jiebaHmm, holdOut, seed, threads,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            bool staticMasks = parse.GetValue(isStatic);
            int dupeFactor = parse.GetValue(dupe);
            if (!staticMasks && dupeFactor != 1) throw new CommandLineException("--dupe-factor needs --static (dynamic masking draws fresh masks every epoch).");
            var options = new PretrainingDataOptions
            {
                MaxSeqLength = parse.GetValue(seqLength),
                ShortSeqProbability = parse.GetValue(shortSeq),
                Format = parse.GetValue(format) switch { "document" => CorpusFormat.DocumentPerLine, "sentence" => CorpusFormat.SentencePerLine, _ => CorpusFormat.Auto },
                Seed = parse.GetValue(seed),
                HoldOutDocuments = parse.GetValue(holdOut),
                DegreeOfParallelism = parse.GetValue(threads),
                Masking = new MaskingOptions
                {
                    Strategy = parse.GetValue(masking) switch { "token" => MaskingStrategy.Token, "span" => MaskingStrategy.Span, _ => MaskingStrategy.WholeWord },
                    Probability = parse.GetValue(maskProb),
                    MaxPredictions = parse.GetValue(maxPredictions),
                    Dynamic = !staticMasks,
                    DuplicationFactor = dupeFactor,
                },
            };
            Run(parse.GetValue(corpus)!, parse.GetValue(vocab)!, parse.GetValue(jiebaDict), parse.GetValue(jiebaHmm), parse.GetValue(output)!, options, Console.Out, Console.Error);
        }));
        return command;
    }

    /// <summary>Checks the arguments, preprocesses, and writes the summary to <paramref name="stdout"/>.</summary>
    public static void Run(FileInfo corpus, FileInfo vocab, FileInfo? jiebaDict, FileInfo? jiebaHmm, DirectoryInfo output,
        PretrainingDataOptions options, TextWriter stdout, TextWriter stderr)
    {
        if (!corpus.Exists) throw new CommandLineException($"corpus file '{corpus.FullName}' does not exist.");
        if (!vocab.Exists) throw new CommandLineException($"vocab file '{vocab.FullName}' does not exist.");
        if ((jiebaDict is null) != (jiebaHmm is null)) throw new CommandLineException("--jieba-dict and --jieba-hmm go together.");
        if (options.Masking.Strategy == MaskingStrategy.WholeWord && jiebaDict is null)
            throw new CommandLineException("whole-word masking needs jieba: pass --jieba-dict and --jieba-hmm, or choose --masking token or span.");
        foreach (var file in new[] { jiebaDict, jiebaHmm })
            if (file is { Exists: false }) throw new CommandLineException($"jieba file '{file.FullName}' does not exist.");
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CommandLineException(e.Message);
        }
        var tokenizer = BertTokenizer.Load(vocab.FullName);
        foreach (string warning in tokenizer.Warnings) stderr.WriteLine($"roberta-zh: warning: {warning}");
        var segmenter = jiebaDict is null ? null : JiebaSegmenter.Load(jiebaDict.FullName, jiebaHmm!.FullName);
        var clock = Stopwatch.StartNew();
        var progress = new ProgressLine(stderr);
        using var dataset = PretrainingDataset.Preprocess(corpus.FullName, tokenizer, segmenter, options, output.FullName, progress);
        progress.End();
        double seconds = clock.Elapsed.TotalSeconds;
        var heldOut = dataset.HeldOut;
        if (dataset.Reused)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{output.FullName} is up to date (same corpus and settings): {dataset.DocumentCount:N0} documents, {dataset.InstanceCount:N0} instances, {dataset.TokenCount:N0} tokens."));
        }
        else
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Preprocessed {dataset.DocumentCount + (heldOut?.DocumentCount ?? 0):N0} documents into {dataset.InstanceCount:N0} training instances, {dataset.TokenCount:N0} tokens, in {seconds:F1} s ({progress.Last.DocumentsPerSecond:N0} documents/s, {progress.Last.TokensPerSecond:N0} tokens/s)."));
        }
        if (heldOut is not null)
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Held out: {heldOut.DocumentCount:N0} documents, {heldOut.InstanceCount:N0} instances, {heldOut.TokenCount:N0} tokens."));
    }

    /// <summary>A one-line progress display on stderr, rewritten in place with \r at most every 200 ms.</summary>
    private sealed class ProgressLine(TextWriter writer) : IProgress<PreprocessProgress>
    {
        private TimeSpan _lastDraw = TimeSpan.FromSeconds(-1);
        private bool _drawn;

        public PreprocessProgress Last { get; private set; }

        public void Report(PreprocessProgress value)
        {
            Last = value;
            if (value.Elapsed - _lastDraw < TimeSpan.FromMilliseconds(200) && value.Fraction < 1) return;
            _lastDraw = value.Elapsed;
            double remaining = value.Fraction > 0 ? value.Elapsed.TotalSeconds * (1 - value.Fraction) / value.Fraction : 0;
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r{value.Fraction * 100,5:F1}%  {value.Documents:N0} documents  {value.Tokens:N0} tokens  {value.DocumentsPerSecond:N0} doc/s  {value.TokensPerSecond:N0} tok/s  ETA {TimeSpan.FromSeconds(Math.Ceiling(remaining)):hh\\:mm\\:ss}   "));
            _drawn = true;
        }

        public void End()
        {
            if (_drawn) writer.WriteLine();
        }
    }
}
