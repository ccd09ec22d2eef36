using System.Collections.Concurrent;

namespace Microsoft.ML.RobertaZh.Tokenization;

/// <summary>
/// The BERT WordPiece tokenizer of bert-base-chinese, roberta_zh and UER-py's models, matching Hugging Face's
/// BertTokenizerFast: basic tokenization (cleaning, CJK isolation, lower-casing and accent stripping, punctuation
/// splitting), greedy longest-match WordPiece, [CLS] A [SEP] B [SEP] with token types, truncation, padding and
/// UTF-16 offsets into the original strings. Thread-safe; <see cref="EncodeBatch"/> encodes in parallel.
/// </summary>
/// <remarks>
/// <see cref="BertTokenizerOptions.ChineseCharRanges"/> chooses between BertTokenizerFast's CJK ranges (the default) and
/// Google BERT's, which differ at the start of CJK Extension E; <see cref="BertTokenizerOptions.NeverSplit"/> strings are
/// honoured as added tokens.
/// </remarks>
public sealed class BertTokenizer
{
    [ThreadStatic] private static Workspace? t_workspace;

    private readonly BasicTokenizer _basic;
    private readonly WordPieceTokenizer _wordPiece;
    private readonly SpecialTokenMatcher _specials;
    private readonly HashSet<int> _specialIds;
    private readonly int _clsId, _sepId, _padId;

    /// <summary>Creates a tokenizer over <paramref name="vocabulary"/>.</summary>
    /// <exception cref="ArgumentException">A special token is missing from the vocabulary, or an option is out of range.</exception>
    public BertTokenizer(Vocabulary vocabulary, BertTokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        options ??= new BertTokenizerOptions();
        if (options.MaxInputCharsPerWord <= 0)
            throw new ArgumentException("MaxInputCharsPerWord must be positive.", nameof(options));
        Vocabulary = vocabulary;
        Options = options;
        int Require(string token) => vocabulary.GetId(token)
            ?? throw new ArgumentException($"The special token '{token}' is not in the vocabulary.", nameof(options));
        UnknownId = Require(options.UnknownToken);
        _clsId = Require(options.ClassifierToken);
        _sepId = Require(options.SeparatorToken);
        _padId = Require(options.PaddingToken);
        int maskId = Require(options.MaskToken);
        _specialIds = [_padId, UnknownId, _clsId, _sepId, maskId];
        var protectedTokens = options.SpecialTokens.Select(t => (t, vocabulary.GetId(t)!.Value))
            .Concat(options.NeverSplit.Select(t => (t, vocabulary.GetId(t) ?? UnknownId)));
        _specials = new SpecialTokenMatcher(protectedTokens);
        _basic = new BasicTokenizer(options.LowerCase, options.EffectiveStripAccents, options.TokenizeChineseChars, options.CleanText, options.ChineseCharRanges);
        _wordPiece = new WordPieceTokenizer(vocabulary, UnknownId, options.MaxInputCharsPerWord);
        var warnings = new List<string>();
        if (!options.LowerCase && !vocabulary.HasUpperCaseEntries)
        {
            warnings.Add("The vocabulary has no upper-case entries but lower-casing is off (do_lower_case: false), so every " +
                         "word with a capital letter becomes [UNK]; UER-py and roberta_zh trained this vocabulary lower-cased.");
        }
        Warnings = warnings;
    }

    /// <summary>The vocabulary.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>The options the tokenizer was built with.</summary>
    public BertTokenizerOptions Options { get; }

    /// <summary>Id of the unknown token.</summary>
    public int UnknownId { get; }

