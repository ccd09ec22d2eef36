using System.Text.Json;
using Microsoft.ML.RobertaZh.Checkpoints;

namespace Microsoft.ML.RobertaZh.Tests.Checkpoints;

/// <summary>Locates the committed checkpoint fixtures and compares tensors with their expected JSON.</summary>
internal static class CheckpointFixtures
{
    private static readonly Lazy<string> Root = new(FindFixtureDirectory);

    public static string Directory => Root.Value;

    public static string PathOf(string name) => System.IO.Path.Combine(Directory, name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    public sealed record ExpectedTensor(string DType, int[] Shape, float[] Data);

    public sealed record Expected(
        List<KeyValuePair<string, ExpectedTensor>> Tensors, List<string> Ignored, List<string> Unrecognized);

    public static Expected LoadExpected(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(PathOf(name)));
        var tensors = new List<KeyValuePair<string, ExpectedTensor>>();
        foreach (var p in doc.RootElement.GetProperty("tensors").EnumerateObject())
        {
            var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var data = p.Value.GetProperty("data").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
            tensors.Add(new(p.Name, new ExpectedTensor(p.Value.GetProperty("dtype").GetString()!, shape, data)));
        }

        return new Expected(tensors, Strings(doc.RootElement, "ignored"), Strings(doc.RootElement, "unrecognized"));
    }

    private static List<string> Strings(JsonElement root, string property) =>
        root.TryGetProperty(property, out var list) ? list.EnumerateArray().Select(e => e.GetString()!).ToList() : [];

    /// <summary>Asserts the same names in the same order with identical dtypes, shapes and bit-exact values.</summary>
    public static void AssertEqual(
        List<KeyValuePair<string, ExpectedTensor>> expected, IReadOnlyDictionary<string, CheckpointTensor> actual, bool checkOrder = true)
    {
        var expectedNames = expected.Select(e => e.Key).ToList();
        var actualNames = actual.Keys.ToList();
        if (checkOrder)
        {
            Assert.Equal(expectedNames, actualNames);
        }
        else
        {
            Assert.Equal(expectedNames.Order(StringComparer.Ordinal), actualNames.Order(StringComparer.Ordinal));
        }

        foreach (var (name, e) in expected)
        {
            var t = actual[name];
            Assert.Equal(name, t.Name);
            Assert.Equal(e.DType, t.SourceDType);
            Assert.Equal(e.Shape, t.Shape);
            Assert.Equal(e.Data.Length, t.ElementCount);
            Assert.True(e.Data.AsSpan().SequenceEqual(t.Data), $"values of '{name}' differ");
        }
    }

    /// <summary>
    /// Lengths to truncate a fixture to: every length within the first 160 bytes (headers, pickle openings), about
    /// 200 spread over the rest (mid-header, mid-data, central directory) and the last 16 (end record, last tensor bytes).
    /// </summary>
    public static IEnumerable<int> CutPoints(int fileLength)
    {
        int step = Math.Max(1, fileLength / 200);
        for (int len = 0; len < fileLength; len++)
        {
            if (len < 160 || len % step == 0 || len >= fileLength - 16)
            {
                yield return len;
            }
        }
    }

    private static string FindFixtureDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Microsoft.ML.RobertaZh.sln")))
            {
                return System.IO.Path.Combine(dir.FullName, "test", "Microsoft.ML.RobertaZh.Tests", "Fixtures", "checkpoints");
            }
        }

        throw new InvalidOperationException("Cannot find Microsoft.ML.RobertaZh.sln above " + AppContext.BaseDirectory);
    }
}

/// <summary>A per-test scratch directory, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "robertazh-ckpt-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, byte[] bytes)
    {
        string p = File(name);
        System.IO.File.WriteAllBytes(p, bytes);
        return p;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
