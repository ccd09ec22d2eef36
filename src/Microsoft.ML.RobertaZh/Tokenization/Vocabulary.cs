using System.Text;

namespace Microsoft.ML.RobertaZh.Tokenization;

/// <summary>
/// A WordPiece vocabulary (<c>vocab.txt</c>: one token per line, the line number is the id). Lookups take a
/// <see cref="ReadOnlySpan{T}"/> of chars and allocate nothing; continuation pieces (<c>##xyz</c>) are kept in a second
/// table without their prefix, so the tokenizer never builds a prefixed string.
/// </summary>
public sealed class Vocabulary
{
    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int> _continuations;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _idLookup;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuationLookup;

    /// <summary>Creates a vocabulary from its tokens in id order. When a token repeats, the last id wins (as in HF).</summary>
    /// <param name="tokens">Tokens, id = index.</param>
    /// <param name="continuingSubwordPrefix">Prefix of non-initial pieces, <c>##</c> in BERT.</param>
    public Vocabulary(IEnumerable<string> tokens, string continuingSubwordPrefix = "##")
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentException.ThrowIfNullOrEmpty(continuingSubwordPrefix);
        _tokens = [.. tokens];
        ContinuingSubwordPrefix = continuingSubwordPrefix;
        _ids = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        _continuations = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < _tokens.Length; id++)
        {
            string token = _tokens[id] ?? throw new ArgumentException($"Token {id} is null.", nameof(tokens));
            _ids[token] = id;
            if (token.Length > continuingSubwordPrefix.Length && token.StartsWith(continuingSubwordPrefix, StringComparison.Ordinal))
                _continuations[token[continuingSubwordPrefix.Length..]] = id;
            MaxTokenLength = Math.Max(MaxTokenLength, token.Length);
        }
        _idLookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        _continuationLookup = _continuations.GetAlternateLookup<ReadOnlySpan<char>>();
        HasUpperCaseEntries = _tokens.Any(IsCasedEntry);
    }

    /// <summary>Number of ids (lines of vocab.txt).</summary>
    public int Count => _tokens.Length;

    /// <summary>Prefix of non-initial WordPiece pieces (<c>##</c>).</summary>
    public string ContinuingSubwordPrefix { get; }

    /// <summary>Length in UTF-16 units of the longest token.</summary>
    public int MaxTokenLength { get; }

    /// <summary>
    /// True when some entry other than bracketed special tokens (<c>[UNK]</c>, <c>[unused1]</c>, <c>&lt;S&gt;</c>) has an
    /// upper-case letter. The Chinese BERT vocab has none, so it is meant to be used with lower-casing.
    /// </summary>
    public bool HasUpperCaseEntries { get; }

    /// <summary>The token of <paramref name="id"/>.</summary>
    public string this[int id] => _tokens[id];

    /// <summary>All tokens in id order.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>Reads a vocab.txt (UTF-8, one token per line; trailing whitespace of each line is trimmed as HF's Rust loader does).</summary>
    public static Vocabulary Load(string path, string continuingSubwordPrefix = "##")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var lines = new List<string>();
        using (var reader = new StreamReader(path, Encoding.UTF8))
        {
            string? line;
            while ((line = reader.ReadLine()) is not null) lines.Add(line.TrimEnd());
        }
        if (lines.Count == 0) throw new InvalidDataException($"Vocabulary file '{path}' is empty.");
        return new Vocabulary(lines, continuingSubwordPrefix);
    }

    /// <summary>Writes the vocabulary as vocab.txt (UTF-8 without BOM, LF line ends) through a temporary file, so the target is never half-written.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Tensors.AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            foreach (string token in _tokens)
            {
                writer.Write(token);
                writer.Write('\n');
            }
        });
    }

    /// <summary>Looks up a whole token (for example a word-initial piece or a special token).</summary>
    public bool TryGetId(ReadOnlySpan<char> token, out int id) => _idLookup.TryGetValue(token, out id);

    /// <summary>Looks up a token by its text; returns null when absent.</summary>
    public int? GetId(string token) => _ids.TryGetValue(token, out int id) ? id : null;

    /// <summary>Looks up the continuation piece <c>##</c>+<paramref name="pieceWithoutPrefix"/>.</summary>
    public bool TryGetContinuationId(ReadOnlySpan<char> pieceWithoutPrefix, out int id) =>
        _continuationLookup.TryGetValue(pieceWithoutPrefix, out id);

    private static bool IsCasedEntry(string token)
    {
        if (token.Length >= 2 && ((token[0] == '[' && token[^1] == ']') || (token[0] == '<' && token[^1] == '>'))) return false;
        foreach (var rune in token.EnumerateRunes())
            if (System.Text.Rune.IsUpper(rune)) return true;
        return false;
    }
}
