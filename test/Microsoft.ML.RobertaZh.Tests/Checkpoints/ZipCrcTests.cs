using System.Buffers.Binary;
using System.Text;
using Microsoft.ML.RobertaZh.Checkpoints;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Checkpoints;

/// <summary>Zip-format pytorch_model.bin records are checked against their CRC-32: a flipped byte is reported, not loaded.</summary>
public sealed class ZipCrcTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rzh-crc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("pytorch_model/data/3", 17)]
    [InlineData("pytorch_model/data/0", 0)]
    [InlineData("pytorch_model/data.pkl", 40)]
    public void AFlippedByteInARecordIsReportedWithTheFileTheRecordAndBothCrcs(string record, int offsetInRecord)
    {
        string copy = Path.Combine(_dir, "pytorch_model.bin");
        File.Copy(Fixtures.Path("model/pytorch_model.bin"), copy);
        var bytes = File.ReadAllBytes(copy);
        int dataOffset = LocalRecordData(bytes, record);
        uint expectedCrc;
        using (var zip = System.IO.Compression.ZipFile.OpenRead(copy)) expectedCrc = zip.GetEntry(record)!.Crc32; // central directory
        bytes[dataOffset + offsetInRecord] ^= 0x10;
        File.WriteAllBytes(copy, bytes);

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(copy));
        Assert.Equal(copy, e.FilePath);
        Assert.StartsWith(copy + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains($"record '{record}' fails its CRC-32 check", e.Message, StringComparison.Ordinal);
        Assert.Contains($"expected {expectedCrc:x8}", e.Message, StringComparison.Ordinal);
        Assert.Matches("actual [0-9a-f]{8}\\)", e.Message);
    }

    [Fact]
    public void TheUntouchedFixtureLoads() =>
        Assert.NotEmpty(CheckpointReader.Read(Fixtures.Path("model/pytorch_model.bin")));

    /// <summary>Where <paramref name="name"/>'s data starts, after its local file header (PKZIP APPNOTE 4.3.7).</summary>
    private static int LocalRecordData(byte[] zip, string name)
    {
        for (int o = 0; o + 30 <= zip.Length; o++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(o)) != 0x04034b50) continue;
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(o + 26));
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(o + 28));
            if (Encoding.UTF8.GetString(zip, o + 30, nameLength) == name)
                return o + 30 + nameLength + extraLength;
        }
        throw new InvalidOperationException($"No local header for {name}.");
    }
}
