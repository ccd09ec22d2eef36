using System.Buffers;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.RobertaZh.Tokenization;

/// <summary>
/// This library's Hugging Face-compatible <see cref="BertTokenizer"/> as a <see cref="Microsoft.ML.Tokenizers.Tokenizer"/>,
/// for code written against Microsoft.ML.Tokenizers (token counting, chunking, ML.NET and Semantic Kernel helpers).
/// Ids, tokens and offsets are those of BertTokenizerFast; offsets index the original text, which is never
/// normalized (so <c>normalizedText</c> is always null, and <see cref="Microsoft.ML.Tokenizers.Tokenizer.Normalizer"/>
/// and <see cref="Microsoft.ML.Tokenizers.Tokenizer.PreTokenizer"/> are null: cleaning, lower-casing, accent stripping
/// and splitting are part of BERT's basic tokenizer and always apply, whatever <c>considerNormalization</c> and
/// <c>considerPreTokenization</c> say).
/// </summary>
/// <remarks>
/// A maximum token count keeps whole words only (a word's ## pieces are never separated), as Microsoft.ML.Tokenizers'
/// WordPiece does, so the returned character index is always a clean cut; <see cref="EncodePair"/> truncates by HF's
/// rules instead. With <see cref="AddSpecialTokens"/>, [CLS] and [SEP] (offsets 0..0) are part of every result and
/// count against the maximum.
/// </remarks>
public sealed class RobertaZhTokenizer : Microsoft.ML.Tokenizers.Tokenizer
{
    private readonly int _clsId, _sepId;

    /// <summary>Wraps <paramref name="bertTokenizer"/>.</summary>
    /// <param name="bertTokenizer">The tokenizer doing the work.</param>
    /// <param name="addSpecialTokens">Put [CLS] first and [SEP] last in every encoding (default false: the text's tokens only).</param>
    public RobertaZhTokenizer(BertTokenizer bertTokenizer, bool addSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(bertTokenizer);
        BertTokenizer = bertTokenizer;
        AddSpecialTokens = addSpecialTokens;
        _clsId = bertTokenizer.Vocabulary.GetId(bertTokenizer.Options.ClassifierToken)!.Value;
        _sepId = bertTokenizer.Vocabulary.GetId(bertTokenizer.Options.SeparatorToken)!.Value;
    }

    /// <summary>Loads <c>vocab.txt</c> (and a <c>tokenizer_config.json</c>, as <see cref="BertTokenizer.Load"/> does).</summary>
    /// <param name="vocabPath">Path of <c>vocab.txt</c>.</param>
    /// <param name="configPath">Path of <c>tokenizer_config.json</c>; null for the one beside the vocabulary, if any.</param>
    /// <param name="addSpecialTokens">Put [CLS] first and [SEP] last in every encoding.</param>
    public static RobertaZhTokenizer Create(string vocabPath, string? configPath = null, bool addSpecialTokens = false) =>
        new(BertTokenizer.Load(vocabPath, configPath), addSpecialTokens);

    /// <summary>The wrapped tokenizer (pairs, truncation, padding, batches).</summary>
    public BertTokenizer BertTokenizer { get; }

    /// <summary>True when every encoding starts with [CLS] and ends with [SEP].</summary>
    public bool AddSpecialTokens { get; }

    /// <summary>
    /// Encodes a pair (or, with <paramref name="textPair"/> null, a single text) into ids, type ids, attention mask and
    /// offsets with HF's truncation and padding: <c>[CLS] A [SEP] B [SEP]</c> unless <see cref="EncodeOptions.AddSpecialTokens"/>
    /// is false. The same as <see cref="BertTokenizer.Encode"/>.
    /// </summary>
    public BertEncoding EncodePair(string text, string? textPair, EncodeOptions? options = null) =>
        BertTokenizer.Encode(text, textPair, options);

    /// <summary>Decodes ids as HF's fast decoder does, optionally leaving out [CLS], [SEP], [PAD], [UNK] and [MASK].</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the vocabulary.</exception>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens) => BertTokenizer.Decode(ids, skipSpecialTokens);

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the vocabulary.</exception>
    public override string Decode(IEnumerable<int> ids) => BertTokenizer.Decode(ids);

