using System.Text.Json;

namespace Microsoft.ML.RobertaZh.Segmentation;

/// <summary>
/// jieba's finalseg HMM: start, transition and emission log-probabilities over the states B, M, E, S, read from
/// <c>{"start":{state:logp},"trans":{state:{state:logp}},"emit":{state:{char:logp}}}</c> (jieba's
/// <c>finalseg/prob_*.py</c> converted to JSON). Missing entries are <see cref="MinFloat"/>, as jieba's <c>.get(x, MIN_FLOAT)</c>.
/// </summary>
internal sealed class HmmModel
{
    /// <summary>jieba's <c>MIN_FLOAT</c>, the log-probability of anything the tables do not list.</summary>
    public const double MinFloat = -3.14e100;

    /// <summary>State indices, ordered by letter so that "larger index" is Python's "larger state letter".</summary>
    public const int B = 0, E = 1, M = 2, S = 3;

    private const string StateLetters = "BEMS";

    /// <summary>Start log-probabilities, by state.</summary>
    public double[] Start { get; } = [MinFloat, MinFloat, MinFloat, MinFloat];

    /// <summary>Transition log-probabilities, <c>[from * 4 + to]</c>.</summary>
    public double[] Transition { get; } = Enumerable.Repeat(MinFloat, 16).ToArray();

    /// <summary>Emission log-probabilities, <c>[ch * 4 + state]</c> for every UTF-16 character (the four states of a char share a cache line).</summary>
    public double[] Emission { get; } = Enumerable.Repeat(MinFloat, 4 * (char.MaxValue + 1)).ToArray();

    /// <summary>Reads a model file; see the type's summary for the format.</summary>
    /// <exception cref="InvalidDataException">The JSON does not have that shape.</exception>
    public static HmmModel Load(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Parses the JSON model in <paramref name="json"/>; <paramref name="name"/> names the source in errors.</summary>
    /// <exception cref="InvalidDataException">The JSON does not have the expected shape.</exception>
    public static HmmModel Parse(ReadOnlySpan<byte> json, string name)
    {
        var model = new HmmModel();
        var seen = new HashSet<string>();
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            Expect(ref reader, JsonTokenType.StartObject, name);
            while (Read(ref reader, name) == JsonTokenType.PropertyName)
            {
                string section = reader.GetString()!;
                seen.Add(section);
                Expect(ref reader, JsonTokenType.StartObject, name);
                switch (section)
                {
                    case "start":
                        ReadTable(ref reader, name, (key, value) => model.Start[State(key, name)] = value);
                        break;
                    case "trans":
                        ReadNested(ref reader, name, (from, to, value) => model.Transition[(State(from, name) * 4) + State(to, name)] = value);
                        break;
                    case "emit":
                        ReadNested(ref reader, name, (state, ch, value) =>
                        {
                            if (ch.Length != 1) throw new InvalidDataException($"{name}: emission key \"{ch}\" is not a single BMP character.");
                            model.Emission[(ch[0] * 4) + State(state, name)] = value;
                        });
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{name}: not a valid HMM model JSON file: {e.Message}", e);
        }
        foreach (string required in new[] { "start", "trans", "emit" })
            if (!seen.Contains(required)) throw new InvalidDataException($"{name}: the HMM model has no \"{required}\" table.");
        return model;
    }

    private static int State(string key, string name)
    {
        int index = key.Length == 1 ? StateLetters.IndexOf(key[0], StringComparison.Ordinal) : -1;
        return index >= 0 ? index : throw new InvalidDataException($"{name}: \"{key}\" is not an HMM state (B, M, E or S).");
    }

    private static void ReadNested(ref Utf8JsonReader reader, string name, Action<string, string, double> set)
    {
        while (Read(ref reader, name) == JsonTokenType.PropertyName)
        {
            string outer = reader.GetString()!;
            Expect(ref reader, JsonTokenType.StartObject, name);
            ReadTable(ref reader, name, (inner, value) => set(outer, inner, value));
        }
    }

    private static void ReadTable(ref Utf8JsonReader reader, string name, Action<string, double> set)
    {
        while (Read(ref reader, name) == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            Expect(ref reader, JsonTokenType.Number, name);
            set(key, reader.GetDouble());
        }
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string name)
    {
        if (Read(ref reader, name) != type)
            throw new InvalidDataException($"{name}: expected {type} in the HMM model, found {reader.TokenType} at byte {reader.TokenStartIndex}.");
    }

    private static JsonTokenType Read(ref Utf8JsonReader reader, string name) =>
        reader.Read() ? reader.TokenType : throw new InvalidDataException($"{name}: the HMM model JSON ends early.");
}
