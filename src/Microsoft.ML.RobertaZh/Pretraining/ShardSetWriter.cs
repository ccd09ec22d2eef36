using System.Runtime.InteropServices;
using Microsoft.ML.RobertaZh.Tensors;

namespace Microsoft.ML.RobertaZh.Pretraining;

/// <summary>
/// Appends instances of one split in order and writes them as shards of about <see cref="PretrainingDataOptions.MaxShardTokens"/>
/// tokens, each atomically (temporary file, then rename). Static masks are made here, keyed by the instance's index in the split.
/// </summary>
internal sealed class ShardSetWriter
{
    private readonly string _directory, _prefix;
    private readonly ulong _settingsHash, _corpusHash, _seed;
    private readonly int _maxShardTokens;
    private readonly Masker? _staticMasker;
    private readonly int _copies;
    private readonly List<long> _offsets = [0];
    private readonly List<int> _ids = [];
    private readonly List<byte> _starts = [];
    private readonly List<(List<int> Ids, List<byte> Predicted)> _masks = [];

    public ShardSetWriter(string directory, string prefix, ulong settingsHash, ulong corpusHash, PretrainingDataOptions options, Masker? staticMasker)
    {
        _directory = directory;
        _prefix = prefix;
        _settingsHash = settingsHash;
        _corpusHash = corpusHash;
        _seed = options.Seed;
        _maxShardTokens = options.MaxShardTokens;
        _staticMasker = staticMasker;
        _copies = staticMasker is null ? 0 : options.Masking.DuplicationFactor;
        for (int c = 0; c < _copies; c++) _masks.Add(([], []));
    }

    public SplitManifest Manifest { get; } = new();

    public void AddDocument(List<PackedInstance> instances)
    {
        Manifest.Documents++;
        foreach (var instance in instances) Add(instance);
    }

    public void Finish()
    {
        if (_ids.Count > 0) Flush();
    }

    private void Add(PackedInstance instance)
    {
        int n = instance.Ids.Length;
        _ids.AddRange(instance.Ids);
        _starts.AddRange(instance.WordStarts);
        _offsets.Add(_ids.Count);
        if (_staticMasker is not null)
        {
            var input = new int[n];
            var labels = new int[n];
            for (int c = 0; c < _copies; c++)
            {
                _staticMasker.Mask(instance.Ids, instance.WordStarts, input, labels, MaskRandom.ForInstance(_seed, c, Manifest.Instances));
                _masks[c].Ids.AddRange(input);
                foreach (int label in labels) _masks[c].Predicted.Add(label == Masker.IgnoreLabel ? (byte)0 : (byte)1);
            }
        }
        Manifest.Instances++;
        Manifest.Tokens += n;
        if (_ids.Count >= _maxShardTokens) Flush();
    }

    private void Flush()
    {
        string name = $"{_prefix}-{Manifest.Shards.Count:D5}.bin";
        var copies = _masks.Select(m => (m.Ids.ToArray(), m.Predicted.ToArray())).ToList();
        AtomicFile.Write(Path.Combine(_directory, name), stream =>
            ShardFormat.Write(stream, _settingsHash, _corpusHash, CollectionsMarshal.AsSpan(_offsets), CollectionsMarshal.AsSpan(_ids),
                CollectionsMarshal.AsSpan(_starts), copies));
        Manifest.Shards.Add(name);
        _offsets.Clear();
        _offsets.Add(0);
        _ids.Clear();
        _starts.Clear();
        foreach (var (ids, predicted) in _masks)
        {
            ids.Clear();
            predicted.Clear();
        }
    }
}
