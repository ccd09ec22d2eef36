using System.Buffers;
using System.Buffers.Binary;
using Microsoft.ML.RobertaZh.Checkpoints;

namespace Microsoft.ML.RobertaZh.Tests.Checkpoints;

public class SafeTensorsWriterTests
{
    private static KeyValuePair<string, (int[] Shape, ReadOnlyMemory<float> Data)> T(string name, int[] shape, float[] data) =>
        new(name, (shape, data));

    [Fact]
    public void WriteThenReadRoundTripsExactly()
    {
        using var tmp = new TempDirectory();
        string path = tmp.File("model.safetensors");
        float[] w = [1.5f, -2f, float.Epsilon, float.MaxValue, float.NegativeInfinity, -0f];
        float[] b = [3.25f, 1e-30f];
        SafeTensorsWriter.Write(
            path,
            [T("z.weight", [2, 3], w), T("a.bias", [2], b), T("scalar", [], [7f]), T("empty", [0, 4], [])],
            new Dictionary<string, string> { ["format"] = "pt", ["note"] = "中文" });

        var sd = SafeTensorsReader.Read(path);
        Assert.Equal(["a.bias", "empty", "scalar", "z.weight"], sd.Keys);    // sorted by name
        Assert.Equal(w, sd["z.weight"].Data);
        Assert.Equal([2, 3], sd["z.weight"].Shape);
        Assert.Equal(b, sd["a.bias"].Data);
        Assert.Empty(sd["scalar"].Shape);
        Assert.Equal([7f], sd["scalar"].Data);
        Assert.Equal([0, 4], sd["empty"].Shape);
        Assert.All(sd.Values, t => Assert.Equal("F32", t.SourceDType));
        Assert.Equal("中文", sd.Metadata["note"]);

        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes) % 8);
        Assert.Equal((byte)'{', bytes[8]);
    }

    [Fact]
    public void FixtureSurvivesReadWriteRead()
    {
        using var tmp = new TempDirectory();
        var original = CheckpointReader.Read(CheckpointFixtures.PathOf("tiny_zip.bin"));
        string path = tmp.File("copy.safetensors");
        SafeTensorsWriter.Write(path, original.Select(kv => T(kv.Key, kv.Value.Shape.ToArray(), kv.Value.Data)));
        var copy = CheckpointReader.Read(path);
        Assert.Equal(original.Count, copy.Count);
        foreach (var (name, t) in original)
        {
            Assert.Equal(t.Shape, copy[name].Shape);
            Assert.Equal(t.Data, copy[name].Data);
        }
    }

    [Fact]
    public void EnumeratorThrowingMidwayLeavesPreviousFileIntact()
    {
        using var tmp = new TempDirectory();
        string path = tmp.File("model.safetensors");
        SafeTensorsWriter.Write(path, [T("keep", [2], [1f, 2f])]);
        byte[] before = File.ReadAllBytes(path);

        static IEnumerable<KeyValuePair<string, (int[] Shape, ReadOnlyMemory<float> Data)>> Failing()
        {
            yield return T("x", [1], [9f]);
            throw new InvalidOperationException("boom");
        }

        Assert.Throws<InvalidOperationException>(() => SafeTensorsWriter.Write(path, Failing()));
        AssertUnchanged(tmp, path, before);
    }

    [Fact]
    public void DataFailingWhileWritingLeavesPreviousFileIntactAndNoTempFile()
    {
        using var tmp = new TempDirectory();
        string path = tmp.File("model.safetensors");
        SafeTensorsWriter.Write(path, [T("keep", [2], [1f, 2f])]);
        byte[] before = File.ReadAllBytes(path);

        var bad = new ThrowingMemory(3).Memory;
        var ex = Assert.Throws<InvalidOperationException>(() =>
            SafeTensorsWriter.Write(path, [T("a", [2], [1f, 2f]), new("b", ([3], bad))]));
        Assert.Equal("span unavailable", ex.Message);
        AssertUnchanged(tmp, path, before);
    }

    [Theory]
    [InlineData("mismatch")]
    [InlineData("duplicate")]
    [InlineData("empty name")]
    public void InvalidInputThrowsArgumentExceptionAndKeepsFile(string kind)
    {
        using var tmp = new TempDirectory();
        string path = tmp.File("model.safetensors");
        SafeTensorsWriter.Write(path, [T("keep", [1], [1f])]);
        byte[] before = File.ReadAllBytes(path);
        var tensors = kind switch
        {
            "mismatch" => new[] { T("a", [2, 2], [1f, 2f, 3f]) },
            "duplicate" => [T("a", [1], [1f]), T("a", [1], [2f])],
            _ => [T("", [1], [1f])],
        };

        Assert.ThrowsAny<ArgumentException>(() => SafeTensorsWriter.Write(path, tensors));
        AssertUnchanged(tmp, path, before);
    }

    private static void AssertUnchanged(TempDirectory tmp, string path, byte[] before)
    {
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(SafeTensorsReader.Read(path));   // still loadable
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(tmp.Path).Select(Path.GetFileName));
    }

    /// <summary>Memory whose span cannot be obtained: makes the writer fail after it started writing data.</summary>
    private sealed class ThrowingMemory(int length) : MemoryManager<float>
    {
        public override Span<float> GetSpan() => throw new InvalidOperationException("span unavailable");

        public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }

        public new Memory<float> Memory => CreateMemory(length);
    }
}
