using System.Text.Json;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

/// <summary>One input line of <c>encode</c>: token ids with optional token types and attention mask.</summary>
internal sealed record EncodeRequest(int[] InputIds, int[]? TokenTypeIds, int[]? AttentionMask)
{
    /// <summary>Parses and checks one JSON line; errors name the line and the problem.</summary>
    public static EncodeRequest Parse(string line, int lineNumber, BertConfig config)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(line); }
        catch (JsonException e) { throw new CommandLineException($"stdin line {lineNumber}: not valid JSON ({e.Message})"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CommandLineException($"stdin line {lineNumber}: expected a JSON object with \"input_ids\".");
            var ids = Ints(doc.RootElement, "input_ids", lineNumber) ?? throw new CommandLineException($"stdin line {lineNumber}: \"input_ids\" is missing.");
            var types = Ints(doc.RootElement, "token_type_ids", lineNumber);
            var mask = Ints(doc.RootElement, "attention_mask", lineNumber);
            if (ids.Length == 0) throw new CommandLineException($"stdin line {lineNumber}: \"input_ids\" is empty.");
            if (ids.Length > config.MaxPositionEmbeddings)
                throw new CommandLineException($"stdin line {lineNumber}: {ids.Length} tokens; the model accepts at most {config.MaxPositionEmbeddings}.");
            if (types is not null && types.Length != ids.Length)
                throw new CommandLineException($"stdin line {lineNumber}: \"token_type_ids\" has {types.Length} entries, \"input_ids\" {ids.Length}.");
            if (mask is not null && mask.Length != ids.Length)
                throw new CommandLineException($"stdin line {lineNumber}: \"attention_mask\" has {mask.Length} entries, \"input_ids\" {ids.Length}.");
            for (int i = 0; i < ids.Length; i++)
            {
                if ((uint)ids[i] >= (uint)config.VocabSize)
                    throw new CommandLineException($"stdin line {lineNumber}: input_ids[{i}] = {ids[i]} is outside the vocabulary (size {config.VocabSize}).");
                if (types is not null && (uint)types[i] >= (uint)config.TypeVocabSize)
                    throw new CommandLineException($"stdin line {lineNumber}: token_type_ids[{i}] = {types[i]} is outside [0, {config.TypeVocabSize}).");
                if (mask is not null && mask[i] is not (0 or 1))
                    throw new CommandLineException($"stdin line {lineNumber}: attention_mask[{i}] = {mask[i]} is not 0 or 1.");
            }
            return new EncodeRequest(ids, types, mask);
        }
    }

    private static int[]? Ints(JsonElement root, string name, int lineNumber)
    {
        if (!root.TryGetProperty(name, out var array) || array.ValueKind == JsonValueKind.Null) return null;
        if (array.ValueKind != JsonValueKind.Array)
            throw new CommandLineException($"stdin line {lineNumber}: \"{name}\" must be an array of integers.");
        var result = new int[array.GetArrayLength()];
        int i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out result[i]))
                throw new CommandLineException($"stdin line {lineNumber}: {name}[{i}] is not an integer.");
            i++;
        }
        return result;
    }
}
