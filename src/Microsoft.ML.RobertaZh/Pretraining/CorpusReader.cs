using System.Text;

namespace Microsoft.ML.RobertaZh.Pretraining;

/// <summary>
/// Streams the documents of a pretraining corpus (UTF-8, one line at a time; the corpus is never held in memory).
/// Lines end at <c>\n</c>, one <c>\r</c> before it is dropped, a UTF-8 byte-order mark at the start is skipped, and
/// roberta_zh's <c>&lt;eop&gt;</c> marker is removed from every line before it is trimmed.
/// </summary>
public static class CorpusReader
{
    /// <summary>Default limit on a line's length in UTF-16 code units (one million).</summary>
    public const int DefaultMaxLineLength = 1_000_000;

    /// <summary>Number of lines <see cref="CorpusFormat.Auto"/> inspects to decide the format.</summary>
    public const int AutoDetectLines = 10_000;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads the documents of <paramref name="path"/> lazily, in file order.</summary>
    /// <param name="path">The corpus file.</param>
    /// <param name="format">Its layout; <see cref="CorpusFormat.Auto"/> decides from the first lines.</param>
    /// <param name="maxLineLength">Longest accepted line in UTF-16 code units.</param>
    /// <exception cref="InvalidDataException">A line is not valid UTF-8 or is longer than <paramref name="maxLineLength"/> (raised while enumerating).</exception>
    public static IEnumerable<CorpusDocument> Read(string path, CorpusFormat format = CorpusFormat.Auto, int maxLineLength = DefaultMaxLineLength)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLineLength);
        if (!File.Exists(path)) throw new FileNotFoundException($"Corpus file not found: {path}", path);
        if (format == CorpusFormat.Auto) format = DetectFormat(path, maxLineLength);
        return format switch
        {
            CorpusFormat.DocumentPerLine => ReadDocumentPerLine(path, maxLineLength),
            CorpusFormat.SentencePerLine => ReadSentencePerLine(path, maxLineLength),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown corpus format."),
        };
    }

    /// <summary>The format <see cref="CorpusFormat.Auto"/> resolves to for <paramref name="path"/>.</summary>
    public static CorpusFormat DetectFormat(string path, int maxLineLength = DefaultMaxLineLength)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        bool seenText = false, pendingBlank = false;
        foreach (var (text, _, _) in ReadLines(path, maxLineLength).Take(AutoDetectLines))
        {
            if (string.IsNullOrWhiteSpace(Clean(text))) pendingBlank = seenText;
            else if (pendingBlank) return CorpusFormat.SentencePerLine;
            else seenText = true;
        }
        return CorpusFormat.DocumentPerLine;
    }

    /// <summary>Counts the documents <see cref="Read"/> would yield, reading the whole file once.</summary>
    public static long CountDocuments(string path, CorpusFormat format = CorpusFormat.Auto, int maxLineLength = DefaultMaxLineLength)
    {
        if (format == CorpusFormat.Auto) format = DetectFormat(path, maxLineLength);
        long count = 0;
        bool inDocument = false;
        foreach (var (text, _, _) in ReadLines(path, maxLineLength))
        {
            bool blank = string.IsNullOrWhiteSpace(Clean(text));
            if (format == CorpusFormat.DocumentPerLine)
            {
                // A line with text yields a document unless the splitter finds no sentence, which needs non-blank text.
                if (!blank) count++;
            }
            else if (blank) inDocument = false;
            else if (!inDocument)
            {
                inDocument = true;
                count++;
            }
        }
        return count;
    }

    private static IEnumerable<CorpusDocument> ReadDocumentPerLine(string path, int maxLineLength)
    {
        long index = 0;
        foreach (var (text, line, end) in ReadLines(path, maxLineLength))
        {
            var sentences = SentenceSplitter.Split(Clean(text));
            if (sentences.Count > 0) yield return new CorpusDocument(index++, line, sentences, end);
        }
    }

    private static IEnumerable<CorpusDocument> ReadSentencePerLine(string path, int maxLineLength)
    {
        long index = 0, firstLine = 0, lastEnd = 0;
        var sentences = new List<string>();
        foreach (var (text, line, end) in ReadLines(path, maxLineLength))
        {
            string sentence = Clean(text).Trim();
            if (sentence.Length == 0)
            {
                if (sentences.Count > 0)
                {
                    yield return new CorpusDocument(index++, firstLine, sentences, lastEnd);
                    sentences = [];
                }
                continue;
            }
            if (sentences.Count == 0) firstLine = line;
            sentences.Add(sentence);
            lastEnd = end;
        }
        if (sentences.Count > 0) yield return new CorpusDocument(index, firstLine, sentences, lastEnd);
    }

    // roberta_zh's create_pretraining_data.py deletes "<eop>" (end of paragraph) from every line.
    private static string Clean(string text) => text.Contains("<eop>", StringComparison.Ordinal) ? text.Replace("<eop>", "", StringComparison.Ordinal) : text;

    /// <summary>The lines of a UTF-8 file with their 1-based numbers and the byte offset just past each.</summary>
    internal static IEnumerable<(string Text, long Line, long EndOffset)> ReadLines(string path, int maxLineLength)
    {
        // UTF-8 needs at most 3 bytes per UTF-16 unit (4 per surrogate pair), so a line of more than 3·maxLineLength
        // bytes is too long whatever it holds and is rejected before it is buffered whole.
        long maxBytes = 3L * maxLineLength;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var buffer = new byte[1 << 16];
        var line = new MemoryStream();
        long lineNumber = 1, offset = 0;
        bool first = true;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            int start = 0;
            if (first)
            {
                first = false;
                if (read >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF) start = 3;
            }
            while (start < read)
            {
                int newline = Array.IndexOf(buffer, (byte)'\n', start, read - start);
                int stop = newline < 0 ? read : newline;
                if (line.Length + (stop - start) > maxBytes)
                    throw Invalid(path, lineNumber, $"the line is longer than the limit of {maxLineLength:N0} characters.");
                line.Write(buffer, start, stop - start);
                if (newline < 0) break;
                yield return (Decode(path, lineNumber, line, maxLineLength), lineNumber, offset + newline + 1);
                line.SetLength(0);
                lineNumber++;
                start = newline + 1;
            }
            offset += read;
        }
        if (line.Length > 0) yield return (Decode(path, lineNumber, line, maxLineLength), lineNumber, offset);
    }

    private static InvalidDataException Invalid(string path, long line, string problem) => new($"{path}, line {line}: {problem}");

    private static string Decode(string path, long lineNumber, MemoryStream line, int maxLineLength)
    {
        var bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            string at = e.Index >= 0 ? $" at byte {e.Index + 1} of the line" : "";
            throw Invalid(path, lineNumber, $"invalid UTF-8{at}.");
        }
        if (text.Length > maxLineLength)
            throw Invalid(path, lineNumber, $"the line is longer than the limit of {maxLineLength:N0} characters ({text.Length:N0}).");
        return text;
    }
}
