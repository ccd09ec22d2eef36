namespace Microsoft.ML.RobertaZh.Pretraining;

/// <summary>
/// A preprocessed pretraining corpus: packed instances ([CLS] … [SEP], token type 0) with word-start flags, and static
/// masks when masking is static, in memory-mapped shard files checked when opened. Built by <see cref="Preprocess"/>,
/// reopened by <see cref="Open"/>; <see cref="HeldOut"/> holds the held-out documents' instances. Thread-safe for reading.
/// </summary>
/// <remarks>Spans returned by the accessors point into the mapped files and are valid until the dataset is disposed.</remarks>
public sealed partial class PretrainingDataset : IDisposable
{
    private readonly Shard[] _shards;
    private readonly long[] _shardStarts;
    private readonly DatasetManifest _manifest;
    private bool _disposed;

    private PretrainingDataset(string directory, DatasetManifest manifest, SplitManifest split, Shard[] shards, PretrainingDataset? heldOut, bool reused)
    {
        Directory = directory;
        _manifest = manifest;
        _shards = shards;
        _shardStarts = new long[shards.Length + 1];
        for (int s = 0; s < shards.Length; s++) _shardStarts[s + 1] = _shardStarts[s] + shards[s].InstanceCount;
        if (_shardStarts[^1] != split.Instances || shards.Sum(s => s.TokenCount) != split.Tokens)
            throw new InvalidDataException($"The shards in {directory} hold {_shardStarts[^1]} instances and {shards.Sum(s => s.TokenCount)} tokens; the manifest says {split.Instances} and {split.Tokens}.");
        if (_shardStarts[^1] > int.MaxValue) throw new InvalidDataException($"{directory} holds more than {int.MaxValue} instances.");
        DocumentCount = split.Documents;
        TokenCount = split.Tokens;
        HeldOut = heldOut;
        Reused = reused;
    }

    /// <summary>The dataset directory.</summary>
    public string Directory { get; }

    /// <summary>The options the dataset was built with.</summary>
    public PretrainingDataOptions Options => _manifest.Options;

    /// <summary>Number of documents the instances came from.</summary>
    public long DocumentCount { get; }

    /// <summary>Number of instances.</summary>
    public int InstanceCount => (int)_shardStarts[^1];

    /// <summary>Number of tokens over all instances, [CLS] and [SEP] included.</summary>
    public long TokenCount { get; }

    /// <summary>The held-out split (its own instances, numbered from 0), or null when no document was held out or this is it.</summary>
    public PretrainingDataset? HeldOut { get; }

    /// <summary>True when <see cref="Preprocess"/> found the dataset up to date and did not rebuild it.</summary>
    public bool Reused { get; }

    /// <summary>Number of ids of the vocabulary the dataset was built with.</summary>
    public int VocabSize => _manifest.Vocabulary.VocabSize;

    /// <summary>Id of [PAD].</summary>
    public int PadTokenId => _manifest.Vocabulary.PadId;

    /// <summary>Id of [MASK].</summary>
    public int MaskTokenId => _manifest.Vocabulary.MaskId;

    /// <summary>Ids never used as random replacements (special and bracketed tokens).</summary>
    public IReadOnlyList<int> SpecialTokenIds => _manifest.Vocabulary.SpecialIds;

    /// <summary>Number of stored masked copies (0 when masking is dynamic).</summary>
    public int StaticCopies => _shards.Length == 0 ? (Options.Masking.Dynamic ? 0 : Options.Masking.DuplicationFactor) : _shards[0].Copies;

    /// <summary>Number of tokens of <paramref name="instance"/>.</summary>
    public int GetLength(int instance)
    {
        Locate(instance, out var shard, out long local);
        return shard.InstanceLength(local);
    }

    /// <summary>The token ids of <paramref name="instance"/>: [CLS] … [SEP].</summary>
    public ReadOnlySpan<int> GetTokenIds(int instance)
    {
        Locate(instance, out var shard, out long local);
        return shard.Ids(local);
    }

