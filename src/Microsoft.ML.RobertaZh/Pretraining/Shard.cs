using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Microsoft.ML.RobertaZh.Pretraining;

/// <summary>A shard file mapped read-only into memory, checked (length, header, trailer, CRC-32C, offsets) when opened.</summary>
internal sealed unsafe class Shard : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly long _length;
    private readonly (long Offsets, long Ids, long WordStarts, long Copies, long CopyStride, long Trailer) _layout;

    private Shard(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, byte* pointer, long length)
    {
        Path = path;
        _file = file;
        _view = view;
        _base = pointer;
        _length = length;
        var header = Bytes(0, ShardFormat.HeaderSize);
        SettingsHash = BinaryPrimitives.ReadUInt64LittleEndian(header[16..]);
        CorpusHash = BinaryPrimitives.ReadUInt64LittleEndian(header[24..]);
        InstanceCount = BinaryPrimitives.ReadInt64LittleEndian(header[32..]);
        TokenCount = BinaryPrimitives.ReadInt64LittleEndian(header[40..]);
        Copies = BinaryPrimitives.ReadInt32LittleEndian(header[48..]);
        _layout = ShardFormat.Layout(InstanceCount, TokenCount, Copies);
    }

    public string Path { get; }
    public ulong SettingsHash { get; }
    public ulong CorpusHash { get; }
    public long InstanceCount { get; }
    public long TokenCount { get; }
    public int Copies { get; }

    /// <summary>Maps and verifies <paramref name="path"/>; <see cref="InvalidDataException"/> naming the file when it is truncated or corrupt.</summary>
    public static Shard Open(string path)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Shards are read on little-endian machines only.");
        long length = new FileInfo(path).Length;
        if (length < ShardFormat.HeaderSize + ShardFormat.TrailerSize)
            throw new InvalidDataException($"Shard {path} is truncated: {length} bytes, shorter than its header.");
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            pointer += view.PointerOffset;
            var shard = new Shard(path, file, view, pointer, length);
            try
            {
                shard.Verify();
                return shard;
            }
            catch
            {
                shard.Dispose();
                throw;
            }
        }
        catch when (view is null)
        {
            file.Dispose();
            throw;
        }
    }

    public int InstanceLength(long local) => (int)(Offset(local + 1) - Offset(local));

    public ReadOnlySpan<int> Ids(long local) => Ints(_layout.Ids, Offset(local), InstanceLength(local));

    public ReadOnlySpan<byte> WordStarts(long local) => Bytes(_layout.WordStarts + Offset(local), InstanceLength(local));

    public ReadOnlySpan<int> MaskedIds(int copy, long local) => Ints(_layout.Copies + (copy * _layout.CopyStride), Offset(local), InstanceLength(local));

    public ReadOnlySpan<byte> Predicted(int copy, long local) =>
        Bytes(_layout.Copies + (copy * _layout.CopyStride) + (4 * TokenCount) + Offset(local), InstanceLength(local));

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    private long Offset(long local) => BinaryPrimitives.ReadInt64LittleEndian(Bytes(_layout.Offsets + (8 * local), 8));

    private ReadOnlySpan<byte> Bytes(long at, long count) => new(_base + at, checked((int)count));

    private ReadOnlySpan<int> Ints(long section, long index, int count) => new(_base + section + (4 * index), count);

    private void Verify()
    {
        var header = Bytes(0, ShardFormat.HeaderSize);
        if (!header[..8].SequenceEqual(ShardFormat.Magic)) throw Corrupt("it is not a pretraining shard (bad magic)");
        int version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (version != ShardFormat.Version) throw Corrupt($"format version {version}; this build reads version {ShardFormat.Version}");
        long declared = BinaryPrimitives.ReadInt64LittleEndian(header[56..]);
        if (declared != _length)
            throw new InvalidDataException($"Shard {Path} is {(declared > _length ? "truncated" : "corrupt")}: {_length} bytes, the header says {declared}.");
        if (InstanceCount < 0 || TokenCount < 0 || Copies < 0 || _layout.Trailer + ShardFormat.TrailerSize != _length)
            throw Corrupt("the header's counts do not match the file length");
        var trailer = Bytes(_layout.Trailer, ShardFormat.TrailerSize);
        if (!trailer[4..].SequenceEqual(ShardFormat.TrailerMagic)) throw Corrupt("bad trailer");
        uint crc = 0;
        for (long at = 0; at < _layout.Trailer; at += 1 << 30)
            crc = Crc32C.Append(crc, Bytes(at, Math.Min(1 << 30, _layout.Trailer - at)));
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        if (crc != stored) throw Corrupt($"checksum mismatch (CRC-32C {crc:x8}, stored {stored:x8})");
        long previous = 0;
        for (long i = 0; i <= InstanceCount; i++)
        {
            long offset = Offset(i);
            if (offset < previous || (i == 0 && offset != 0) || offset > TokenCount) throw Corrupt($"offset table entry {i} is invalid");
            previous = offset;
        }
        if (previous != TokenCount) throw Corrupt("the offset table does not end at the token count");
    }

    private InvalidDataException Corrupt(string what) => new($"Shard {Path} is corrupt: {what}.");
}
