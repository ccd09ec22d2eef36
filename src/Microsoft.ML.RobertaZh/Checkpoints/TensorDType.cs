using System.Buffers;
using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Microsoft.ML.RobertaZh.Checkpoints;

/// <summary>Element types found in checkpoints (safetensors names).</summary>
internal enum TensorDType
{
    Bool,
    U8,
    I8,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    F64,
    I64,
    U64,
}

/// <summary>Names, sizes and conversion to float32 of <see cref="TensorDType"/> values.</summary>
internal static class TensorDTypes
{
    /// <summary>The safetensors spelling ("F32", "BOOL", ...).</summary>
    public static string Name(TensorDType t) => t == TensorDType.Bool ? "BOOL" : t.ToString();

    public static int ElementSize(TensorDType t) => t switch
    {
        TensorDType.Bool or TensorDType.U8 or TensorDType.I8 => 1,
        TensorDType.I16 or TensorDType.U16 or TensorDType.F16 or TensorDType.BF16 => 2,
        TensorDType.I32 or TensorDType.U32 or TensorDType.F32 => 4,
        _ => 8,
    };

    /// <summary>Parses a safetensors dtype name; false for names we do not know (F8_E4M3, C64, ...).</summary>
    public static bool TryParseSafeTensors(string name, out TensorDType dtype)
    {
        switch (name)
        {
            case "BOOL": dtype = TensorDType.Bool; return true;
            case "U8": dtype = TensorDType.U8; return true;
            case "I8": dtype = TensorDType.I8; return true;
            case "I16": dtype = TensorDType.I16; return true;
            case "U16": dtype = TensorDType.U16; return true;
            case "F16": dtype = TensorDType.F16; return true;
            case "BF16": dtype = TensorDType.BF16; return true;
            case "I32": dtype = TensorDType.I32; return true;
            case "U32": dtype = TensorDType.U32; return true;
            case "F32": dtype = TensorDType.F32; return true;
            case "F64": dtype = TensorDType.F64; return true;
            case "I64": dtype = TensorDType.I64; return true;
            case "U64": dtype = TensorDType.U64; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>Maps a legacy PyTorch storage class name ("FloatStorage", ...) to a dtype; false when unsupported.</summary>
    public static bool TryParseTorchStorage(string storageClass, out TensorDType dtype)
    {
        switch (storageClass)
        {
            case "FloatStorage": dtype = TensorDType.F32; return true;
            case "DoubleStorage": dtype = TensorDType.F64; return true;
            case "HalfStorage": dtype = TensorDType.F16; return true;
            case "BFloat16Storage": dtype = TensorDType.BF16; return true;
            case "LongStorage": dtype = TensorDType.I64; return true;
            case "IntStorage": dtype = TensorDType.I32; return true;
            case "ShortStorage": dtype = TensorDType.I16; return true;
            case "CharStorage": dtype = TensorDType.I8; return true;
            case "ByteStorage": dtype = TensorDType.U8; return true;
            case "BoolStorage": dtype = TensorDType.Bool; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>
    /// Converts <c>dst.Length</c> elements from raw bytes to float32. <paramref name="littleEndian"/> is the byte order of the source.
    /// </summary>
    public static void ConvertToSingle(ReadOnlySpan<byte> src, Span<float> dst, TensorDType dtype, bool littleEndian)
    {
        int size = ElementSize(dtype);
        if (src.Length < (long)dst.Length * size)
        {
            throw new ArgumentException("Source is shorter than the destination requires.", nameof(src));
        }

        src = src[..(dst.Length * size)];
        bool native = littleEndian == BitConverter.IsLittleEndian;
        if (native)
        {
            switch (dtype)
            {
                case TensorDType.F32:
                    MemoryMarshal.Cast<byte, float>(src).CopyTo(dst);
                    return;
                case TensorDType.F16:
                    TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(src), dst);
                    return;
                case TensorDType.F64:
                    TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, double>(src), dst);
                    return;
            }
        }

        for (int i = 0; i < dst.Length; i++)
        {
            dst[i] = ReadOne(src.Slice(i * size, size), dtype, littleEndian);
        }
    }

    private static float ReadOne(ReadOnlySpan<byte> b, TensorDType dtype, bool le) => dtype switch
    {
        TensorDType.Bool => b[0] != 0 ? 1f : 0f,
        TensorDType.U8 => b[0],
        TensorDType.I8 => (sbyte)b[0],
        TensorDType.I16 => le ? BinaryPrimitives.ReadInt16LittleEndian(b) : BinaryPrimitives.ReadInt16BigEndian(b),
        TensorDType.U16 => le ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b),
        TensorDType.F16 => (float)(le ? BinaryPrimitives.ReadHalfLittleEndian(b) : BinaryPrimitives.ReadHalfBigEndian(b)),
        TensorDType.BF16 => BitConverter.Int32BitsToSingle(
            (le ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b)) << 16),
        TensorDType.I32 => le ? BinaryPrimitives.ReadInt32LittleEndian(b) : BinaryPrimitives.ReadInt32BigEndian(b),
        TensorDType.U32 => le ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b),
        TensorDType.F32 => le ? BinaryPrimitives.ReadSingleLittleEndian(b) : BinaryPrimitives.ReadSingleBigEndian(b),
        TensorDType.F64 => (float)(le ? BinaryPrimitives.ReadDoubleLittleEndian(b) : BinaryPrimitives.ReadDoubleBigEndian(b)),
        TensorDType.I64 => le ? BinaryPrimitives.ReadInt64LittleEndian(b) : BinaryPrimitives.ReadInt64BigEndian(b),
        TensorDType.U64 => le ? BinaryPrimitives.ReadUInt64LittleEndian(b) : BinaryPrimitives.ReadUInt64BigEndian(b),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>
    /// Reads <paramref name="count"/> elements of <paramref name="dtype"/> from <paramref name="stream"/> into
    /// <paramref name="dst"/> starting at <paramref name="dstOffset"/>, converting to float32.
    /// Native-order F32 is read straight into the destination; other types go through a pooled buffer.
    /// Throws <see cref="EndOfStreamException"/> when the stream ends early.
    /// </summary>
    public static void ReadConverted(Stream stream, float[] dst, int dstOffset, int count, TensorDType dtype, bool littleEndian)
    {
        var target = dst.AsSpan(dstOffset, count);
        if (dtype == TensorDType.F32 && littleEndian == BitConverter.IsLittleEndian)
        {
            stream.ReadExactly(MemoryMarshal.AsBytes(target));
            return;
        }

        int size = ElementSize(dtype);
        int chunkElements = Math.Max(1, (1 << 20) / size);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(chunkElements * size);
        try
        {
            for (int done = 0; done < count;)
            {
                int n = Math.Min(chunkElements, count - done);
                var bytes = buffer.AsSpan(0, n * size);
                stream.ReadExactly(bytes);
                ConvertToSingle(bytes, target.Slice(done, n), dtype, littleEndian);
                done += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