    /// <summary>Problems with the configuration worth telling a user, such as lower-casing off for an uncased vocabulary.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// Loads <c>vocab.txt</c> and, when <paramref name="configPath"/> is given or a <c>tokenizer_config.json</c> sits beside
    /// the vocab, the options from that config; otherwise the defaults of <see cref="BertTokenizerOptions"/>.
    /// </summary>
    public static BertTokenizer Load(string vocabPath, string? configPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(vocabPath);
        if (configPath is null)
        {
            string beside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(vocabPath))!, "tokenizer_config.json");
            if (File.Exists(beside)) configPath = beside;
        }
        var options = configPath is null ? new BertTokenizerOptions() : BertTokenizerOptions.FromConfigFile(configPath);
        return new BertTokenizer(Vocabulary.Load(vocabPath), options);
    }

    /// <summary>The WordPiece tokens of <paramref name="text"/>, without special tokens.</summary>
    public IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var buffer = Workspace.Current.First;
        TokenizeInto(text, buffer);
        var tokens = new string[buffer.Count];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = Vocabulary[buffer.Ids[i]];
        return tokens;
    }

    /// <summary>Encodes a text, or a pair of texts, into ids, type ids, attention mask, tokens and offsets.</summary>
    /// <param name="text">The (first) text.</param>
    /// <param name="textPair">The second text of a pair, or null.</param>
    /// <param name="options">Truncation, padding and special tokens; null for <see cref="EncodeOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">The maximum length is too small for the special tokens, or truncation is impossible.</exception>
    public BertEncoding Encode(string text, string? textPair = null, EncodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= EncodeOptions.Default;
        Validate(options);
        var encoding = EncodeOne(text, textPair, options);
        int? target = options.Padding == PaddingStrategy.MaxLength ? options.MaxLength : null;
        return target is int length ? encoding.PadTo(RoundUp(length, options.PadToMultipleOf), _padId, Options.PaddingToken) : PadMultiple(encoding, options);
    }

    /// <summary>Encodes many texts (or pairs) in parallel; with <see cref="PaddingStrategy.Longest"/> all are padded to the longest.</summary>
    /// <param name="texts">The (first) texts.</param>
    /// <param name="textPairs">The second texts, one per text (null entries for single texts), or null.</param>
    /// <param name="options">Truncation, padding and special tokens; null for <see cref="EncodeOptions.Default"/>.</param>
    public IReadOnlyList<BertEncoding> EncodeBatch(IReadOnlyList<string> texts, IReadOnlyList<string?>? textPairs = null, EncodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (textPairs is not null && textPairs.Count != texts.Count)
            throw new ArgumentException($"textPairs has {textPairs.Count} entries for {texts.Count} texts.", nameof(textPairs));
        options ??= EncodeOptions.Default;
        Validate(options);
        var results = new BertEncoding[texts.Count];
        // Chunks of consecutive items, so that scheduling costs little next to encoding short texts.
        Parallel.ForEach(Partitioner.Create(0, texts.Count, Math.Max(16, texts.Count / (Environment.ProcessorCount * 8))), range =>
        {
            for (int i = range.Item1; i < range.Item2; i++)
                results[i] = EncodeOne(texts[i] ?? throw new ArgumentException($"texts[{i}] is null.", nameof(texts)), textPairs?[i], options);
        });
        int? target = options.Padding switch
        {
            PaddingStrategy.MaxLength => options.MaxLength,
            PaddingStrategy.Longest => results.Length == 0 ? 0 : results.Max(r => r.Count),
            _ => null,
        };
        for (int i = 0; i < results.Length; i++)
            results[i] = target is int length ? results[i].PadTo(RoundUp(length, options.PadToMultipleOf), _padId, Options.PaddingToken) : PadMultiple(results[i], options);
        return results;
    }

    /// <summary>Turns ids back into text as HF's fast decoder does: ## pieces glued, tokenization spaces cleaned up.</summary>
    /// <param name="ids">Token ids.</param>
    /// <param name="skipSpecialTokens">Leave out [CLS], [SEP], [PAD], [UNK] and [MASK].</param>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var tokens = ids.Where(id => !skipSpecialTokens || !_specialIds.Contains(id)).Select(id =>
            (uint)id < (uint)Vocabulary.Count ? Vocabulary[id] : throw new ArgumentOutOfRangeException(nameof(ids), id, "Id outside the vocabulary."));
        return WordPieceDecoder.Decode(tokens, Vocabulary.ContinuingSubwordPrefix, cleanup: true);
    }

    /// <summary>HF <c>convert_tokens_to_string</c>: joins tokens with spaces and removes " ##".</summary>
    public string ConvertTokensToString(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return WordPieceDecoder.ConvertTokensToString(tokens, Vocabulary.ContinuingSubwordPrefix);
    }

    private BertEncoding EncodeOne(string text, string? textPair, EncodeOptions options)
    {
        var workspace = Workspace.Current;
        TokenBuffer a = workspace.First, b = workspace.Second;
        TokenizeInto(text, a);
        if (textPair is not null) TokenizeInto(textPair, b);
        else b.Clear();
        int added = !options.AddSpecialTokens ? 0 : textPair is null ? 2 : 3;
        int keepA = a.Count, keepB = b.Count;
        if (options.MaxLength is int maxLength)
        {
            if (maxLength < added)
                throw new ArgumentException($"MaxLength {maxLength} is smaller than the {added} special tokens.", nameof(options));
            (keepA, keepB) = options.Truncation == TruncationStrategy.LongestFirst && textPair is not null
                // BertTokenizerFast decides which side is longer on the lengths it tokenized before stopping early.
                ? Truncation.Fit(a.LengthTokenizedWithLimit(maxLength), b.LengthTokenizedWithLimit(maxLength), maxLength - added, options.Truncation)
                : Truncation.Fit(a.Count, textPair is null ? null : b.Count, maxLength - added, options.Truncation);
        }
        int n = keepA + keepB + added;
        var ids = new int[n];
        var typeIds = new int[n];
        var mask = new int[n];
        var special = new int[n];
        var tokens = new string[n];
        var offsets = new TokenOffset[n];
        int k = 0;
        void AddSpecial(int id, int type)
        {
            ids[k] = id; typeIds[k] = type; special[k] = 1; tokens[k] = Vocabulary[id]; k++;
        }
        void AddText(TokenBuffer source, int count, int type)
        {
            for (int i = 0; i < count; i++, k++)
            {
                ids[k] = source.Ids[i]; typeIds[k] = type; tokens[k] = Vocabulary[source.Ids[i]];
                offsets[k] = new TokenOffset(source.Starts[i], source.Ends[i]);
            }
        }
        if (options.AddSpecialTokens) AddSpecial(_clsId, 0);
        AddText(a, keepA, 0);
        if (options.AddSpecialTokens) AddSpecial(_sepId, 0);
        if (textPair is not null)
        {
            AddText(b, keepB, 1);
            if (options.AddSpecialTokens) AddSpecial(_sepId, 1);
        }
        mask.AsSpan().Fill(1);
        return new BertEncoding(ids, typeIds, mask, special, tokens, offsets);
    }

    /// <summary>
    /// Tokenizes <paramref name="text"/> without special tokens into this thread's scratch buffer and returns it: ids,
    /// UTF-16 offsets into <paramref name="text"/> and word boundaries. Valid until the next call on this thread.
    /// </summary>
    internal TokenBuffer TokenizeToScratch(ReadOnlySpan<char> text)
    {
        var buffer = Workspace.Current.First;
        TokenizeInto(text, buffer);
        return buffer;
    }

    private void TokenizeInto(ReadOnlySpan<char> span, TokenBuffer output)
    {
        output.Clear();
        var words = Workspace.Current.Words;
        for (int from = 0; from <= span.Length;)
        {
            int at = _specials.Find(span, from, out int length, out int id);
            int segmentEnd = at < 0 ? span.Length : at;
            if (segmentEnd > from)
            {
                words.Clear();
                _basic.Split(span[from..segmentEnd], from, words);
                _wordPiece.Tokenize(words, output);
            }
            if (at < 0) break;
            output.Add(id, at, at + length, TokenKind.Special);
            from = at + length;
        }
    }

    private BertEncoding PadMultiple(BertEncoding encoding, EncodeOptions options) =>
        options.Padding != PaddingStrategy.None && options.PadToMultipleOf is int
            ? encoding.PadTo(RoundUp(encoding.Count, options.PadToMultipleOf), _padId, Options.PaddingToken)
            : encoding;

    private static int RoundUp(int length, int? multiple) =>
        multiple is int m and > 0 ? (length + m - 1) / m * m : length;

    private static void Validate(EncodeOptions options)
    {
        if (options.MaxLength is <= 0)
            throw new ArgumentException("MaxLength must be positive.", nameof(options));
        if (options.Padding == PaddingStrategy.MaxLength && options.MaxLength is null)
            throw new ArgumentException("Padding to MaxLength needs MaxLength.", nameof(options));
        if (options.PadToMultipleOf is <= 0)
            throw new ArgumentException("PadToMultipleOf must be positive.", nameof(options));
    }

    /// <summary>Per-thread scratch buffers, so encoding allocates only its results.</summary>
    private sealed class Workspace
    {
        public readonly TokenBuffer First = new();
        public readonly TokenBuffer Second = new();
        public readonly NormalizedWords Words = new();

        public static Workspace Current => t_workspace ??= new Workspace();
    }
}
