using System.Buffers;
using System.Globalization;
using System.Text;

namespace Microsoft.ML.RobertaZh.Segmentation;

/// <summary>
/// Parses jieba's dictionary formats line by line from UTF-8 bytes, without a string per line.
/// </summary>
/// <remarks>
/// Main dictionary (jieba <c>gen_pfdict</c>): each line is stripped of ASCII whitespace, split on ' ', and the first two
/// fields are the word and its integer frequency; the rest (the part-of-speech tag) is ignored. Every line must parse,
/// blank lines included. User dictionary (jieba <c>load_userdict</c>): blank lines are skipped, a leading BOM is removed,
/// and the line is matched as <c>^(.+?)( [0-9]+)?( [a-z]+)?$</c>, so the frequency and the tag are both optional.
/// </remarks>
internal static class DictionaryReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>One parsed user-dictionary line: the word, its frequency (null when the line gives none) and the line number.</summary>
    public readonly record struct UserEntry(string Word, long? Frequency, int LineNumber);

    /// <summary>Adds every line of a main dictionary to <paramref name="dictionary"/>; <paramref name="name"/> names the source in errors.</summary>
    /// <exception cref="InvalidDataException">A line is not <c>word freq [tag]</c>, its frequency is not a non-negative integer, or it is not UTF-8.</exception>
    public static void LoadMain(PrefixDictionary dictionary, ReadOnlySpan<byte> data, string name)
    {
        char[] buffer = ArrayPool<char>.Shared.Rent(256);
        try
        {
            int lineNumber = 0;
            while (NextLine(ref data, out var line))
            {
                lineNumber++;
                line = line.Trim(" \t\n\r\v\f"u8); // Python bytes.strip()
                if (!System.Text.Unicode.Utf8.IsValid(line)) throw Error(name, lineNumber, "the line is not valid UTF-8", line);
                int space = line.IndexOf((byte)' ');
                if (space < 0) throw Error(name, lineNumber, "expected 'word freq [tag]'", line);
                var word = line[..space];
                var rest = line[(space + 1)..];
                int end = rest.IndexOf((byte)' ');
                var freqField = end < 0 ? rest : rest[..end];
                long freq = ParseFrequency(freqField, name, lineNumber, line);
                if (buffer.Length < word.Length)
                {
                    ArrayPool<char>.Shared.Return(buffer);
                    buffer = ArrayPool<char>.Shared.Rent(word.Length);
                }
                int chars = Encoding.UTF8.GetChars(word, buffer);
                if (freq > long.MaxValue - dictionary.Total) throw Error(name, lineNumber, "the total of the frequencies overflows 64 bits", line);
                dictionary.Add(buffer.AsSpan(0, chars), freq);
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>Parses every non-blank line of a user dictionary; <paramref name="name"/> names the source in errors.</summary>
    /// <exception cref="InvalidDataException">The file is not UTF-8 or a frequency does not fit in 64 bits.</exception>
    public static List<UserEntry> ReadUser(ReadOnlySpan<byte> data, string name)
    {
        var entries = new List<UserEntry>();
        int lineNumber = 0;
        while (NextLine(ref data, out var bytes))
        {
            lineNumber++;
            bytes = bytes.Trim(" \t\n\r\v\f"u8);
            string line;
            try
            {
                line = StrictUtf8.GetString(bytes).TrimStart('\uFEFF');
            }
            catch (DecoderFallbackException)
            {
                throw Error(name, lineNumber, "the user dictionary must be UTF-8", bytes);
            }
            if (line.Length == 0) continue;
            var (wordLength, freqStart, freqLength) = MatchUserLine(line);
            long? freq = null;
            if (freqLength > 0)
            {
                if (!long.TryParse(line.AsSpan(freqStart, freqLength), NumberStyles.None, CultureInfo.InvariantCulture, out long f))
                    throw Error(name, lineNumber, "the frequency does not fit in a 64-bit integer", bytes);
                freq = f;
            }
            entries.Add(new UserEntry(line[..wordLength], freq, lineNumber));
        }
        return entries;
    }

    /// <summary>
    /// Matches <c>^(.+?)( [0-9]+)?( [a-z]+)?$</c>: the lazy word takes the shortest prefix after which the rest is
    /// "", " digits", " letters" or " digits letters". Returns the word length and the frequency digits' position.
    /// </summary>
    internal static (int WordLength, int FreqStart, int FreqLength) MatchUserLine(string line)
    {
        int n = line.Length;
        int tagStart = n;
        while (tagStart > 0 && char.IsAsciiLetterLower(line[tagStart - 1])) tagStart--;
        bool hasTag = tagStart < n && tagStart >= 2 && line[tagStart - 1] == ' ';
        int beforeTag = hasTag ? tagStart - 1 : n;
        // Frequency directly before the tag (or at the end): digits preceded by a space, with a non-empty word before.
        int freqStart = beforeTag;
        while (freqStart > 0 && char.IsAsciiDigit(line[freqStart - 1])) freqStart--;
        if (freqStart < beforeTag && freqStart >= 2 && line[freqStart - 1] == ' ')
            return (freqStart - 1, freqStart, beforeTag - freqStart);
        return (beforeTag, 0, 0);
    }

    private static long ParseFrequency(ReadOnlySpan<byte> field, string name, int lineNumber, ReadOnlySpan<byte> line)
    {
        // Python int(): surrounding whitespace and a sign are allowed. Underscores and non-ASCII digits are not supported here.
        field = field.Trim(" \t\n\r\v\f"u8);
        bool negative = false;
        if (!field.IsEmpty && (field[0] == '+' || field[0] == '-'))
        {
            negative = field[0] == '-';
            field = field[1..];
        }
        if (field.IsEmpty) throw Error(name, lineNumber, "the frequency is missing or not an integer", line);
        long value = 0;
        foreach (byte b in field)
        {
            if (b < '0' || b > '9') throw Error(name, lineNumber, "the frequency is not an integer", line);
            if (value > (long.MaxValue - (b - '0')) / 10) throw Error(name, lineNumber, "the frequency does not fit in a 64-bit integer", line);
            value = (value * 10) + (b - '0');
        }
        if (negative && value != 0) throw Error(name, lineNumber, "the frequency is negative", line);
        return value;
    }

    private static bool NextLine(ref ReadOnlySpan<byte> data, out ReadOnlySpan<byte> line)
    {
        if (data.IsEmpty)
        {
            line = default;
            return false;
        }
        int newline = data.IndexOf((byte)'\n');
        if (newline < 0)
        {
            line = data;
            data = default;
        }
        else
        {
            line = data[..newline];
            data = data[(newline + 1)..];
        }
        return true;
    }

    private static InvalidDataException Error(string name, int lineNumber, string problem, ReadOnlySpan<byte> line)
    {
        string text = Encoding.UTF8.GetString(line);
        if (text.Length > 80) text = text[..80] + "…";
        return new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{name}:{lineNumber}: {problem}: \"{text}\""));
    }
}
