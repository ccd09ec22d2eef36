using System.CommandLine;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

// ML.NET has a namespace Microsoft.ML.Command, which an enclosing namespace would find first.
using Command = System.CommandLine.Command;

/// <summary>
/// <c>roberta-zh init-model --architecture NAME --vocab FILE --output DIR [--seed N]</c>: a freshly initialized model
/// directory (masked-LM head, Hugging Face initialization), the starting point for training from scratch.
/// </summary>
internal static class InitModelCommand
{
    public static Command Create()
    {
        var arch = new Option<string>("--architecture") { Description = "Preset: tiny, mini, small, medium, base, large or L-{layers}_H-{hidden}.", DefaultValueFactory = _ => "tiny" };
        var config = new Option<FileInfo?>("--config") { Description = "config.json (Hugging Face or UER keys) instead of a preset." };
        var vocab = new Option<FileInfo>("--vocab") { Description = "WordPiece vocabulary (vocab.txt); sets vocab_size.", Required = true };
        var output = new Option<DirectoryInfo>("--output") { Description = "Directory to write config.json, model.safetensors and vocab.txt into.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Initialization seed.", DefaultValueFactory = _ => 7 };
        var command = new Command("init-model", "Write a randomly initialized model directory (to train from scratch).") { arch, config, vocab, output, seed };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var vocabulary = Vocabulary.Load(parse.GetValue(vocab)!.FullName);
            var c = parse.GetValue(config) is { } file ? BertConfig.Load(file.FullName) : BertConfig.FromPreset(parse.GetValue(arch)!);
            c.VocabSize = vocabulary.Count;
            var model = BertModel.Create(c, new BertHeads(Pooler: true, MaskedLm: true), parse.GetValue(seed));
            string dir = parse.GetValue(output)!.FullName;
            model.Save(dir, parse.GetValue(vocab)!.FullName);
            Console.Error.WriteLine($"{c.NumHiddenLayers} layers × {c.HiddenSize} hidden, {model.Layout.Count:N0} parameters, written to {dir}");
        }));
        return command;
    }
}
