using System.CommandLine;
using System.Text;
using Microsoft.ML.RobertaZh.Segmentation;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

// ML.NET has a namespace Microsoft.ML.Command, which an enclosing namespace would find first.
using Command = System.CommandLine.Command;

/// <summary>
/// <c>roberta-zh segment --dict FILE --hmm FILE [--no-hmm | --cut-all | --search] [--user-dict FILE]...</c>: lines of text
/// on stdin, one JSON array of words per line on stdout, written exactly as Python's
/// <c>json.dumps(words, ensure_ascii=False)</c> writes it.
/// </summary>
/// <remarks>
/// Input lines end at <c>\n</c>; one <c>\r</c> before it is dropped, any other <c>\r</c> is text. Invalid UTF-8 becomes U+FFFD.
/// </remarks>
internal static class SegmentCommand
{
    public static Command Create()
    {
        var dict = new Option<FileInfo>("--dict") { Description = "jieba main dictionary: 'word freq [tag]' per line (jieba's dict.txt).", Required = true };
        var hmm = new Option<FileInfo>("--hmm") { Description = "jieba HMM model as JSON: {\"start\":..,\"trans\":..,\"emit\":..}.", Required = true };
        var noHmm = new Option<bool>("--no-hmm") { Description = "Accurate mode without the HMM (jieba.cut(s, HMM=False)); with --search, search mode without it." };
        var cutAll = new Option<bool>("--cut-all") { Description = "Full mode (jieba.cut(s, cut_all=True))." };
        var search = new Option<bool>("--search") { Description = "Search-engine mode (jieba.cut_for_search(s))." };
        var userDict = new Option<FileInfo[]>("--user-dict") { Description = "User dictionary 'word [freq] [tag]' per line (jieba.load_userdict); repeatable, loaded in order." };
        var command = new Command("segment", "Segment Chinese text read from stdin, one line at a time, as jieba 0.42.1 does.")
        {
            dict, hmm, noHmm, cutAll, search, userDict,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            bool all = parse.GetValue(cutAll), forSearch = parse.GetValue(search), plain = parse.GetValue(noHmm);
            if (all && forSearch) throw new CommandLineException("--cut-all and --search cannot be combined.");
            // jieba ignores HMM in full mode, so --cut-all --no-hmm is accepted and equals --cut-all.
            var mode = all ? SegmentationMode.Full
                : forSearch ? (plain ? SegmentationMode.SearchNoHmm : SegmentationMode.Search)
                : plain ? SegmentationMode.NoHmm : SegmentationMode.Default;
            var segmenter = JiebaSegmenter.Load(parse.GetValue(dict)!.FullName, parse.GetValue(hmm)!.FullName);
            foreach (var file in parse.GetValue(userDict) ?? []) segmenter.LoadUserDictionary(file.FullName);
            using var stdin = Console.OpenStandardInput();
            using var stdout = Console.OpenStandardOutput();
            Run(segmenter, mode, stdin, stdout);
        }));
        return command;
    }

    /// <summary>Segments every line of <paramref name="input"/>, writing one JSON array per line to <paramref name="output"/>.</summary>
    public static void Run(JiebaSegmenter segmenter, SegmentationMode mode, Stream input, Stream output)
    {
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        foreach (string line in ReadLines(input))
        {
            WriteJsonArray(writer, segmenter.Cut(line, mode));
            writer.Write('\n');
        }
        writer.Flush();
    }

    /// <summary>Splits UTF-8 bytes at <c>\n</c>, dropping one <c>\r</c> before it; a last line without <c>\n</c> counts.</summary>
    internal static IEnumerable<string> ReadLines(Stream input)
    {
        byte[] buffer = new byte[1 << 16];
        int count = 0, lineStart = 0, scanned = 0;
        while (true)
        {
            int newline = buffer.AsSpan(scanned, count - scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                int end = scanned + newline;
                yield return Decode(buffer.AsSpan(lineStart, end - lineStart));
                lineStart = scanned = end + 1;
                continue;
            }
            // Keep the partial line at the front of the buffer, growing it for very long lines.
            int pending = count - lineStart;
            if (pending == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            else if (lineStart > 0) Buffer.BlockCopy(buffer, lineStart, buffer, 0, pending);
            count = pending;
            lineStart = 0;
            scanned = pending;
            int read = input.Read(buffer, count, buffer.Length - count);
            if (read == 0) break;
            count += read;
        }
        if (count > 0) yield return Decode(buffer.AsSpan(0, count));
    }

    private static string Decode(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == '\r') line = line[..^1];
        return Encoding.UTF8.GetString(line);
    }

    /// <summary>
    /// Writes <c>["a", "b"]</c> as Python's <c>json.dumps(..., ensure_ascii=False)</c> does: items separated by ", ", only
    /// <c>"</c>, <c>\</c> and control characters below U+0020 escaped (short forms where JSON has them, else <c>\u00xx</c>).
    /// </summary>
    internal static void WriteJsonArray(TextWriter writer, IReadOnlyList<string> words)
    {
        writer.Write('[');
        for (int i = 0; i < words.Count; i++)
        {
            if (i > 0) writer.Write(", ");
            writer.Write('"');
            foreach (char c in words[i])
            {
                switch (c)
                {
                    case '"': writer.Write("\\\""); break;
                    case '\\': writer.Write("\\\\"); break;
                    case '\n': writer.Write("\\n"); break;
                    case '\r': writer.Write("\\r"); break;
                    case '\t': writer.Write("\\t"); break;
                    case '\b': writer.Write("\\b"); break;
                    case '\f': writer.Write("\\f"); break;
                    case < ' ': writer.Write("\\u00"); writer.Write(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)); break;
                    default: writer.Write(c); break;
                }
            }
            writer.Write('"');
        }
        writer.Write(']');
    }
}
