using System.Text;
using Microsoft.ML.RobertaZh.Pretraining;
using Microsoft.ML.RobertaZh.Segmentation;
using Microsoft.ML.RobertaZh.Tests.Segmentation;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Tests.Pretraining;

/// <summary>A tiny vocabulary (google_zh_vocab's special layout), jieba dictionary and synthetic corpora for the data tests.</summary>
internal static class PretrainingFixtures
{
    public const int Pad = 0, Unk = 100, Cls = 101, Sep = 102, Mask = 103;

    /// <summary>Four groups of 50 CJK characters; synthetic document d uses group d mod 4 only.</summary>
    public static readonly string[][] Groups = [.. Enumerable.Range(0, 4).Select(g => Enumerable.Range(0, 50).Select(k => char.ToString((char)(0x4E00 + 0x100 + (g * 50) + k))).ToArray())];

    public static readonly Lazy<Vocabulary> Vocab = new(() =>
    {
        var tokens = new List<string> { "[PAD]" };
        for (int i = 1; i < 100; i++) tokens.Add($"[unused{i}]");
        tokens.AddRange(["[UNK]", "[CLS]", "[SEP]", "[MASK]"]);
        tokens.AddRange(["甲", "乙", "丙", "丁", "戊", "中", "文", "字", "符", "。", "！", "？", "，", "hello", "world", "##s", "a", "b"]);
        tokens.AddRange(Groups.SelectMany(g => g));
        return new Vocabulary(tokens);
    });

    public static BertTokenizer Tokenizer() => new(Vocab.Value);

    /// <summary>jieba over the tiny dictionary of <see cref="TinySegmenter"/> plus two-character words of each group.</summary>
    public static JiebaSegmenter Segmenter()
    {
        var dict = new StringBuilder(TinySegmenter.Dictionary).Append('\n');
        foreach (var group in Groups)
            for (int k = 0; k + 1 < group.Length; k += 3) dict.Append(group[k]).Append(group[k + 1]).Append(" 20\n");
        return TinySegmenter.Create(dict.ToString());
    }

    public static int Id(string token) => Vocab.Value.GetId(token) ?? throw new ArgumentException(token);

    /// <summary>Random documents: 1–<paramref name="maxSentences"/> sentences of 1–<paramref name="maxSentenceLength"/> characters of the document's group, each ending with 。</summary>
    public static List<List<string>> RandomDocuments(int seed, int documents, int maxSentences = 8, int maxSentenceLength = 30)
    {
        var random = new Random(seed);
        var result = new List<List<string>>();
        for (int d = 0; d < documents; d++)
        {
            var group = Groups[d % Groups.Length];
            var sentences = new List<string>();
            int count = random.Next(1, maxSentences + 1);
            for (int s = 0; s < count; s++)
            {
                var text = new StringBuilder();
                int length = random.Next(1, maxSentenceLength + 1);
                for (int c = 0; c < length; c++) text.Append(group[random.Next(group.Length)]);
                sentences.Add(text.Append('。').ToString());
            }
            result.Add(sentences);
        }
        return result;
    }

    /// <summary>Writes documents one per line (UER) or one sentence per line with blank lines between documents (Google).</summary>
    public static void WriteCorpus(string path, IEnumerable<IEnumerable<string>> documents, CorpusFormat format)
    {
        var text = new StringBuilder();
        foreach (var document in documents)
        {
            if (format == CorpusFormat.DocumentPerLine) text.Append(string.Concat(document)).Append('\n');
            else text.AppendJoin('\n', document).Append("\n\n");
        }
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
    }
}

/// <summary>A temporary directory deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => System.IO.Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rz-pretrain-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
