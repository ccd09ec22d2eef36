using System.Text;

namespace Microsoft.ML.RobertaZh.Data;

/// <summary>One record read by <see cref="DelimitedRecordReader"/>.</summary>
/// <param name="Fields">The fields (empty for a blank line).</param>
/// <param name="LineNumber">The 1-based line where the record starts.</param>
/// <param name="Error">Why the record is malformed (bad quoting, invalid UTF-8), or null.</param>
/// <param name="InvalidUtf8">True when the problem is invalid UTF-8.</param>
internal readonly record struct DelimitedRecord(List<string> Fields, long LineNumber, string? Error, bool InvalidUtf8 = false)
{
    public bool IsBlank => Fields.Count == 0 && Error is null;
}

/// <summary>
/// Splits a text stream into records of fields. Without quoting every line is one record split on the separators
/// (what UER's and CLUE's readers do: plain <c>split("\t")</c>, quotes are ordinary characters). With quoting it
/// follows RFC 4180: a field that starts with a double quote runs to the matching closing quote, <c>""</c> inside is
/// one quote, and the field may span lines; text between the closing quote and the next separator, or a missing
/// closing quote at the end of the file, is an error.
/// </summary>
internal sealed class DelimitedRecordReader
{
    private readonly Utf8LineReader _reader;
    private readonly char[] _separators;
    private readonly bool _allowQuoting;
    private readonly bool _trimWhitespace;
    private long _line;

    public DelimitedRecordReader(Utf8LineReader reader, char[] separators, bool allowQuoting, bool trimWhitespace)
    {
        _reader = reader;
        _separators = separators;
        _allowQuoting = allowQuoting;
        _trimWhitespace = trimWhitespace;
    }

    /// <summary>Reads the next record; false at the end of the stream.</summary>
    public bool TryRead(out DelimitedRecord record)
    {
        if (!_reader.TryRead(out var read))
        {
            record = default;
            return false;
        }

        long start = _line = read.Number;
        string line = read.Text;
        var fields = new List<string>();
        if (read.Error is not null)
        {
            record = new DelimitedRecord(fields, start, read.Error, InvalidUtf8: true);
            return true;
        }

        if (line.Length == 0 || (_trimWhitespace && string.IsNullOrWhiteSpace(line)))
        {
            record = new DelimitedRecord(fields, start, null);
            return true;
        }

        string? error = _allowQuoting ? SplitQuoted(line, fields) : SplitPlain(line, fields);
        record = new DelimitedRecord(fields, start, error);
        return true;
    }

    private string? SplitPlain(string line, List<string> fields)
    {
        foreach (var f in line.Split(_separators)) fields.Add(_trimWhitespace ? f.Trim() : f);
        return null;
    }

    private string? SplitQuoted(string line, List<string> fields)
    {
        var field = new StringBuilder();
        int i = 0;
        while (true)
        {
            // At the start of a field: skip leading blanks only when trimming, so a quote after blanks still opens quoting.
            int j = i;
            if (_trimWhitespace) while (j < line.Length && line[j] == ' ') j++;
            if (j < line.Length && line[j] == '"')
            {
                long opened = _line;
                i = j + 1;
                field.Clear();
                while (true)
                {
                    if (i >= line.Length)
                    {
                        // The quoted field continues on the next line (RFC 4180 allows line breaks inside quotes).
                        if (!_reader.TryRead(out var next)) return $"unterminated quoted field (the quote opened on line {opened} is never closed)";
                        _line = next.Number;
                        if (next.Error is not null) return $"line {next.Number}: {next.Error}";
                        field.Append('\n');
                        line = next.Text;
                        i = 0;
                        continue;
                    }

                    char c = line[i++];
                    if (c != '"') field.Append(c);
                    else if (i < line.Length && line[i] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else break;
                }

                if (_trimWhitespace) while (i < line.Length && line[i] == ' ') i++;
                fields.Add(field.ToString());
                if (i >= line.Length) return null;
                if (Array.IndexOf(_separators, line[i]) < 0)
                    return $"unexpected character '{line[i]}' after the closing quote of field {fields.Count}";
                i++;
                if (i == line.Length)
                {
                    fields.Add(string.Empty);
                    return null;
                }
            }
            else
            {
                int end = line.IndexOfAny(_separators, i);
                string raw = end < 0 ? line[i..] : line[i..end];
                fields.Add(_trimWhitespace ? raw.Trim() : raw);
                if (end < 0) return null;
                i = end + 1;
                if (i == line.Length)
                {
                    fields.Add(string.Empty);
                    return null;
                }
            }
        }
    }
}
