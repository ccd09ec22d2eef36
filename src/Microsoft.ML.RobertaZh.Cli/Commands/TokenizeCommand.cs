using System.CommandLine;
using System.Text;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

// ML.NET has a namespace Microsoft.ML.Command, which an enclosing namespace would find first.
using Command = System.CommandLine.Command;

/// <summary>
/// <c>roberta-zh tokenize --vocab FILE [--config FILE] [--max-length N] [--truncation S] [--cjk-ranges R]</c>: UTF-8 lines on stdin (a TAB
/// separates a pair), one JSON line per input on stdout with input_ids, token_type_ids, tokens and UTF-16 offsets.
/// </summary>
internal static class TokenizeCommand
{
    private const int BatchSize = 4096;

    public static Command Create()
    {
        var vocab = new Option<FileInfo>("--vocab") { Description = "WordPiece vocab.txt (one token per line).", Required = true };
        var config = new Option<FileInfo?>("--config")
        {
            Description = "tokenizer_config.json (do_lower_case, strip_accents, ...); default: the one beside the vocab, if any.",
        };
        var maxLength = new Option<int?>("--max-length") { Description = "Truncate to at most N tokens, special tokens included." };
        var truncation = new Option<string>("--truncation")
        {
            Description = "Which side loses tokens: longest_first (default), only_first or only_second.",
            DefaultValueFactory = _ => "longest_first",
        };
        truncation.AcceptOnlyFromAmong("longest_first", "only_first", "only_second");
        var cjkRanges = new Option<string>("--cjk-ranges")
        {
            Description = "CJK ideograph ranges: hf (Hugging Face's fast tokenizer, default) or google (Google BERT's; Extension E from U+2B820).",
            DefaultValueFactory = _ => "hf",
        };
        cjkRanges.AcceptOnlyFromAmong("hf", "google");
        var command = new Command("tokenize", "Tokenize UTF-8 lines from stdin (TAB separates a pair) into JSON lines of ids, type ids, tokens and offsets.")
        {
            vocab, config, maxLength, truncation, cjkRanges,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var vocabFile = parse.GetValue(vocab)!;
            if (!vocabFile.Exists) throw new CommandLineException($"vocab file '{vocabFile.FullName}' does not exist.");
            var configFile = parse.GetValue(config);
            if (configFile is { Exists: false }) throw new CommandLineException($"config file '{configFile.FullName}' does not exist.");
            int? max = parse.GetValue(maxLength);
            if (max is <= 0) throw new CommandLineException("--max-length must be positive.");
            var tokenizer = BertTokenizer.Load(vocabFile.FullName, configFile?.FullName);
            if (parse.GetValue(cjkRanges) == "google")
                tokenizer = new BertTokenizer(tokenizer.Vocabulary, tokenizer.Options with { ChineseCharRanges = ChineseCharRanges.GoogleBert });
            foreach (string warning in tokenizer.Warnings) Console.Error.WriteLine($"roberta-zh: warning: {warning}");
            var options = new EncodeOptions { MaxLength = max, Truncation = ParseStrategy(parse.GetValue(truncation)!) };
            var input = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
            using var output = Console.OpenStandardOutput();
            Run(tokenizer, options, input, output);
        }));
        return command;
    }

    /// <summary>Tokenizes every line of <paramref name="input"/> (batched, in parallel), writing one JSON line each to <paramref name="output"/>.</summary>
    public static void Run(BertTokenizer tokenizer, EncodeOptions options, TextReader input, Stream output)
    {
        var buffered = new BufferedStream(output, 1 << 16);
        using var writer = new Utf8JsonWriter(buffered, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var firsts = new List<string>(BatchSize);
        var seconds = new List<string?>(BatchSize);
        int lineNumber = 0;
        string? line;
        while ((line = input.ReadLine()) is not null)
        {
            lineNumber++;
            int tab = line.IndexOf('\t', StringComparison.Ordinal);
            firsts.Add(tab < 0 ? line : line[..tab]);
            seconds.Add(tab < 0 ? null : line[(tab + 1)..]);
            if (firsts.Count == BatchSize) Flush(tokenizer, options, firsts, seconds, writer, buffered, lineNumber);
        }
        Flush(tokenizer, options, firsts, seconds, writer, buffered, lineNumber);
        buffered.Flush();
    }

    private static void Flush(BertTokenizer tokenizer, EncodeOptions options, List<string> firsts, List<string?> seconds,
                              Utf8JsonWriter writer, Stream output, int lastLine)
    {
        if (firsts.Count == 0) return;
        IReadOnlyList<BertEncoding> encodings;
        try
        {
            encodings = tokenizer.EncodeBatch(firsts, seconds, options);
        }
        catch (AggregateException e) when (e.InnerException is ArgumentException inner)
        {
            throw new CommandLineException($"lines {lastLine - firsts.Count + 1}..{lastLine}: {inner.Message}");
        }
        foreach (var encoding in encodings)
        {
            writer.Reset(output);
            writer.WriteStartObject();
            WriteInts(writer, "input_ids", encoding.Ids);
            WriteInts(writer, "token_type_ids", encoding.TypeIds);
            writer.WriteStartArray("tokens");
            foreach (string token in encoding.Tokens) writer.WriteStringValue(token);
            writer.WriteEndArray();
            writer.WriteStartArray("offsets");
            foreach (var offset in encoding.Offsets)
            {
                writer.WriteStartArray();
                writer.WriteNumberValue(offset.Start);
                writer.WriteNumberValue(offset.End);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.Flush();
            output.WriteByte((byte)'\n');
        }
        firsts.Clear();
        seconds.Clear();
    }

    private static void WriteInts(Utf8JsonWriter writer, string name, IReadOnlyList<int> values)
    {
        writer.WriteStartArray(name);
        foreach (int v in values) writer.WriteNumberValue(v);
        writer.WriteEndArray();
    }

    private static TruncationStrategy ParseStrategy(string name) => name switch
    {
        "longest_first" => TruncationStrategy.LongestFirst,
        "only_first" => TruncationStrategy.OnlyFirst,
        "only_second" => TruncationStrategy.OnlySecond,
        _ => throw new CommandLineException($"unknown truncation strategy '{name}'."),
    };
}
