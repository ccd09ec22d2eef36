using System.Text;

namespace Microsoft.ML.RobertaZh.Data;

/// <summary>One line of a data file: its 1-based number and text, or why it could not be decoded.</summary>
internal readonly record struct Utf8Line(long Number, string Text, string? Error);

/// <summary>
/// Reads a file line by line as strict UTF-8: a line with invalid bytes is returned with an error naming the byte
/// instead of being decoded with replacement characters (which would silently turn a damaged label or text into
/// something else). Lines end at <c>\n</c>; one <c>\r</c> before it is dropped; a byte-order mark is skipped.
/// </summary>
internal sealed class Utf8LineReader : IDisposable
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private readonly MemoryStream _line = new();
    private int _start, _read;
    private long _number;
    private bool _first = true, _eof;

    public Utf8LineReader(string path) =>
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);

    /// <summary>Reads the next line; false at the end of the file.</summary>
    public bool TryRead(out Utf8Line line)
    {
        _line.SetLength(0);
        while (true)
        {
            if (_start >= _read)
            {
                if (_eof || (_read = _stream.Read(_buffer, 0, _buffer.Length)) == 0)
                {
                    _eof = true;
                    _start = _read = 0;
                    if (_line.Length == 0)
                    {
                        line = default;
                        return false;
                    }

                    line = Decode();
                    return true;
                }

                _start = 0;
                if (_first && _read >= 3 && _buffer[0] == 0xEF && _buffer[1] == 0xBB && _buffer[2] == 0xBF) _start = 3;
                _first = false;
            }

            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _read - _start);
            int stop = newline < 0 ? _read : newline;
            _line.Write(_buffer, _start, stop - _start);
            _start = stop + 1;
            if (newline >= 0)
            {
                line = Decode();
                return true;
            }
        }
    }

    private Utf8Line Decode()
    {
        _number++;
        var bytes = _line.GetBuffer().AsSpan(0, (int)_line.Length);
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        try
        {
            return new Utf8Line(_number, StrictUtf8.GetString(bytes), null);
        }
        catch (DecoderFallbackException e)
        {
            string at = e.Index >= 0 ? $" at byte {e.Index + 1} of the line" : "";
            return new Utf8Line(_number, string.Empty, $"invalid UTF-8{at}");
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _line.Dispose();
    }
}
