using System.Buffers.Binary;
using System.Text;
using Microsoft.ML.RobertaZh.Checkpoints;

namespace Microsoft.ML.RobertaZh.Tests.Checkpoints;

/// <summary>Legacy-format cases torch 1.13 cannot produce any more, built byte by byte.</summary>
public class LegacyFormatTests
{
    [Fact]
    public void StorageViewsAddTheirOffset()
    {
        // storage '0' holds 0..5; the tensor views it from element 2 and starts 1 further: [3, 4]
        byte[] file = BuildLegacy(littleEndian: true, viewMetadata: ("0", 2, 3), storageValues: [0, 1, 2, 3, 4, 5]);
        using var tmp = new TempDirectory();
        var sd = CheckpointReader.Read(tmp.Write("view.bin", file));
        Assert.Equal([3f, 4f], sd["a"].Data);
        Assert.Equal([2], sd["a"].Shape);
    }

    [Fact]
    public void BigEndianLegacyFileIsByteSwapped()
    {
        byte[] file = BuildLegacy(littleEndian: false, viewMetadata: null, storageValues: [0, 1.5f, -2, 3, 4, 5]);
        using var tmp = new TempDirectory();
        var sd = CheckpointReader.Read(tmp.Write("big.bin", file));
        Assert.Equal([1.5f, -2f], sd["a"].Data);
    }

    [Fact]
    public void WrongMagicNumberIsRejected()
    {
        byte[] file = BuildLegacy(littleEndian: true, viewMetadata: null, storageValues: [0, 1, 2, 3, 4, 5]);
        file[5] ^= 0x01;   // inside the LONG1 magic number
        using var tmp = new TempDirectory();
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(tmp.Write("magic.bin", file)));
        Assert.Contains("magic number", e.Message, StringComparison.Ordinal);
    }

    private static byte[] BuildLegacy(bool littleEndian, (string Key, int Offset, int Size)? viewMetadata, float[] storageValues)
    {
        var m = new MemoryStream();
        void B(params byte[] bytes) => m.Write(bytes);
        void S(string s)
        {
            byte[] u = Encoding.UTF8.GetBytes(s);
            B(0x8c, (byte)u.Length);
            B(u);
        }

        // magic number, protocol version, sys_info
        B(0x80, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, (byte)'.');
        B(0x80, 2, (byte)'M', 0xe9, 0x03, (byte)'.');
        B(0x80, 2, (byte)'}', (byte)'(');
        S("little_endian");
        B(littleEndian ? (byte)0x88 : (byte)0x89, (byte)'u', (byte)'.');

        // OrderedDict([('a', _rebuild_tensor_v2(storage, 1, (2,), (1,), False, OrderedDict()))])
        B(0x80, 2);
        B(Encoding.ASCII.GetBytes("ccollections\nOrderedDict\n"));
        B((byte)'q', 0, (byte)')', (byte)'R', (byte)'(');
        S("a");
        B(Encoding.ASCII.GetBytes("ctorch._utils\n_rebuild_tensor_v2\n"));
        B((byte)'(', (byte)'(');
        S("storage");
        B(Encoding.ASCII.GetBytes("ctorch\nFloatStorage\n"));
        S("0");
        S("cpu");
        B((byte)'K', (byte)storageValues.Length);
        if (viewMetadata is { } v)
        {
            S(v.Key);
            B((byte)'K', (byte)v.Offset, (byte)'K', (byte)v.Size, 0x87);
        }
        else
        {
            B((byte)'N');
        }

        B((byte)'t', (byte)'Q');                                  // persistent id
        B((byte)'K', 1, (byte)'K', 2, 0x85, (byte)'K', 1, 0x85);   // offset 1, size (2,), stride (1,)
        B(0x89, (byte)'h', 0, (byte)')', (byte)'R', (byte)'t', (byte)'R', (byte)'u', (byte)'.');

        // storage keys, then numel + data
        B(0x80, 2, (byte)']', (byte)'(');
        S("0");
        B((byte)'e', (byte)'.');
        var buffer = new byte[8 + (4 * storageValues.Length)];
        if (littleEndian)
        {
            BinaryPrimitives.WriteInt64LittleEndian(buffer, storageValues.Length);
        }
        else
        {
            BinaryPrimitives.WriteInt64BigEndian(buffer, storageValues.Length);
        }

        for (int i = 0; i < storageValues.Length; i++)
        {
            var span = buffer.AsSpan(8 + (4 * i), 4);
            if (littleEndian)
            {
                BinaryPrimitives.WriteSingleLittleEndian(span, storageValues[i]);
            }
            else
            {
                BinaryPrimitives.WriteSingleBigEndian(span, storageValues[i]);
            }
        }

        B(buffer);
        return m.ToArray();
    }
}
