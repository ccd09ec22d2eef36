using System.Buffers.Binary;
using System.Runtime.InteropServices;
using ArmCrc = System.Runtime.Intrinsics.Arm.Crc32;
using X86Crc = System.Runtime.Intrinsics.X86.Sse42;

namespace Microsoft.ML.RobertaZh.Pretraining;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of iSCSI, ext4 and TFRecord, computed with the
/// SSE4.2 / ARMv8 CRC instructions eight bytes at a time, or with a table when neither is available.
/// </summary>
internal static class Crc32C
{
    private const uint Polynomial = 0x82F63B78u;
    private static readonly uint[] Table = BuildTable();

    /// <summary>Continues <paramref name="crc"/> (start with 0) over <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        if (X86Crc.X64.IsSupported || ArmCrc.Arm64.IsSupported)
        {
            var words = MemoryMarshal.Cast<byte, ulong>(data);
            foreach (ulong w in words)
            {
                ulong word = BitConverter.IsLittleEndian ? w : BinaryPrimitives.ReverseEndianness(w);
                c = X86Crc.X64.IsSupported ? (uint)X86Crc.X64.Crc32(c, word) : ArmCrc.Arm64.ComputeCrc32C(c, word);
            }
            data = data[(words.Length * 8)..];
        }
        return ~Scalar(c, data);
    }

    /// <summary>The table-driven version, kept as the specification of the accelerated one.</summary>
    internal static uint AppendScalar(uint crc, ReadOnlySpan<byte> data) => ~Scalar(~crc, data);

    private static uint Scalar(uint c, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return c;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
