using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Microsoft.ML.RobertaZh.Pretraining;

/// <summary>
/// Layout of a shard file (little-endian). Header, 64 bytes: magic "RZPTSHRD", u32 format version, u32 flags (bit 0: static
/// masks), u64 settings hash, u64 corpus hash, i64 instances n, i64 tokens T, i32 masked copies D, u32 reserved, i64 file
/// length. Then i64 offsets[n + 1] (token index where each instance starts), i32 ids[T], u8 word starts[T] padded to 8 bytes,
/// and for each of the D copies i32 masked ids[T] and u8 predicted flags[T] padded to 8. Trailer, 8 bytes: the CRC-32C of
/// everything before it and the magic "RZND".
/// </summary>
internal static class ShardFormat
{
    public const int Version = 1;
    public const int HeaderSize = 64;
    public const int TrailerSize = 8;
    public static ReadOnlySpan<byte> Magic => "RZPTSHRD"u8;
    public static ReadOnlySpan<byte> TrailerMagic => "RZND"u8;

    public static long Pad8(long length) => (length + 7) & ~7L;

    /// <summary>Byte offsets of the sections of a shard with <paramref name="instances"/> instances, <paramref name="tokens"/> tokens and <paramref name="copies"/> masked copies.</summary>
    public static (long Offsets, long Ids, long WordStarts, long Copies, long CopyStride, long Trailer) Layout(long instances, long tokens, int copies)
    {
        long offsets = HeaderSize;
        long ids = offsets + (8 * (instances + 1));
        long starts = ids + (4 * tokens);
        long copiesAt = starts + Pad8(tokens);
        long stride = (4 * tokens) + Pad8(tokens);
        return (offsets, ids, starts, copiesAt, stride, copiesAt + (copies * stride));
    }

    public static void WriteHeader(Span<byte> header, ulong settingsHash, ulong corpusHash, long instances, long tokens, int copies, long fileLength)
    {
        header.Clear();
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], copies > 0 ? 1u : 0u);
        BinaryPrimitives.WriteUInt64LittleEndian(header[16..], settingsHash);
        BinaryPrimitives.WriteUInt64LittleEndian(header[24..], corpusHash);
        BinaryPrimitives.WriteInt64LittleEndian(header[32..], instances);
        BinaryPrimitives.WriteInt64LittleEndian(header[40..], tokens);
        BinaryPrimitives.WriteInt32LittleEndian(header[48..], copies);
        BinaryPrimitives.WriteInt64LittleEndian(header[56..], fileLength);
    }

    /// <summary>Writes a shard; the stream receives header, sections and trailer, with the CRC computed on the way.</summary>
    public static void Write(Stream stream, ulong settingsHash, ulong corpusHash, ReadOnlySpan<long> offsets, ReadOnlySpan<int> ids,
        ReadOnlySpan<byte> wordStarts, IReadOnlyList<(int[] MaskedIds, byte[] Predicted)> copies)
    {
        long n = offsets.Length - 1, tokens = ids.Length;
        var layout = Layout(n, tokens, copies.Count);
        Span<byte> header = stackalloc byte[HeaderSize];
        WriteHeader(header, settingsHash, corpusHash, n, tokens, copies.Count, layout.Trailer + TrailerSize);
        uint crc = 0;
        void Put(ReadOnlySpan<byte> bytes)
        {
            stream.Write(bytes);
            crc = Crc32C.Append(crc, bytes);
        }
        ReadOnlySpan<byte> zeros = stackalloc byte[8];
        Put(header);
        Put(MemoryMarshal.AsBytes(offsets));
        Put(MemoryMarshal.AsBytes(ids));
        Put(wordStarts);
        Put(zeros[..(int)(Pad8(tokens) - tokens)]);
        foreach (var (maskedIds, predicted) in copies)
        {
            Put(MemoryMarshal.AsBytes(maskedIds.AsSpan()));
            Put(predicted);
            Put(zeros[..(int)(Pad8(tokens) - tokens)]);
        }
        Span<byte> trailer = stackalloc byte[TrailerSize];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, crc);
        TrailerMagic.CopyTo(trailer[4..]);
        stream.Write(trailer);
    }
}
