using System.Reflection;
using System.Text;

namespace Microsoft.ML.RobertaZh.Cli.Commands;

/// <summary>
/// The demo's sample, embedded in this assembly (text written for this project): <c>reviews.tsv</c> (300 short reviews of
/// hotels, books, phones, food and more; UER TSV <c>label\ttext_a</c>, 1 positive, 0 negative, balanced),
/// <c>pairs.tsv</c> (44 sentence pairs, <c>label\ttext_a\ttext_b</c>, 1 when they mean the same) and <c>corpus.txt</c>
/// (50 short documents, one per line, about 250 sentences).
/// </summary>
internal static class DemoSample
{
    /// <summary>The file names of the sample.</summary>
    public static readonly string[] Files = ["reviews.tsv", "pairs.tsv", "corpus.txt"];

    /// <summary>The text of one sample file.</summary>
    public static string Read(string name)
    {
        string resource = "Microsoft.ML.RobertaZh.Cli.Samples." + name;
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new FileNotFoundException($"The sample file {name} is not embedded in this build.", name);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Writes every sample file into <paramref name="directory"/> (created if needed); returns the directory.</summary>
    public static string Export(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var name in Files) File.WriteAllText(Path.Combine(directory, name), Read(name), new UTF8Encoding(false));
        return directory;
    }

    /// <summary>The texts of <c>reviews.tsv</c> (the header and labels dropped).</summary>
    public static IEnumerable<string> ReviewTexts() =>
        Read("reviews.tsv").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1).Select(l => l[(l.IndexOf('\t') + 1)..]);
}