    /// <summary>
    /// Decodes <paramref name="ids"/> into <paramref name="destination"/>, token by token: when it is too small, the
    /// text of the ids that fit is written and <see cref="OperationStatus.DestinationTooSmall"/> returned; an id outside
    /// the vocabulary stops with <see cref="OperationStatus.InvalidData"/>.
    /// </summary>
    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var vocabulary = BertTokenizer.Vocabulary;
        idsConsumed = 0;
        charsWritten = 0;
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)vocabulary.Count) return OperationStatus.InvalidData;
            string piece = WordPieceDecoder.Piece(vocabulary[id], idsConsumed == 0, vocabulary.ContinuingSubwordPrefix, cleanup: true);
            if (piece.Length > destination.Length - charsWritten) return OperationStatus.DestinationTooSmall;
            piece.AsSpan().CopyTo(destination[charsWritten..]);
            charsWritten += piece.Length;
            idsConsumed++;
        }
        return OperationStatus.Done;
    }

    /// <inheritdoc />
    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var span = text is null ? textSpan : text.AsSpan();
        var buffer = Tokenize(span, settings.MaxTokenCount, out int count, out int consumed);
        if (buffer is null) return new EncodeResults<EncodedToken> { Tokens = [], CharsConsumed = 0 };
        var vocabulary = BertTokenizer.Vocabulary;
        var tokens = new EncodedToken[count + (AddSpecialTokens ? 2 : 0)];
        int k = 0;
        if (AddSpecialTokens) tokens[k++] = new EncodedToken(_clsId, vocabulary[_clsId], new Range(0, 0));
        for (int i = 0; i < count; i++)
            tokens[k++] = new EncodedToken(buffer.Ids[i], vocabulary[buffer.Ids[i]], new Range(buffer.Starts[i], buffer.Ends[i]));
        if (AddSpecialTokens) tokens[k] = new EncodedToken(_sepId, vocabulary[_sepId], new Range(0, 0));
        return new EncodeResults<EncodedToken> { Tokens = tokens, CharsConsumed = consumed };
    }

    /// <inheritdoc />
    protected override EncodeResults<int> EncodeToIds(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var span = text is null ? textSpan : text.AsSpan();
        var buffer = Tokenize(span, settings.MaxTokenCount, out int count, out int consumed);
        if (buffer is null) return new EncodeResults<int> { Tokens = [], CharsConsumed = 0 };
        var ids = new int[count + (AddSpecialTokens ? 2 : 0)];
        int k = 0;
        if (AddSpecialTokens) ids[k++] = _clsId;
        buffer.Ids.AsSpan(0, count).CopyTo(ids.AsSpan(k));
        if (AddSpecialTokens) ids[^1] = _sepId;
        return new EncodeResults<int> { Tokens = ids, CharsConsumed = consumed };
    }

    /// <inheritdoc />
    protected override int CountTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var buffer = Tokenize(text is null ? textSpan : text.AsSpan(), settings.MaxTokenCount, out int count, out _);
        return buffer is null ? 0 : count + (AddSpecialTokens ? 2 : 0);
    }

    /// <summary>
    /// The index in the original text up to which (or, <paramref name="fromEnd"/>, from which) the text's whole words fit
    /// in <see cref="EncodeSettings.MaxTokenCount"/> tokens: the end of the last token kept (the text's length when all
    /// fit, 0 when none) or the start of the first token kept (0 when all fit, the text's length when none).
    /// <paramref name="tokenCount"/> counts the tokens kept, with [CLS] and [SEP] when <see cref="AddSpecialTokens"/>.
    /// </summary>
    protected override int GetIndexByTokenCount(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings, bool fromEnd,
        out string? normalizedText, out int tokenCount)
    {
        var span = text is null ? textSpan : text.AsSpan();
        normalizedText = null;
        int budget = Budget(settings.MaxTokenCount);
        tokenCount = 0;
        if (budget < 0) return fromEnd ? span.Length : 0;
        var buffer = BertTokenizer.TokenizeToScratch(span);
        int extra = AddSpecialTokens ? 2 : 0;
        if (!fromEnd)
        {
            int kept = buffer.WholeWordsFromStart(budget);
            tokenCount = kept + extra;
            return kept == buffer.Count ? span.Length : kept == 0 ? 0 : buffer.Ends[kept - 1];
        }
        int first = buffer.WholeWordsFromEnd(budget);
        tokenCount = buffer.Count - first + extra;
        return first == 0 ? 0 : first == buffer.Count ? span.Length : buffer.Starts[first];
    }

    // Tokens of the text that fit the maximum (whole words), or null when not even the special tokens fit.
    private TokenBuffer? Tokenize(ReadOnlySpan<char> text, int maxTokenCount, out int count, out int charsConsumed)
    {
        int budget = Budget(maxTokenCount);
        if (budget < 0)
        {
            count = charsConsumed = 0;
            return null;
        }
        var buffer = BertTokenizer.TokenizeToScratch(text);
        count = buffer.WholeWordsFromStart(budget);
        charsConsumed = count == buffer.Count ? text.Length : count == 0 ? 0 : buffer.Ends[count - 1];
        return buffer;
    }

    // Tokens left for the text once [CLS] and [SEP] are counted; negative when they do not fit.
    private int Budget(int maxTokenCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTokenCount, "settings.MaxTokenCount");
        return AddSpecialTokens ? maxTokenCount - 2 : maxTokenCount;
    }
}
