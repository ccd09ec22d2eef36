using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.RobertaZh.Segmentation;
using Microsoft.ML.RobertaZh.Tensors;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Pretraining;

/// <summary>What identifies a corpus file cheaply: size, last write time and a SHA-256 of its first and last mebibyte.</summary>
internal sealed record CorpusIdentity(string Path, long Size, DateTime LastWriteUtc, string Hash)
{
    private const int Window = 1 << 20;

    [JsonIgnore]
    public ulong Hash64 => BinaryPrimitives.ReadUInt64LittleEndian(Convert.FromHexString(Hash));

    public static CorpusIdentity Of(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"Corpus file not found: {path}", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[Window];
        sha.AppendData(BitConverter.GetBytes(info.Length));
        sha.AppendData(buffer, 0, stream.ReadAtLeast(buffer, Window, throwOnEndOfStream: false));
        if (info.Length > Window)
        {
            stream.Seek(Math.Max(Window, info.Length - Window), SeekOrigin.Begin);
            sha.AppendData(buffer, 0, stream.ReadAtLeast(buffer, Window, throwOnEndOfStream: false));
        }
        return new CorpusIdentity(info.FullName, info.Length, info.LastWriteTimeUtc, Convert.ToHexString(sha.GetHashAndReset()));
    }

    public bool SameContent(CorpusIdentity other) => Size == other.Size && LastWriteUtc == other.LastWriteUtc && Hash == other.Hash;
}

/// <summary>Counts and shard files of one split (training or held out).</summary>
internal sealed class SplitManifest
{
    public long Documents { get; set; }
    public long Instances { get; set; }
    public long Tokens { get; set; }
    public List<string> Shards { get; set; } = [];
}

/// <summary>The ids of the tokenizer the shards were built with, so masking needs no vocabulary file.</summary>
internal sealed class VocabularyIds
{
    public int VocabSize { get; set; }
    public int ClsId { get; set; }
    public int SepId { get; set; }
    public int PadId { get; set; }
    public int MaskId { get; set; }
    public List<int> SpecialIds { get; set; } = [];

    /// <summary>The tokenizer's special tokens plus every bracketed entry ([unused1] …), never used as random replacements.</summary>
    public static VocabularyIds Of(BertTokenizer tokenizer)
    {
        var vocab = tokenizer.Vocabulary;
        int Id(string token) => vocab.GetId(token)!.Value;
        var specials = new SortedSet<int>(tokenizer.Options.SpecialTokens.Select(Id));
        for (int id = 0; id < vocab.Count; id++)
        {
            string t = vocab[id];
            if (t.Length > 2 && ((t[0] == '[' && t[^1] == ']') || (t[0] == '<' && t[^1] == '>'))) specials.Add(id);
        }
        return new VocabularyIds
        {
            VocabSize = vocab.Count, ClsId = Id(tokenizer.Options.ClassifierToken), SepId = Id(tokenizer.Options.SeparatorToken),
            PadId = Id(tokenizer.Options.PaddingToken), MaskId = Id(tokenizer.Options.MaskToken), SpecialIds = [.. specials],
        };
    }

    public Masker CreateMasker(MaskingOptions options) => new(options, VocabSize, MaskId, [ClsId, SepId, PadId], SpecialIds);
}

/// <summary><c>manifest.json</c>: written last, so a directory with a manifest holds a complete dataset.</summary>
internal sealed class DatasetManifest
{
    public const string FileName = "manifest.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    public int FormatVersion { get; set; } = ShardFormat.Version;
    public string SettingsHash { get; set; } = "";
    public string Settings { get; set; } = "";
    public CorpusIdentity? Corpus { get; set; }
    public CorpusFormat ResolvedFormat { get; set; }
    public PretrainingDataOptions Options { get; set; } = new();
    public VocabularyIds Vocabulary { get; set; } = new();
    public SplitManifest Train { get; set; } = new();
    public SplitManifest HeldOut { get; set; } = new();

    [JsonIgnore]
    public ulong SettingsHash64 => ulong.Parse(SettingsHash, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>The settings hash: format version, options, tokenizer (vocabulary and options) and segmenter.</summary>
    public static (ulong Hash, string Description) HashSettings(PretrainingDataOptions options, BertTokenizer tokenizer, JiebaSegmenter? segmenter)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"shard-format={ShardFormat.Version};{options.Describe()};tokenizer={tokenizer.Options};");
        text.Append(CultureInfo.InvariantCulture, $"segmenter={(segmenter is null ? "none" : $"jieba:{segmenter.Total}:{segmenter.EntryCount}")};vocab=");
        string description = text.ToString();
        text.AppendJoin('\n', tokenizer.Vocabulary.Tokens);
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return (BinaryPrimitives.ReadUInt64LittleEndian(digest), description + Convert.ToHexString(digest.AsSpan(0, 8)));
    }

    public static DatasetManifest Read(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} not found: the directory holds no complete preprocessed dataset.", path);
        try
        {
            var manifest = JsonSerializer.Deserialize<DatasetManifest>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} is empty.");
            if (manifest.FormatVersion != ShardFormat.Version)
                throw new InvalidDataException($"{path}: format version {manifest.FormatVersion}; this build reads version {ShardFormat.Version}.");
            return manifest;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid manifest: {e.Message}", e);
        }
    }

    public void Write(string directory) => AtomicFile.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json));
}