    /// <summary>The word-start flags of <paramref name="instance"/> (1 where a word starts).</summary>
    public ReadOnlySpan<byte> GetWordStarts(int instance)
    {
        Locate(instance, out var shard, out long local);
        return shard.WordStarts(local);
    }

    /// <summary>Copies stored masked copy <paramref name="copy"/> of <paramref name="instance"/>; returns the number of predictions.</summary>
    /// <exception cref="InvalidOperationException">The dataset has no static masks.</exception>
    public int GetStaticMask(int instance, int copy, Span<int> inputIds, Span<int> labels)
    {
        if (StaticCopies == 0) throw new InvalidOperationException("The dataset was built for dynamic masking and stores no masks.");
        ArgumentOutOfRangeException.ThrowIfNegative(copy);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(copy, StaticCopies);
        Locate(instance, out var shard, out long local);
        var ids = shard.Ids(local);
        if (inputIds.Length != ids.Length || labels.Length != ids.Length)
            throw new ArgumentException($"inputIds and labels must have the instance's length {ids.Length}.", nameof(inputIds));
        shard.MaskedIds(copy, local).CopyTo(inputIds);
        var predicted = shard.Predicted(copy, local);
        int count = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            labels[i] = predicted[i] != 0 ? ids[i] : Masker.IgnoreLabel;
            count += predicted[i];
        }
        return count;
    }

    /// <summary>A masker over this dataset's vocabulary: [CLS]/[SEP]/[PAD] never predicted, <see cref="SpecialTokenIds"/> never drawn.</summary>
    public Masker CreateMasker(MaskingOptions? options = null) => _manifest.Vocabulary.CreateMasker(options ?? Options.Masking);

    /// <summary>Opens the dataset in <paramref name="directory"/>, verifying every shard.</summary>
    /// <exception cref="FileNotFoundException">There is no manifest (no complete dataset).</exception>
    /// <exception cref="InvalidDataException">A shard is missing, truncated or corrupt, or does not match the manifest; the message names it.</exception>
    public static PretrainingDataset Open(string directory) => OpenCore(directory, reused: false);

    private static PretrainingDataset OpenCore(string directory, bool reused)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var manifest = DatasetManifest.Read(directory);
        var heldOutShards = OpenShards(directory, manifest, manifest.HeldOut);
        PretrainingDataset? heldOut = null;
        try
        {
            if (manifest.HeldOut.Documents > 0) heldOut = new PretrainingDataset(directory, manifest, manifest.HeldOut, heldOutShards, null, reused);
            var train = OpenShards(directory, manifest, manifest.Train);
            try
            {
                return new PretrainingDataset(directory, manifest, manifest.Train, train, heldOut, reused);
            }
            catch
            {
                foreach (var s in train) s.Dispose();
                throw;
            }
        }
        catch
        {
            foreach (var s in heldOutShards) s.Dispose();
            throw;
        }
    }

    private static Shard[] OpenShards(string directory, DatasetManifest manifest, SplitManifest split)
    {
        var shards = new List<Shard>();
        try
        {
            foreach (string name in split.Shards)
            {
                string path = Path.Combine(directory, name);
                if (!File.Exists(path)) throw new InvalidDataException($"Shard {path} listed in the manifest is missing.");
                var shard = Shard.Open(path);
                shards.Add(shard);
                if (shard.SettingsHash != manifest.SettingsHash64 || shard.CorpusHash != manifest.Corpus?.Hash64)
                    throw new InvalidDataException($"Shard {path} was built from other settings or another corpus than the manifest describes.");
            }
            return [.. shards];
        }
        catch
        {
            foreach (var s in shards) s.Dispose();
            throw;
        }
    }

    /// <summary>Unmaps the shard files (of the held-out split too).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var shard in _shards) shard.Dispose();
        HeldOut?.Dispose();
    }

    private void Locate(int instance, out Shard shard, out long local)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(instance);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(instance, InstanceCount);
        int s = Array.BinarySearch(_shardStarts, instance);
        if (s < 0) s = ~s - 1;
        while (_shardStarts[s + 1] <= instance) s++;
        shard = _shards[s];
        local = instance - _shardStarts[s];
    }
}
