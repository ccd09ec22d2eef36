using System.Buffers.Binary;
using System.Text;
using Microsoft.ML.RobertaZh.Checkpoints;

namespace Microsoft.ML.RobertaZh.Tests.Checkpoints;

public class SafeTensorsReaderTests
{
    [Fact]
    public void ReadsFixtureWithEveryDTypeExactly()
    {
        var expected = CheckpointFixtures.LoadExpected("tiny_expected.json");
        var sd = SafeTensorsReader.Read(CheckpointFixtures.PathOf("tiny.safetensors"));

        CheckpointFixtures.AssertEqual(expected.Tensors, sd, checkOrder: false);
        Assert.Equal("pt", sd.Metadata["format"]);
        Assert.Equal(CheckpointFixtures.PathOf("tiny.safetensors"), sd.SourcePath);
        Assert.Empty(sd["misc.scalar"].Shape);
        Assert.Equal(1, sd["misc.scalar"].ElementCount);
    }

    [Fact]
    public void EnumeratesInHeaderOrder()
    {
        var sd = SafeTensorsReader.Read(CheckpointFixtures.PathOf("tiny.safetensors"));
        var names = sd.Keys.ToList();
        // The fixture writer sorts by element size descending, then name.
        Assert.Equal("bert.embeddings.position_ids", names[0]);
        Assert.Equal("misc.mask", names[^1]);
        Assert.Equal(names, sd.Select(kv => kv.Key).ToList());
    }

    public static TheoryData<string, string, int, string> BadHeaders => new()
    {
        // name, header JSON, data length, expected message fragment
        { "hole", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "hole" },
        { "overlap", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "overlaps" },
        { "size mismatch", """{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "'a'" },
        { "buffer longer", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 12, "holds 12" },
        { "buffer shorter", """{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8, "truncated" },
        { "bad json", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}""", 8, "not valid JSON" },
        { "not an object", """{"a":[1,2]}""", 0, "'a'" },
        { "unknown dtype", """{"a":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}}""", 8, "F8_E4M3" },
        { "complex dtype", """{"weird.tensor":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}""", 8, "weird.tensor" },
        { "duplicate key", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "twice" },
        { "negative dim", """{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8, "shape" },
        { "reversed offsets", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", 8, "data_offsets" },
        { "three offsets", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,9]}}""", 8, "data_offsets" },
        { "metadata not strings", """{"__metadata__":{"x":1}}""", 0, "__metadata__" },
        { "not json object", """[1]""", 0, "'{'" },
        { "invalid utf8", "{\"a\xff\":1}", 0, "JSON" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void InvalidHeaderIsRejectedNamingTheFile(string caseName, string header, int dataLength, string fragment)
    {
        using var tmp = new TempDirectory();
        byte[] headerBytes = caseName == "invalid utf8" ? Encoding.Latin1.GetBytes(header) : Encoding.UTF8.GetBytes(header);
        string path = tmp.Write("bad.safetensors", Build(headerBytes, new byte[dataLength]));

        var e = Assert.Throws<CheckpointFormatException>(() => SafeTensorsReader.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(200_000_000UL, "exceeds")]
    [InlineData(100_000UL, "truncated")]
    [InlineData(ulong.MaxValue, "exceeds")]
    public void HeaderLengthOutOfRangeIsRejected(ulong claimedLength, string fragment)
    {
        using var tmp = new TempDirectory();
        var bytes = Build(Encoding.UTF8.GetBytes("{}      "), []);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimedLength);
        string path = tmp.Write("len.safetensors", bytes);

        var e = Assert.Throws<CheckpointFormatException>(() => SafeTensorsReader.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyAndPaddedHeadersAreAccepted()
    {
        using var tmp = new TempDirectory();
        string path = tmp.Write("empty.safetensors", Build(Encoding.UTF8.GetBytes("{}" + new string(' ', 30)), []));
        Assert.Empty(SafeTensorsReader.Read(path));

        string zero = tmp.Write("zero.safetensors", Build(Encoding.UTF8.GetBytes("""{"z":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]}}"""), []));
        var t = SafeTensorsReader.Read(zero)["z"];
        Assert.Equal([0, 3], t.Shape);
        Assert.Empty(t.Data);
    }

    [Fact]
    public void TruncatedAtManyLengthsFailsCleanly()
    {
        byte[] full = CheckpointFixtures.Bytes("tiny.safetensors");
        using var tmp = new TempDirectory();
        string path = tmp.File("cut.safetensors");
        foreach (int len in CheckpointFixtures.CutPoints(full.Length))
        {
            File.WriteAllBytes(path, full.AsSpan(0, len).ToArray());
            var e = Assert.Throws<CheckpointFormatException>(() => SafeTensorsReader.Read(path));
            Assert.Equal(path, e.FilePath);
            Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(path));
        }
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => SafeTensorsReader.Read(CheckpointFixtures.PathOf("does-not-exist.safetensors")));
    }

    internal static byte[] Build(byte[] header, byte[] data)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }
}
