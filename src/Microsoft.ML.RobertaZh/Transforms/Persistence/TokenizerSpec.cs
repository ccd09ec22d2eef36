using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Transforms.Persistence;

/// <summary>What a saved spec holds: the row tokenizer and whether the step reads pairs.</summary>
internal sealed record SavedTokenizer(RowTokenizer Rows, bool Pairs);

/// <summary>
/// Everything a <see cref="RowTokenizer"/> is — vocabulary, tokenizer settings, length, padding, truncation — as one
/// base64 string (gzipped JSON): the constant the saved native chain carries inside ML.NET's model zip. Reading it back is
/// cached per string, so a loaded model parses it once, not once per row.
/// </summary>
internal static class TokenizerSpec
{
    private const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private static readonly ConditionalWeakTable<string, SavedTokenizer> ByString = new();
    private static readonly Lock Gate = new();
    private static (string Text, SavedTokenizer Saved)? s_last;

    /// <summary>The spec of <paramref name="rows"/> (reading pairs when <paramref name="pairs"/>).</summary>
    public static string Write(RowTokenizer rows, bool pairs)
    {
        var o = rows.Tokenizer.Options;
        var spec = new Spec(FormatVersion, pairs, rows.MaxLength, rows.FixedLength, rows.Truncation,
            new Settings(o.LowerCase, o.StripAccents, o.TokenizeChineseChars, o.ChineseCharRanges, o.CleanText, o.MaxInputCharsPerWord,
                o.UnknownToken, o.ClassifierToken, o.SeparatorToken, o.PaddingToken, o.MaskToken, [.. o.NeverSplit], o.ModelMaxLength),
            rows.Tokenizer.Vocabulary.ContinuingSubwordPrefix, [.. rows.Tokenizer.Vocabulary.Tokens]);
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true)) JsonSerializer.Serialize(gzip, spec, Json);
        return Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The row tokenizer a spec describes (parsed once per distinct string).</summary>
    /// <exception cref="InvalidDataException">The text is not a spec this version reads.</exception>
    public static SavedTokenizer Read(ReadOnlyMemory<char> text)
    {
        if (MemoryMarshal.TryGetString(text, out string? whole, out int start, out int length) && start == 0 && length == whole.Length)
            return ByString.GetValue(whole, Parse);
        // Not backed by a whole string: compare with the last one read (one model per process is the common case).
        lock (Gate)
        {
            if (s_last is { } last && text.Span.SequenceEqual(last.Text)) return last.Saved;
        }
        string copy = text.ToString();
        var saved = Parse(copy);
        lock (Gate) s_last = (copy, saved);
        return saved;
    }

    private static SavedTokenizer Parse(string text)
    {
        Spec spec;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(Convert.FromBase64String(text)), CompressionMode.Decompress);
            spec = JsonSerializer.Deserialize<Spec>(gzip, Json) ?? throw new InvalidDataException("empty");
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"The saved TokenizeForRoberta step holds no readable tokenizer ({e.Message}); the model zip is damaged.", e);
        }
        if (spec.Format > FormatVersion)
            throw new InvalidDataException($"The saved TokenizeForRoberta step has format {spec.Format}; this version of Microsoft.ML.RobertaZh reads {FormatVersion} and older. Update the library.");
        var s = spec.Tokenizer;
        var options = new BertTokenizerOptions
        {
            LowerCase = s.LowerCase, StripAccents = s.StripAccents, TokenizeChineseChars = s.TokenizeChineseChars, ChineseCharRanges = s.ChineseCharRanges,
            CleanText = s.CleanText, MaxInputCharsPerWord = s.MaxInputCharsPerWord, UnknownToken = s.UnknownToken, ClassifierToken = s.ClassifierToken,
            SeparatorToken = s.SeparatorToken, PaddingToken = s.PaddingToken, MaskToken = s.MaskToken, NeverSplit = s.NeverSplit, ModelMaxLength = s.ModelMaxLength,
        };
        var tokenizer = new BertTokenizer(new Vocabulary(spec.Vocabulary, spec.ContinuingSubwordPrefix), options);
        return new SavedTokenizer(new RowTokenizer(tokenizer, spec.MaxLength, spec.FixedLength, spec.Truncation), spec.Pairs);
    }

    private sealed record Spec(int Format, bool Pairs, int MaxLength, bool FixedLength, TruncationStrategy Truncation, Settings Tokenizer,
        string ContinuingSubwordPrefix, string[] Vocabulary);

    private sealed record Settings(bool LowerCase, bool? StripAccents, bool TokenizeChineseChars, ChineseCharRanges ChineseCharRanges, bool CleanText,
        int MaxInputCharsPerWord, string UnknownToken, string ClassifierToken, string SeparatorToken, string PaddingToken, string MaskToken,
        string[] NeverSplit, int? ModelMaxLength);
}
