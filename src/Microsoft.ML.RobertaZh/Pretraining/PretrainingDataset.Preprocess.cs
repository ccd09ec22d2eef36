using Microsoft.ML.RobertaZh.Segmentation;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Pretraining;

public sealed partial class PretrainingDataset
{
    /// <summary>
    /// Builds the dataset of <paramref name="corpusPath"/> in <paramref name="outputDirectory"/>, or returns the existing one
    /// (<see cref="Reused"/>) when it was built from the same corpus (size, last write time, hash of its first and last MiB)
    /// with the same settings (options, vocabulary, tokenizer options, segmenter) and all its shards verify.
    /// </summary>
    /// <remarks>
    /// Documents are packed by all cores (<see cref="PretrainingDataOptions.DegreeOfParallelism"/>) and written in corpus
    /// order, so the files are byte-identical whatever the thread count. Shards are written atomically and the manifest
    /// last; a build that fails or is cancelled leaves no manifest, and the next call rebuilds.
    /// </remarks>
    /// <param name="corpusPath">The corpus file (UTF-8).</param>
    /// <param name="tokenizer">The BERT tokenizer.</param>
    /// <param name="segmenter">jieba, for word starts; required by whole-word masking, otherwise optional (## rule only).</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="outputDirectory">Directory of the shards and the manifest; created when missing.</param>
    /// <param name="progress">Receives progress after each wave of documents (on the calling thread).</param>
    /// <param name="cancellationToken">Stops the build.</param>
    /// <exception cref="InvalidDataException">A corpus line is invalid UTF-8 or too long.</exception>
    public static PretrainingDataset Preprocess(string corpusPath, BertTokenizer tokenizer, JiebaSegmenter? segmenter,
        PretrainingDataOptions? options, string outputDirectory, IProgress<PreprocessProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(corpusPath);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        options ??= new PretrainingDataOptions();
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        if (options.Masking.Strategy == MaskingStrategy.WholeWord && segmenter is null)
            throw new ArgumentException("Whole-word masking needs a jieba segmenter to find the words.", nameof(segmenter));
        var corpus = CorpusIdentity.Of(corpusPath);
        var (settingsHash, description) = DatasetManifest.HashSettings(options, tokenizer, segmenter);
        System.IO.Directory.CreateDirectory(outputDirectory);
        if (TryReuse(outputDirectory, corpus, settingsHash, options) is { } existing) return existing;

        File.Delete(Path.Combine(outputDirectory, DatasetManifest.FileName));
        foreach (string old in System.IO.Directory.EnumerateFiles(outputDirectory, "*.bin"))
            if (Path.GetFileName(old).StartsWith("train-", StringComparison.Ordinal) || Path.GetFileName(old).StartsWith("heldout-", StringComparison.Ordinal))
                File.Delete(old);

        var format = options.Format == CorpusFormat.Auto ? CorpusReader.DetectFormat(corpusPath, options.MaxLineLength) : options.Format;
        long totalDocuments = options.HoldOutDocuments > 0 ? CorpusReader.CountDocuments(corpusPath, format, options.MaxLineLength) : 0;
        var vocabularyIds = VocabularyIds.Of(tokenizer);
        var staticMasker = options.Masking.Dynamic ? null : vocabularyIds.CreateMasker(options.Masking);
        var train = new ShardSetWriter(outputDirectory, "train", settingsHash, corpus.Hash64, options, staticMasker);
        var heldOut = new ShardSetWriter(outputDirectory, "heldout", settingsHash, corpus.Hash64, options, staticMasker);
        var packer = new InstancePacker(tokenizer, segmenter, options.MaxSeqLength, options.ShortSeqProbability, options.Seed);
        int workers = options.DegreeOfParallelism is > 0 and int d ? d : Environment.ProcessorCount;
        int holdOut = options.HoldOutDocuments;
        // Document d is held out when floor((d+1)·N/D) > floor(d·N/D): N documents spread evenly over D.
        bool IsHeldOut(long index) => holdOut > 0 && totalDocuments > 0 && ((index + 1) * holdOut / totalDocuments) > (index * holdOut / totalDocuments);
        PreprocessPipeline.Run(CorpusReader.Read(corpusPath, format, options.MaxLineLength), packer, train, heldOut, IsHeldOut, workers, corpus.Size, progress, cancellationToken);
        train.Finish();
        heldOut.Finish();
        new DatasetManifest
        {
            SettingsHash = settingsHash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
            Settings = description, Corpus = corpus, ResolvedFormat = format, Options = options, Vocabulary = vocabularyIds,
            Train = train.Manifest, HeldOut = heldOut.Manifest,
        }.Write(outputDirectory);
        return OpenCore(outputDirectory, reused: false);
    }

    private static PretrainingDataset? TryReuse(string directory, CorpusIdentity corpus, ulong settingsHash, PretrainingDataOptions options)
    {
        if (!File.Exists(Path.Combine(directory, DatasetManifest.FileName))) return null;
        try
        {
            var manifest = DatasetManifest.Read(directory);
            if (manifest.SettingsHash64 != settingsHash || manifest.Corpus is null || !manifest.Corpus.SameContent(corpus)) return null;
            var dataset = OpenCore(directory, reused: true);
            if (manifest.Options != options)
            {
                // Only settings outside the hash differ (dynamic masking, thread count): record the ones asked for now.
                dataset.Dispose();
                manifest.Options = options;
                manifest.Write(directory);
                dataset = OpenCore(directory, reused: true);
            }
            return dataset;
        }
        catch (InvalidDataException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
