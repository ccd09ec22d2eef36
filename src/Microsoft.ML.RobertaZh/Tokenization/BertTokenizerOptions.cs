using System.Globalization;
using System.Text.Json;

namespace Microsoft.ML.RobertaZh.Tokenization;

/// <summary>
/// Settings of <see cref="BertTokenizer"/>, named after Hugging Face's BertTokenizerFast arguments. The defaults are
/// those of the Chinese BERT vocab as UER-py and roberta_zh trained it (lower-casing on); see <see cref="FromConfigFile"/>
/// for reading a <c>tokenizer_config.json</c>. A record: derive variants with <c>with { ... }</c>.
/// </summary>
public sealed record BertTokenizerOptions
{
    /// <summary>Lower-case the text (<c>do_lower_case</c>). Default true.</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>Strip accents (NFD, then drop non-spacing marks); null follows <see cref="LowerCase"/> (<c>strip_accents</c>).</summary>
    public bool? StripAccents { get; init; }

    /// <summary>Put each CJK ideograph in a word of its own (<c>tokenize_chinese_chars</c>). Default true.</summary>
    public bool TokenizeChineseChars { get; init; } = true;

    /// <summary>
    /// Which code points count as CJK ideographs for <see cref="TokenizeChineseChars"/>. Default
    /// <see cref="Tokenization.ChineseCharRanges.HuggingFaceFast"/> (BertTokenizerFast); the ranges differ only at the
    /// start of CJK Extension E.
    /// </summary>
    public ChineseCharRanges ChineseCharRanges { get; init; } = ChineseCharRanges.HuggingFaceFast;

    /// <summary>Delete control characters and map whitespace to spaces (<c>clean_text</c>). Default true.</summary>
    public bool CleanText { get; init; } = true;

    /// <summary>Words with more code points than this become one unknown token (100 in HF; Google and UER use 200).</summary>
    public int MaxInputCharsPerWord { get; init; } = 100;

    /// <summary>The unknown token (<c>unk_token</c>).</summary>
    public string UnknownToken { get; init; } = "[UNK]";

    /// <summary>The classifier token put first (<c>cls_token</c>).</summary>
    public string ClassifierToken { get; init; } = "[CLS]";

    /// <summary>The separator token ending each segment (<c>sep_token</c>).</summary>
    public string SeparatorToken { get; init; } = "[SEP]";

    /// <summary>The padding token (<c>pad_token</c>).</summary>
    public string PaddingToken { get; init; } = "[PAD]";

    /// <summary>The mask token (<c>mask_token</c>).</summary>
    public string MaskToken { get; init; } = "[MASK]";

    /// <summary>
    /// Extra strings kept whole wherever they occur in the raw text, matched like the special tokens (HF fast added-token
    /// semantics; the slow tokenizer's <c>never_split</c> only protects whole whitespace-separated words).
    /// </summary>
    public IReadOnlyList<string> NeverSplit { get; init; } = [];

    /// <summary>The model's longest input (<c>model_max_length</c>), informational; null when absent or unbounded.</summary>
    public int? ModelMaxLength { get; init; }

    /// <summary>True when accents are stripped, after resolving <see cref="StripAccents"/> = null.</summary>
    public bool EffectiveStripAccents => StripAccents ?? LowerCase;

    /// <summary>The special tokens, in the order [PAD], [UNK], [CLS], [SEP], [MASK].</summary>
    public IReadOnlyList<string> SpecialTokens => [PaddingToken, UnknownToken, ClassifierToken, SeparatorToken, MaskToken];

    /// <summary>Reads a Hugging Face <c>tokenizer_config.json</c>; keys it does not have keep the defaults above.</summary>
    public static BertTokenizerOptions FromConfigFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return FromConfigJson(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>
    /// Parses the text of a <c>tokenizer_config.json</c>: <c>do_lower_case</c>, <c>strip_accents</c>,
    /// <c>tokenize_chinese_chars</c>, <c>clean_text</c>, <c>never_split</c>, <c>model_max_length</c> and the special tokens
    /// (as strings or as <c>{"content": ...}</c> objects).
    /// </summary>
    public static BertTokenizerOptions FromConfigJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException("tokenizer_config.json must hold a JSON object.");
        var defaults = new BertTokenizerOptions();
        return new BertTokenizerOptions
        {
            LowerCase = Bool(root, "do_lower_case") ?? defaults.LowerCase,
            StripAccents = Bool(root, "strip_accents"),
            TokenizeChineseChars = Bool(root, "tokenize_chinese_chars") ?? defaults.TokenizeChineseChars,
            CleanText = Bool(root, "clean_text") ?? defaults.CleanText,
            UnknownToken = Token(root, "unk_token") ?? defaults.UnknownToken,
            ClassifierToken = Token(root, "cls_token") ?? defaults.ClassifierToken,
            SeparatorToken = Token(root, "sep_token") ?? defaults.SeparatorToken,
            PaddingToken = Token(root, "pad_token") ?? defaults.PaddingToken,
            MaskToken = Token(root, "mask_token") ?? defaults.MaskToken,
            NeverSplit = Strings(root, "never_split"),
            ModelMaxLength = MaxLength(root),
        };
    }

    private static bool? Bool(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var value) ? null : value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => null,
            _ => throw new InvalidDataException($"tokenizer_config.json: '{name}' must be true, false or null."),
        };

    private static string? Token(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value)) return null;
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
            return content.GetString();
        if (value.ValueKind == JsonValueKind.Null) return null;
        throw new InvalidDataException($"tokenizer_config.json: '{name}' must be a string or an object with 'content'.");
    }

    private static string[] Strings(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return [];
        if (value.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"tokenizer_config.json: '{name}' must be an array of strings.");
        return [.. value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String
            ? e.GetString()!
            : throw new InvalidDataException($"tokenizer_config.json: '{name}' must be an array of strings."))];
    }

    private static int? MaxLength(JsonElement root)
    {
        if (!root.TryGetProperty("model_max_length", out var value) || value.ValueKind != JsonValueKind.Number) return null;
        // HF writes 1e30 (VERY_LARGE_INTEGER) for "no limit".
        double length = value.GetDouble();
        return length is > 0 and <= int.MaxValue ? (int)length : null;
    }

    /// <summary>A one-line summary, for logs.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"lower_case={LowerCase}, strip_accents={EffectiveStripAccents}, tokenize_chinese_chars={TokenizeChineseChars}, clean_text={CleanText}, chinese_char_ranges={ChineseCharRanges}, max_input_chars_per_word={MaxInputCharsPerWord}");
}

/// <summary>The CJK ideograph ranges that <see cref="BertTokenizerOptions.TokenizeChineseChars"/> isolates.</summary>
public enum ChineseCharRanges
{
    /// <summary>
    /// Hugging Face's Rust tokenizers (BertTokenizerFast, <c>normalizers/bert.rs</c>): CJK Extension E from U+2B920, so
    /// U+2B820–U+2B91F stay glued to their neighbours.
    /// </summary>
    HuggingFaceFast,

    /// <summary>
    /// Google's BERT <c>tokenization.py</c> (also HF's Python BertTokenizer, UER-py and roberta_zh): CJK Extension E from
    /// U+2B820, the block's real start.
    /// </summary>
    GoogleBert,
}
