using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Estimators;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

// ML.NET has a namespace Microsoft.ML.Command, which an enclosing namespace would find first.
using Command = System.CommandLine.Command;

/// <summary><c>roberta-zh fill-mask --model DIR [--top-k K] [--json] [TEXT ...]</c>: texts from arguments or stdin lines.</summary>
internal static class FillMaskCommand
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Model directory with a masked-LM head and vocab.txt.", Required = true };
        var topK = new Option<int>("--top-k") { Description = "Candidates per [MASK].", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "One JSON array per text of {\"sequence\",\"score\",\"token\",\"token_str\"} (a nested array per mask when there are several)." };
        var texts = new Argument<string[]>("text") { Description = "Texts with [MASK]; read from stdin lines when none are given.", Arity = ArgumentArity.ZeroOrMore };
        var engine = new EngineCliOptions(training: false);
        var command = new Command("fill-mask", "Predict the tokens behind [MASK] in Chinese texts.") { model, topK, json, texts };
        engine.AddTo(command);
        command.SetAction(parse => CliRunner.Run(() =>
        {
            int k = parse.GetValue(topK);
            if (k <= 0) throw new CommandLineException("--top-k must be positive.");
            using var mlm = RobertaEncoderTransformer.Load(parse.GetValue(model)!.FullName, engine.Inference(parse));
            if (!mlm.Model.Heads.MaskedLm) throw new CommandLineException($"{parse.GetValue(model)!.FullName} has no masked-LM head (cls.predictions.*); it cannot fill masks.");
            foreach (string warning in mlm.Tokenizer.Warnings) Console.Error.WriteLine($"roberta-zh: warning: {warning}");
            var inputs = parse.GetValue(texts) is { Length: > 0 } given ? given : ReadStdin();
            int line = 0;
            foreach (string text in inputs)
            {
                line++;
                IReadOnlyList<IReadOnlyList<FillMaskResult>> results;
                try { results = mlm.FillMask(text, k); }
                catch (ArgumentException e) { throw new CommandLineException($"input {line}: {e.Message}"); }
                if (parse.GetValue(json)) Console.WriteLine(ToJson(results));
                else Print(text, results);
            }
        }));
        return command;
    }

    private static IEnumerable<string> ReadStdin()
    {
        string? line;
        while ((line = Console.In.ReadLine()) is not null)
            if (!string.IsNullOrWhiteSpace(line)) yield return line;
    }

    internal static string ToJson(IReadOnlyList<IReadOnlyList<FillMaskResult>> results)
    {
        object Row(FillMaskResult r) => new Dictionary<string, object> { ["sequence"] = r.Sequence, ["score"] = r.Score, ["token"] = r.Token, ["token_str"] = r.TokenStr };
        // HF's pipeline returns a flat list for one mask and a list per mask for several.
        object value = results.Count == 1 ? results[0].Select(Row).ToList() : results.Select(m => m.Select(Row).ToList()).ToList();
        return JsonSerializer.Serialize(value, Json);
    }

    private static void Print(string text, IReadOnlyList<IReadOnlyList<FillMaskResult>> results)
    {
        Console.WriteLine(text);
        for (int m = 0; m < results.Count; m++)
        {
            if (results.Count > 1) Console.WriteLine($"  [MASK] #{m + 1}");
            foreach (var r in results[m])
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Score,8:P2}  {r.TokenStr,-8}  {r.Sequence}"));
        }
    }
}
