using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

// ML.NET has a namespace Microsoft.ML.Command, which an enclosing namespace would find first.
using Command = System.CommandLine.Command;

/// <summary>
/// <c>roberta-zh build-vocab --corpus FILE --size N --output FILE [--min-frequency F] [--no-lower-case]</c>: builds a
/// WordPiece vocab.txt in the shape of google_zh_vocab (see <see cref="VocabularyBuilder"/>); progress on stderr, the
/// output written through a temporary file.
/// </summary>
internal static class BuildVocabCommand
{
    public static Command Create()
    {
        var corpus = new Option<FileInfo>("--corpus") { Description = "UTF-8 text, a document or sentence per line.", Required = true };
        var size = new Option<int>("--size") { Description = "Largest number of entries, special tokens included.", DefaultValueFactory = _ => 21128 };
        var output = new Option<FileInfo>("--output") { Description = "Where to write vocab.txt.", Required = true };
        var minFrequency = new Option<int>("--min-frequency") { Description = "Leave out characters and pieces seen fewer times.", DefaultValueFactory = _ => 2 };
        var noLower = new Option<bool>("--no-lower-case") { Description = "Count the text as it is (the Chinese BERT vocab is lower-cased)." };
        var command = new Command("build-vocab", "Build a WordPiece vocabulary (specials, characters and their ## forms, frequent sub-words) from a corpus.")
        {
            corpus, size, output, minFrequency, noLower,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var corpusFile = parse.GetValue(corpus)!;
            if (!corpusFile.Exists) throw new CommandLineException($"corpus '{corpusFile.FullName}' does not exist.");
            var options = new VocabularyBuilderOptions
            {
                Size = parse.GetValue(size),
                MinFrequency = parse.GetValue(minFrequency),
                LowerCase = !parse.GetValue(noLower),
            };
            if (options.Size <= 104) throw new CommandLineException("--size must be larger than the 104 special tokens.");
            if (options.MinFrequency < 1) throw new CommandLineException("--min-frequency must be at least 1.");
            var watch = Stopwatch.StartNew();
            void Log(string message) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"build-vocab [{watch.Elapsed.TotalSeconds:F1}s]: {message}"));
            var vocabulary = VocabularyBuilder.Build(File.ReadLines(corpusFile.FullName), options, Log);
            var target = parse.GetValue(output)!;
            if (target.Directory is { Exists: false } dir) dir.Create();
            vocabulary.Save(target.FullName);
            Log($"wrote {vocabulary.Count} entries to {target.FullName}");
        }));
        return command;
    }
}
